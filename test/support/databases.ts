import crypto from "node:crypto";
import path from "node:path";
import { createScratchPostgres } from "../../scripts/lib/scratch-postgres";
import { afterAll, beforeAll } from "vitest";
import { createDatabase, type Database } from "~/db.server";
import { getEnv } from "~/env.server";
import { deployMigrations } from "../../scripts/lib/migrations";

export interface TestDatabase {
  provider: "sqlite" | "postgres";
  url: string;
  drop(): Promise<void>;
}

/** The database servers tests run against: always SQLite, and PostgreSQL when TEST_DATABASE_URL is set. */
export const databaseProviders = (): Array<"sqlite" | "postgres"> => (process.env.TEST_DATABASE_URL ? ["sqlite", "postgres"] : ["sqlite"]);

/** A new, empty database of the given kind, unique to the caller. */
export async function freshDatabase(provider: "sqlite" | "postgres"): Promise<TestDatabase> {
  if (provider === "sqlite") {
    return { provider, url: `file:${path.join(getEnv().dataDir, `t_${crypto.randomBytes(6).toString("hex")}.db`)}`, drop: async () => {} };
  }
  const scratch = await createScratchPostgres(process.env.TEST_DATABASE_URL!, "t");
  return { provider, ...scratch };
}

/**
 * A fresh, migrated database of the given kind for the enclosing `describe`: made before its tests
 * (handed to `ready`), disconnected and dropped after them.
 */
export function useMigratedDatabase(provider: "sqlite" | "postgres", ready: (db: Database, url: string) => void) {
  let database: TestDatabase | undefined;
  let db: Database | undefined;
  beforeAll(async () => {
    database = await freshDatabase(provider);
    await deployMigrations(database.url);
    db = createDatabase(database.url);
    ready(db, database.url);
  });
  afterAll(async () => {
    await db?.$disconnect();
    await database?.drop();
  });
}
