import { parseArgs } from "node:util";
import { createDatabase, type Database } from "../../app/db.server";
import { parseEnv, type Env } from "../../app/env.server";
import { loadDotEnv } from "../../app/server/dotenv.server";
import { deployMigrations } from "./migrations";

/**
 * The shared shell of the commands that work on one contributor's or one publication's entries
 * (`rebuild`, `import:mirror`): `--contributor 0x…`, `--publication 0x…`, `[--database <url>]`.
 * `choose` reads the options (and refuses bad ones) before anything is opened; a database named
 * here is migrated first (it may be new), and errors end the process with a readable message and
 * exit code 1.
 */
export function runForTarget(usage: string, choose: (values: { contributor?: string; publication?: string }) => (db: Database, env: Env) => Promise<void>): void {
  const main = async () => {
    loadDotEnv();
    const { values } = parseArgs({ options: { contributor: { type: "string" }, publication: { type: "string" }, database: { type: "string" } } });
    const work = choose(values);
    const env = parseEnv({ ...process.env, ...(values.database ? { DATABASE_URL: values.database } : {}) });
    // The configured database is migrated by `npm start` and `db:deploy`; one named here may be new.
    if (values.database) {
      const applied = await deployMigrations(env.database.url).catch((error: Error) => {
        throw new Error(`could not apply migrations to ${values.database} (is a server using it?): ${error.message.split("\n")[0]}`);
      });
      if (applied.length > 0) console.log(`applied migrations ${applied.join(", ")}`);
    }
    const db = createDatabase(env.database.url);
    try {
      await work(db, env);
    } finally {
      await db.$disconnect();
    }
  };
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      // fetch reports an unreachable gateway as "fetch failed"; the cause says why.
      const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : "";
      console.error(error instanceof Error ? `${error.message}${cause}` : error);
      process.exit(1);
    },
  );
}
