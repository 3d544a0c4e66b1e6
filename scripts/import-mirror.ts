/**
 * `npm run import:mirror -- --contributor 0x… [--database <url>]`: imports a writer's Mirror.xyz
 * entries from Arweave into DATABASE_URL, or into the database given (after applying pending
 * migrations to it: it may be new): the latest version of each post, with its verification
 * verdict. Prints what was imported, updated, left unchanged and skipped. Running it again adds
 * nothing.
 */
import { parseArgs } from "node:util";
import { createDatabase } from "../app/db.server";
import { parseEnv } from "../app/env.server";
import { formatImportReport, importMirror } from "../app/modules/entries/import-mirror.server";
import { parseContributor } from "../app/modules/entries/rebuild.server";
import { loadDotEnv } from "./lib/dotenv";
import { deployMigrations } from "./lib/migrations";

async function main() {
  loadDotEnv();
  const { values } = parseArgs({ options: { contributor: { type: "string" }, database: { type: "string" } } });
  if (!values.contributor) throw new Error("usage: npm run import:mirror -- --contributor 0x… [--database <url>]");
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
    console.log(`importing Mirror entries from ${env.storage.gatewayUrl} into the ${env.database.provider} database`);
    console.log(formatImportReport(await importMirror(db, env, contributor)));
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
