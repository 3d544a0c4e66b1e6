import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient as PostgresClient } from "~/generated/prisma/postgres/client";
import { PrismaClient } from "~/generated/prisma/sqlite/client";
import { getEnv, sqlitePath } from "~/env.server";

export type Database = PrismaClient;

/**
 * One Prisma client for either database. Both clients are generated from the same models, so the
 * PostgreSQL one has the same API and is typed as the SQLite one.
 */
export function createDatabase(url: string): Database {
  if (url.startsWith("file:")) {
    return new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: sqlitePath(url) }) });
  }
  const client = new PostgresClient({ adapter: new PrismaPg({ connectionString: url }) });
  return client as unknown as Database;
}

let database: Database | undefined;

/** The process's database client, created on first use. */
export function getDb(): Database {
  database ??= createDatabase(getEnv().database.url);
  return database;
}
