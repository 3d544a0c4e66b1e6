/**
 * `npm run verify -- <arweave id>`: fetches an entry from the configured gateway, recomputes its
 * digest and checks its author's signature (and, for an entry of a publication, that the owner's
 * records make the author a member at the entry's time). Exits 0 when verified, 1 when not (a
 * Mirror entry signed by another wallet than its contributor is not, nor an entry whose author is
 * not proven a member of its publication), 2 when it could not be checked because the gateway
 * or the chain did not answer.
 */
import "../app/server/runtime";
import { EnvError, getEnv } from "../app/env.server";
import { verifyArweaveEntry } from "../app/modules/entries/verify.server";
import { getDb } from "../app/db.server";
import { DependencyUnavailable } from "../app/modules/errors.server";
import { mirrorPublicationLookup } from "../app/modules/publications/verify.server";
import { loadDotEnv } from "../app/server/dotenv.server";

async function main(): Promise<number> {
  loadDotEnv();
  const id = process.argv[2];
  if (!id) throw new Error("usage: npm run verify -- <arweave id>");
  const env = getEnv();
  // A Mirror archive imported into a publication is linked to it here; the grants come from the gateway.
  const result = await verifyArweaveEntry(env, id, { mirrorPublication: mirrorPublicationLookup(getDb()) });
  if (!result) {
    console.log(`not found: ${env.storage.gatewayUrl} has nothing under ${id}`);
    return 1;
  }
  console.log(`${result.verified ? "verified" : "NOT VERIFIED"}  ${id}`);
  if (result.kind === "entry") {
    console.log(`title        ${result.title}`);
    console.log(`contributor  ${result.contributor}`);
    console.log(`verdict      ${result.summary}`);
    console.log(`version      ${result.version} (original digest ${result.originalDigest})`);
    console.log(`digest       ${result.digest}${result.computedDigest === result.digest ? " (recomputed: matches)" : ` (recomputed: ${result.computedDigest})`}`);
  }
  if (result.kind === "mirror") {
    console.log(`mirror entry ${result.title} by ${result.contributor}: ${result.summary}`);
  }
  if (result.kind !== "unreadable" && result.membership) {
    const { membership } = result;
    console.log(`publication  ${membership.name} (${membership.publication})${membership.recordId ? `, record ${membership.recordId}` : ", no record signed by its owner"}`);
    if (membership.grant) console.log(`grant        ${membership.grant.role} from ${new Date(membership.grant.from * 1000).toISOString()}, signed by the owner ${membership.owner}: ${membership.grant.arweaveId}`);
    for (const forged of membership.forged) console.log(`ignored      ${forged.arweaveId}: ${forged.reason}`);
  }
  if ("problems" in result) for (const problem of result.problems) console.log(`problem      ${problem}`);
  return result.verified ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof EnvError || error instanceof Error ? error.message : error);
    process.exit(error instanceof DependencyUnavailable ? 2 : 1);
  },
);
