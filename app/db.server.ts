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
    const client = new PrismaClient({ adapter: new SqliteWriteTransactions({ url: sqlitePath(url) }) });
    providers.set(client, "sqlite");
    return client;
  }
  const client = new PostgresClient({ adapter: new PrismaPg({ connectionString: url }) }) as unknown as Database;
  providers.set(client, "postgres");
  return client;
}

/**
 * SQLite with transactions that take the write lock when they begin (`BEGIN IMMEDIATE`).
 *
 * Every transaction here writes. Begun the default way (deferred), one reads first; if another
 * process (the worker, while the web server serves) commits a write before this one's first
 * write, SQLite cannot wait it out and fails the write at once with SQLITE_BUSY_SNAPSHOT: a reader
 * subscribing while a newsletter goes out got a 500. Begun immediately, the transaction waits for
 * the lock (the connection's busy timeout) and then reads what it writes over.
 *
 * The adapter has no option for this, so its connection's `BEGIN` is replaced. Should the lock not
 * come within the timeout, the transaction begins deferred after all: a later statement then fails
 * and rolls back in the ordinary way, and the adapter's own lock is released.
 */
class SqliteWriteTransactions extends PrismaBetterSqlite3 {
  override async connect() {
    const adapter = await super.connect();
    const connection = (adapter as unknown as { client?: BetterSqlite3Connection }).client;
    if (typeof connection?.prepare !== "function") throw new Error("The SQLite adapter no longer exposes its connection: transactions cannot begin immediately.");
    const prepare = connection.prepare.bind(connection);
    connection.prepare = (sql: string) => {
      if (sql !== "BEGIN") return prepare(sql);
      const immediate = prepare("BEGIN IMMEDIATE");
      return {
        run: () => {
          try {
            return immediate.run();
          } catch (error) {
            if ((error as { code?: string }).code !== "SQLITE_BUSY") throw error;
            return prepare("BEGIN").run();
          }
        },
      };
    };
    return adapter;
  }
}

interface BetterSqlite3Connection {
  prepare(sql: string): { run(): unknown };
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
