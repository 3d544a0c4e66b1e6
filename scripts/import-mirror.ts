/**
 * `npm run import:mirror -- --contributor 0x… [--publication 0x<64 hex>] [--database <url>]`:
 * imports a writer's Mirror.xyz entries from Arweave into DATABASE_URL, or into the database given
 * (after applying pending migrations to it: it may be new): the latest version of each post, with
 * its verification verdict. With `--publication`, a Mirror publication's archive is imported into
 * that publication (already here): each entry under the wallet that signed it. Prints what was
 * imported, updated, left unchanged and skipped. Running it again adds nothing.
 */
import "../app/server/runtime";
import { formatImportReport, importMirror } from "../app/modules/entries/import-mirror.server";
import { parseContributor } from "../app/modules/entries/rebuild.server";
import { parsePublicationId } from "../app/modules/publications/rebuild.server";
import { runForTarget } from "./lib/contributor-command";
import { withProgress } from "./lib/progress";

const USAGE = "npm run import:mirror -- --contributor 0x… [--publication 0x…] [--database <url>]";

runForTarget(USAGE, (values) => {
  if (!values.contributor) throw new Error(`usage: ${USAGE}`);
  const contributor = parseContributor(values.contributor);
  const publicationId = values.publication ? parsePublicationId(values.publication) : undefined;
  return async (db, env) => {
    const account = publicationId ? await db.writer.findFirst({ where: { address: publicationId, kind: "publication" }, select: { id: true, displayName: true } }) : undefined;
    if (publicationId && !account) throw new Error(`There is no publication ${publicationId} in this database: create it (or rebuild it with npm run rebuild -- --publication) first.`);
    console.log(`importing Mirror entries from ${env.storage.gatewayUrl} into the ${env.database.provider} database${account ? `, into the publication ${account.displayName}` : ""}`);
    const report = await withProgress("items read and verified", (onProgress) => importMirror(db, env, contributor, { onProgress, publication: account?.id }));
    console.log(formatImportReport(report));
  };
});
