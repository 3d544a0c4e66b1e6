/**
 * Database tooling: `generate` (both Prisma clients), `migrate --name <name>` (write a migration for
 * SQLite and, when a PostgreSQL server is given, for PostgreSQL, then apply it), `deploy` (apply
 * pending migrations to DATABASE_URL).
 */
import "../app/server/runtime";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { getEnv } from "../app/env.server";
import { createMigration, deployMigrations, ROOT, schemaFor, type Provider } from "./lib/migrations";
import { loadDotEnv } from "../app/server/dotenv.server";
import { createScratchPostgres, LOCAL_POSTGRES } from "./lib/scratch-postgres";

const PROVIDERS: Provider[] = ["sqlite", "postgres"];

function generate() {
  for (const provider of PROVIDERS) {
    const schema = schemaFor(provider);
    execFileSync(path.join(ROOT, "node_modules/.bin/prisma"), ["generate", "--schema", schema.path], {
      cwd: ROOT,
      stdio: "pipe",
      // Generating needs no schema engine, but the CLI insists one exists: any file will do.
      env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: "/bin/false", CHECKPOINT_DISABLE: "1", PRISMA_HIDE_UPDATE_MESSAGE: "1" },
    });
    console.log(`generated the ${provider} client`);
  }
}

async function withScratchDatabase<T>(provider: Provider, postgresServer: string, work: (url: string) => Promise<T>): Promise<T> {
  if (provider === "sqlite") {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "migrate-"));
    try {
      return await work(`file:${path.join(dir, "scratch.db")}`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  const scratch = await createScratchPostgres(postgresServer, "migrate_scratch");
  try {
    return await work(scratch.url);
  } finally {
    await scratch.drop();
  }
}

async function main() {
  loadDotEnv();
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      name: { type: "string" },
      postgres: { type: "string", default: LOCAL_POSTGRES },
    },
  });
  const command = positionals[0];
  if (command === "generate") return generate();
  if (command === "deploy") {
    const url = getEnv().database.url;
    const applied = await deployMigrations(url);
    console.log(applied.length ? `applied ${applied.join(", ")}` : "the database is up to date");
    return;
  }
  if (command === "migrate") {
    if (!values.name || !/^[a-z0-9_]+$/.test(values.name)) throw new Error("give the migration a name: --name words_with_underscores");
    const { database } = getEnv();
    // Each provider has its own migrations; the one not configured is migrated on a scratch database.
    for (const provider of PROVIDERS) {
      const folder =
        database.provider === provider
          ? await createMigration(database.url, values.name)
          : await withScratchDatabase(provider, values.postgres, (url) => createMigration(url, values.name!));
      console.log(folder ? `wrote ${path.relative(ROOT, folder)}` : `no change to the ${provider} migrations`);
    }
    return;
  }
  throw new Error("usage: tsx scripts/db.ts generate | migrate --name <name> [--postgres <url>] | deploy");
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
