/**
 * `npm run rebuild -- --contributor 0x… [--database <url>]`: restores every entry and version a
 * writer published, from Arweave alone, into DATABASE_URL, or into the database given (after
 * applying pending migrations to it: it may be new). Prints what was restored and each item
 * skipped, with the reason. Running it again adds nothing; it refuses a database holding other
 * entries of that writer.
 */
import { parseArgs } from "node:util";
import { createDatabase } from "../app/db.server";
import { parseEnv } from "../app/env.server";
import { formatRebuildReport, parseContributor, rebuildContributor } from "../app/modules/entries/rebuild.server";
import { loadDotEnv } from "./lib/dotenv";
import { deployMigrations } from "./lib/migrations";

async function main() {
  loadDotEnv();
  const { values } = parseArgs({ options: { contributor: { type: "string" }, database: { type: "string" } } });
  if (!values.contributor) throw new Error("usage: npm run rebuild -- --contributor 0x… [--database <url>]");
  const contributor = parseContributor(values.contributor);
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
    console.log(`rebuilding from ${env.storage.gatewayUrl} into the ${env.database.provider} database`);
    const started = performance.now();
    const report = await rebuildContributor(db, env, contributor);
    console.log(formatRebuildReport(report));
    console.log(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    await db.$disconnect();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    // fetch reports an unreachable gateway as "fetch failed"; the cause says why.
    const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : "";
    console.error(error instanceof Error ? `${error.message}${cause}` : error);
    process.exit(1);
  },
);
