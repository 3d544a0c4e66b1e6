/**
 * `npm run rebuild -- --contributor 0x… [--database <url>]`: restores every entry and version a
 * writer published, from Arweave alone, into DATABASE_URL, or into the database given (after
 * applying pending migrations to it: it may be new), with the publications those entries name.
 * `npm run rebuild -- --publication 0x<64 hex> [--database <url>]` restores a publication: its
 * account and details from its latest record, its membership records, and every member's entries
 * in it. Prints what was restored and each item skipped, with the reason. Running it again adds
 * nothing; it refuses a database holding other entries of that writer.
 */
import "../app/server/runtime";
import { formatPublicationRebuild, formatRebuildReport, parseContributor, rebuildContributor, rebuildPublication } from "../app/modules/entries/rebuild.server";
import { parsePublicationId } from "../app/modules/publications/rebuild.server";
import { runForTarget } from "./lib/contributor-command";
import { withProgress } from "./lib/progress";

const USAGE = "npm run rebuild -- (--contributor 0x… | --publication 0x…) [--database <url>]";

runForTarget(USAGE, (values) => {
  if (Boolean(values.contributor) === Boolean(values.publication)) throw new Error(`usage: ${USAGE}`);
  const started = performance.now();
  const done = () => console.log(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  if (values.publication) {
    const id = parsePublicationId(values.publication);
    return async (db, env) => {
      console.log(`rebuilding publication ${id} from ${env.storage.gatewayUrl} into the ${env.database.provider} database`);
      const result = await withProgress("items read and verified", (onProgress) => rebuildPublication(db, env, id, { onProgress }));
      console.log(formatPublicationRebuild(result));
      done();
    };
  }
  const contributor = parseContributor(values.contributor!);
  return async (db, env) => {
    console.log(`rebuilding from ${env.storage.gatewayUrl} into the ${env.database.provider} database`);
    const report = await withProgress("items read and verified", (onProgress) => rebuildContributor(db, env, contributor, { onProgress }));
    console.log(formatRebuildReport(report));
    done();
  };
});
