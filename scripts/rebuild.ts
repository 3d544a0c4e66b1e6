/**
 * `npm run rebuild -- --contributor 0x… [--database <url>]`: restores every entry and version a
 * writer published, from Arweave alone, into DATABASE_URL, or into the database given (after
 * applying pending migrations to it: it may be new). Prints what was restored and each item
 * skipped, with the reason. Running it again adds nothing; it refuses a database holding other
 * entries of that writer.
 */
import "../app/server/runtime";
import { formatRebuildReport, rebuildContributor } from "../app/modules/entries/rebuild.server";
import { runForContributor } from "./lib/contributor-command";
import { withProgress } from "./lib/progress";

runForContributor("npm run rebuild -- --contributor 0x… [--database <url>]", async (db, env, contributor) => {
  console.log(`rebuilding from ${env.storage.gatewayUrl} into the ${env.database.provider} database`);
  const started = performance.now();
  const report = await withProgress("items read and verified", (onProgress) => rebuildContributor(db, env, contributor, { onProgress }));
  console.log(formatRebuildReport(report));
  console.log(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
});
