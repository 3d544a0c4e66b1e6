/**
 * `npm run import:mirror -- --contributor 0x… [--database <url>]`: imports a writer's Mirror.xyz
 * entries from Arweave into DATABASE_URL, or into the database given (after applying pending
 * migrations to it: it may be new): the latest version of each post, with its verification
 * verdict. Prints what was imported, updated, left unchanged and skipped. Running it again adds
 * nothing.
 */
import "../app/server/runtime";
import { formatImportReport, importMirror } from "../app/modules/entries/import-mirror.server";
import { runForContributor } from "./lib/contributor-command";
import { withProgress } from "./lib/progress";

runForContributor("npm run import:mirror -- --contributor 0x… [--database <url>]", async (db, env, contributor) => {
  console.log(`importing Mirror entries from ${env.storage.gatewayUrl} into the ${env.database.provider} database`);
  const report = await withProgress("items read and verified", (onProgress) => importMirror(db, env, contributor, { onProgress }));
  console.log(formatImportReport(report));
});
