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
    const client = new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: sqlitePath(url) }) });
    providers.set(client, "sqlite");
    return client;
  }
  const client = new PostgresClient({ adapter: new PrismaPg({ connectionString: url }) }) as unknown as Database;
  providers.set(client, "postgres");
  return client;
}

const providers = new WeakMap<object, "sqlite" | "postgres">();

/**
 * Whether `db` (a client from `createDatabase`, or a transaction of one) talks to PostgreSQL, for
 * the few statements written per database. `instanceof` cannot tell: Prisma 7's clients are plain
 * objects, not instances of the generated class.
 */
export function isPostgres(db: object): boolean {
  const known = providers.get(db);
  if (known) return known === "postgres";
  // A transaction's client is another object; it still reports its provider.
  return (db as { _activeProvider?: string })._activeProvider === "postgresql";
}

let database: Database | undefined;

/** The process's database client, created on first use. */
export function getDb(): Database {
  database ??= createDatabase(getEnv().database.url);
  return database;
}
