import crypto from "node:crypto";
import path from "node:path";
import pg from "pg";
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
  const name = `t_${crypto.randomBytes(6).toString("hex")}`;
  if (provider === "sqlite") {
    return { provider, url: `file:${path.join(getEnv().dataDir, `${name}.db`)}`, drop: async () => {} };
  }
  const server = process.env.TEST_DATABASE_URL!;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    provider,
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: server });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await client.end();
    },
  };
}
