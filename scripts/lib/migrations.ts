/**
 * Migrations through Prisma's WebAssembly schema engine and the same driver adapters the app uses.
 * The Prisma CLI needs a native schema engine that cannot be downloaded on the machines that build
 * this project; the engine's wasm build does the same work from here.
 */
import fs from "node:fs";
import path from "node:path";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
} from "@prisma/driver-adapter-utils";
import type { MigrationList, SchemaEngine } from "@prisma/schema-engine-wasm";
import Database from "better-sqlite3";
import pg from "pg";
import { sqlitePath } from "../../app/env.server";

export type Provider = "sqlite" | "postgres";

export const ROOT = path.resolve(__dirname, "../..");
export const SCHEMA_PATH = path.join(ROOT, "prisma/schema.prisma");
const DERIVED_DIR = path.join(ROOT, ".cache/prisma");

export const providerOf = (url: string): Provider => (url.startsWith("file:") ? "sqlite" : "postgres");
export const migrationsDir = (provider: Provider) => path.join(ROOT, "prisma/migrations", provider);

/** The schema for a provider: the committed SQLite schema, or the PostgreSQL one derived from it. */
export function schemaFor(provider: Provider): { path: string; content: string } {
  const source = fs.readFileSync(SCHEMA_PATH, "utf8");
  if (provider === "sqlite") return { path: SCHEMA_PATH, content: source };
  const derivedPath = path.join(DERIVED_DIR, "postgres/schema.prisma");
  const output = path.relative(path.dirname(derivedPath), path.join(ROOT, "app/generated/prisma/postgres"));
  const content = source
    .replace(/provider\s*=\s*"sqlite"/, 'provider = "postgresql"')
    .replace(/output\s*=\s*"[^"]*"/, `output       = "${output.split(path.sep).join("/")}"`);
  if (content === source) throw new Error("could not derive the PostgreSQL schema from prisma/schema.prisma");
  fs.mkdirSync(path.dirname(derivedPath), { recursive: true });
  if (!fs.existsSync(derivedPath) || fs.readFileSync(derivedPath, "utf8") !== content) fs.writeFileSync(derivedPath, content);
  return { path: derivedPath, content };
}

/** The migrations of a provider as the engine wants them, read from disk. */
export function readMigrations(provider: Provider): MigrationList {
  const baseDir = migrationsDir(provider);
  const lockPath = path.join(baseDir, "migration_lock.toml");
  const directories = fs.existsSync(baseDir)
    ? fs
        .readdirSync(baseDir, { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => entry.name)
        .sort()
    : [];
  return {
    baseDir,
    lockfile: { path: "migration_lock.toml", content: fs.existsSync(lockPath) ? fs.readFileSync(lockPath, "utf8") : null },
    shadowDbInitScript: "",
    migrationDirectories: directories.map((name) => ({
      path: name,
      migrationFile: {
        path: "migration.sql",
        content: { tag: "ok" as const, value: fs.readFileSync(path.join(baseDir, name, "migration.sql"), "utf8") },
      },
    })),
  };
}

let engineModule: Promise<typeof import("@prisma/schema-engine-wasm")> | undefined;

async function loadEngineModule() {
  // The package's exports hide the .wasm file; it sits next to the JS glue it is bound to.
  const gluePath = require.resolve("@prisma/schema-engine-wasm/schema_engine_bg");
  const glue: typeof import("@prisma/schema-engine-wasm") & {
    __wbg_set_wasm(exports: WebAssembly.Exports): void;
  } = await import(gluePath);
  const bytes = fs.readFileSync(path.join(path.dirname(gluePath), "schema_engine_bg.wasm"));
  const { instance } = await WebAssembly.instantiate(bytes, { "./schema_engine_bg.js": glue as unknown as WebAssembly.ModuleImports });
  glue.__wbg_set_wasm(instance.exports);
  (instance.exports.__wbindgen_start as () => void)();
  return glue;
}

// better-sqlite3 runs one statement per call; the engine replays whole migration files through
// executeRaw on the shadow database, so argument-less scripts go through executeScript instead.
function acceptScripts(adapter: SqlDriverAdapter): SqlDriverAdapter {
  const executeRaw = adapter.executeRaw.bind(adapter);
  adapter.executeRaw = async (query) => {
    if (query.args.length === 0 && /;\s*\S/.test(query.sql.trim().replace(/;\s*$/, ""))) {
      await adapter.executeScript(query.sql);
      return 0;
    }
    return executeRaw(query);
  };
  return adapter;
}

// The engine's introspection reads catalog columns of PostgreSQL's one-byte "char" type (OID 18),
// which the adapter cannot map; they are plain text to the engine.
function catalogTolerantPool(config: pg.PoolConfig): pg.Pool {
  const pool = new pg.Pool(config);
  const query = pool.query.bind(pool) as (config: pg.QueryConfig) => Promise<pg.QueryResult>;
  pool.query = (async (queryConfig: pg.QueryConfig) => {
    const result = await query(queryConfig);
    for (const field of result.fields ?? []) if (field.dataTypeID === 18) field.dataTypeID = 25;
    return result;
  }) as typeof pool.query;
  return pool;
}

function postgresConfig(url: string): pg.PoolConfig {
  const parsed = new URL(url);
  return {
    host: parsed.hostname,
    port: parsed.port ? Number(parsed.port) : 5432,
    user: decodeURIComponent(parsed.username) || undefined,
    password: decodeURIComponent(parsed.password) || undefined,
    database: parsed.pathname.slice(1) || "postgres",
  };
}

function adapterFactory(url: string): { factory: SqlMigrationAwareDriverAdapterFactory; close(): Promise<void> } {
  if (providerOf(url) === "sqlite") {
    const file = sqlitePath(url);
    if (file !== ":memory:") fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    const base = new PrismaBetterSqlite3({ url: file });
    const open: SqlDriverAdapter[] = [];
    const track = (adapter: SqlDriverAdapter) => (open.push(adapter), adapter);
    return {
      factory: {
        provider: "sqlite",
        adapterName: base.adapterName,
        connect: async () => track(await base.connect()),
        connectToShadowDb: async () => track(acceptScripts(await base.connectToShadowDb())),
      },
      // The engine does not close its connections when freed; the file stays locked until they are.
      close: async () => {
        await Promise.all(open.map((adapter) => adapter.dispose()));
      },
    };
  }
  // Discrete settings, not a connection string: pg lets a connection string override `database`,
  // which would turn the shadow database into the real one.
  const config = postgresConfig(url);
  const pool = catalogTolerantPool(config);
  const base = new PrismaPg(pool);
  return {
    factory: {
      provider: "postgres",
      adapterName: base.adapterName,
      connect: () => base.connect(),
      connectToShadowDb: async () => {
        const name = `shadow_${process.pid}_${Date.now()}`;
        await pool.query({ text: `CREATE DATABASE "${name}"` });
        const shadowPool = catalogTolerantPool({ ...config, database: name });
        // Dropping the shadow database ends connections the pool is still closing; that is expected.
        shadowPool.on("error", () => {});
        const adapter = await new PrismaPg(shadowPool).connect();
        const dispose = adapter.dispose.bind(adapter);
        adapter.dispose = async () => {
          await dispose();
          await shadowPool.end();
          await pool.query({ text: `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)` });
        };
        return adapter;
      },
    },
    close: () => pool.end(),
  };
}

async function withEngine<T>(url: string, work: (engine: SchemaEngine, provider: Provider) => Promise<T>): Promise<T> {
  engineModule ??= loadEngineModule();
  const { SchemaEngine } = await engineModule;
  const provider = providerOf(url);
  const schema = schemaFor(provider);
  const { factory, close } = adapterFactory(url);
  const engine = await SchemaEngine.new(
    { datamodels: [[schema.path, schema.content]] },
    () => {},
    bindMigrationAwareSqlAdapterFactory(factory),
  );
  try {
    return await work(engine, provider);
  } finally {
    engine.free();
    await close();
  }
}

// Readers keep reading while the worker writes; the mode is stored in the file, so once is enough.
function useWriteAheadLog(file: string) {
  const db = new Database(file);
  try {
    db.pragma("journal_mode = WAL");
  } finally {
    db.close();
  }
}

const NO_FILTERS = { externalTables: [], externalEnums: [] };

/** Applies every pending migration to the database at `url`; returns the names it applied. */
export async function deployMigrations(url: string): Promise<string[]> {
  const applied = await withEngine(url, async (engine, provider) => {
    const { appliedMigrationNames } = await engine.applyMigrations({ migrationsList: readMigrations(provider), filters: NO_FILTERS });
    return appliedMigrationNames;
  }).catch((error: unknown) => {
    // The engine reports SQLite's lock timeout in its own words; say what it means.
    if (providerOf(url) === "sqlite" && /SocketTimeout|database is locked|SQLITE_BUSY/i.test(String((error as Error)?.message ?? error))) {
      throw new Error(`the SQLite database ${sqlitePath(url)} stayed locked by another process (a running \`npm start\`, or a script still writing): migrate when it is idle, or stop it first`, { cause: error });
    }
    throw error;
  });
  if (providerOf(url) === "sqlite") useWriteAheadLog(sqlitePath(url));
  return applied;
}

/**
 * Writes a new migration for the provider of `url` when the schema differs from its migrations
 * (computed on a shadow database), then applies pending migrations. Returns the new folder, if any.
 */
export async function createMigration(url: string, name: string): Promise<string | undefined> {
  return withEngine(url, async (engine, provider) => {
    const schema = schemaFor(provider);
    const migrationsList = readMigrations(provider);
    // The engine connects its shadow database while diagnosing; a database that drifted from
    // its migrations is reported rather than reset, since it may hold someone's data.
    await engine.applyMigrations({ migrationsList, filters: NO_FILTERS });
    const diagnostic = await engine.devDiagnostic({ migrationsList, filters: NO_FILTERS });
    if (diagnostic.action.tag === "reset") {
      throw new Error(`the database differs from its migrations (${diagnostic.action.reason}); migrate a fresh database instead`);
    }
    const created = await engine.createMigration({
      draft: false,
      migrationName: name,
      migrationsList,
      schema: { files: [schema] },
      filters: NO_FILTERS,
    });
    let folder: string | undefined;
    if (created.migrationScript !== null) {
      folder = path.join(migrationsList.baseDir, created.generatedMigrationName);
      fs.mkdirSync(folder, { recursive: true });
      fs.writeFileSync(path.join(folder, "migration.sql"), created.migrationScript);
      fs.writeFileSync(
        path.join(migrationsList.baseDir, "migration_lock.toml"),
        `# Written by scripts/db.ts; the provider of these migrations.\nprovider = "${provider === "postgres" ? "postgresql" : "sqlite"}"\n`,
      );
    }
    await engine.applyMigrations({ migrationsList: readMigrations(provider), filters: NO_FILTERS });
    return folder;
  });
}
