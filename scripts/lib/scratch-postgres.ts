import crypto from "node:crypto";
import pg from "pg";

/** The machine's own PostgreSQL server, where tools and tests make scratch databases. */
export const LOCAL_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres";

async function onServer(server: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: server });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Whether a PostgreSQL server answers within two seconds. */
export async function postgresReachable(server: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: server, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * A new, empty database on `server` named `<prefix>_<random>`, and a way to drop it (ending any
 * connection still open to it).
 */
export async function createScratchPostgres(server: string, prefix: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${crypto.randomBytes(6).toString("hex")}`;
  await onServer(server, `CREATE DATABASE "${name}"`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => onServer(server, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}
