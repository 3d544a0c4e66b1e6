import crypto from "node:crypto";
import path from "node:path";
import { createScratchPostgres } from "../../scripts/lib/scratch-postgres";
import { getEnv } from "~/env.server";

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
