import fs from "node:fs";
import path from "node:path";
import type { Database } from "~/db.server";

const ROOT = path.resolve(__dirname, "../..");

/** The migrations this code expects, oldest first: the folders of prisma/migrations/<provider>. */
export function expectedMigrations(provider: "sqlite" | "postgres"): string[] {
  const dir = path.join(ROOT, "prisma/migrations", provider);
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(dir, entry.name, "migration.sql")))
    .map((entry) => entry.name)
    .sort();
}

/** The migrations this code expects that the database has not finished applying. */
export async function pendingMigrations(db: Database, provider: "sqlite" | "postgres"): Promise<string[]> {
  let applied: Set<string>;
  try {
    const rows = await db.$queryRawUnsafe<Array<{ migration_name: string }>>(
      `SELECT "migration_name" FROM "_prisma_migrations" WHERE "finished_at" IS NOT NULL AND "rolled_back_at" IS NULL`,
    );
    applied = new Set(rows.map((row) => row.migration_name));
  } catch {
    applied = new Set(); // no migrations table: nothing was ever applied
  }
  return expectedMigrations(provider).filter((name) => !applied.has(name));
}

/**
 * Roles never migrate: migrations are a release step (`npm run db:deploy`) run once, before the
 * roles start, so that several processes never race to change the schema. A role started against
 * a database that is behind stops here with a message that says so.
 */
export async function assertSchemaCurrent(db: Database, provider: "sqlite" | "postgres", role: string): Promise<void> {
  const pending = await pendingMigrations(db, provider);
  if (pending.length === 0) return;
  const shown = pending.length > 3 ? `${pending.slice(0, 3).join(", ")} and ${pending.length - 3} more` : pending.join(", ");
  throw new SchemaBehindError(
    `The database is ${pending.length} migration(s) behind this code (${shown}). ` +
      `Run \`npm run db:deploy\` once, then start the ${role} role again.`,
  );
}

export class SchemaBehindError extends Error {}
