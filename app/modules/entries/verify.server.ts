import { getAddress, isAddress, isHex, type Hex } from "viem";
import { z } from "zod";
import type { Env } from "~/env.server";
import { checkSignature, createChainClient } from "~/modules/editions/chain.server";
import { DependencyUnavailable } from "~/modules/errors.server";
import { describeMembership, proveMembership, type MembershipProof } from "~/modules/publications/verify.server";
import { fetchData } from "~/modules/storage/gateway.server";
import { contentDigest, entryTypedData, ENTRY_FORMAT_VERSION, type Entry } from "./entry";
import { ARWEAVE_ID } from "./extensions";
import { describeVerdict, mirrorSeconds, parseMirrorEntry, verifyMirrorEntry, type MirrorVerdict } from "./mirror.server";

const entrySchema = z.object({
  format: z.literal(ENTRY_FORMAT_VERSION),
  content: z.object({
    title: z.string(),
    body: z.string(),
    json: z.object({ type: z.literal("doc") }).passthrough(),
    timestamp: z.number().int().nonnegative(),
    publication: z.string().regex(/^0x[0-9a-f]{64}$/, "not a publication id").optional(),
  }),
  digest: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
  originalDigest: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
  version: z.number().int().min(1),
  authorship: z.object({
    contributor: z.string().refine((value) => isAddress(value, { strict: false }), "not an address"),
    signature: z.string().refine((value) => isHex(value), "not hex"),
  }),
  edition: z.object({ chainId: z.number().int(), address: z.string() }).nullable(),
});

export type Verification =
  | {
      kind: "entry";
      verified: boolean;
      problems: string[];
      title: string;
      contributor: `0x${string}`;
      version: number;
      digest: string;
      computedDigest: string;
      originalDigest: string;
      timestamp: number;
      /** For an entry published into a publication: whether its author was a member then. */
      membership: MembershipProof | null;
      /** `describeMembership` of it, or "signed by 0x…" for an entry of the author's own. */
      summary: string;
    }
  | {
      kind: "mirror";
      verified: boolean;
      verdict: MirrorVerdict;
      /** `describeVerdict` of the verdict, or `describeMembership` for an archive imported into a publication. */
      summary: string;
      title: string;
      contributor: `0x${string}`;
      digest: string;
      originalDigest: string;
      /** For a publication's archive signed by a member's wallet: whether the signer was a member then. */
      membership: MembershipProof | null;
    }
  | { kind: "unreadable"; verified: false; problems: string[] };

/**
 * What a verification shows as: proven, signed only by someone other than the contributor (a state
 * of its own, never "verified"), or failed.
 */
export const verificationState = (verification: Verification): MirrorVerdict["status"] => {
  if (verification.kind === "mirror") return verification.verified ? "verified" : verification.verdict.status;
  if (verification.verified) return "verified";
  // Signed by its author, who is not proven a member of the publication it names.
  return verification.kind === "entry" && verification.problems.length === 0 ? "signed-by-other" : "failed";
};

/**
 * Verifies an entry from its JSON alone: the digest recomputed from the canonical bytes of its
 * content, then the author's EIP-712 signature over it (plain, ERC-1271 or ERC-6492 wallets,
 * through the chain client). An entry naming a publication is verified only when the gateway's
 * records prove its author a member at the entry's time (proveMembership); its signature alone
 * shows as "not proven a member". Mirror entries are checked by Mirror's own scheme.
 */
export async function verifyEntryJson(env: Pick<Env, "chain" | "storage">, json: unknown, { mirrorPublication }: { mirrorPublication?: MirrorPublicationLookup } = {}): Promise<Verification> {
  if (typeof json === "object" && json !== null && "authorship" in json && typeof (json as { authorship?: { signingKey?: unknown } }).authorship?.signingKey === "string") {
    const mirror = parseMirrorEntry(json);
    const verdict = await verifyMirrorEntry(mirror);
    // A signature by anyone but the contributor proves nothing about the contributor, unless the
    // publication that took in the contributor's archive has granted the signer a role (on Arweave).
    const publication = verdict.status === "signed-by-other" && mirrorPublication ? await mirrorPublication(mirror.contributor) : null;
    const at = mirrorSeconds(mirror.timestamp);
    const membership = publication && verdict.status === "signed-by-other" && at !== undefined ? await proveMembership(env, publication, verdict.signer, at) : null;
    const summary = membership ? describeMembership(membership) : describeVerdict(verdict);
    const verified = verdict.status === "verified" || Boolean(membership?.role);
    return { kind: "mirror", verified, verdict, summary, title: mirror.title, contributor: mirror.contributor, digest: mirror.digest, originalDigest: mirror.originalDigest, membership };
  }
  const parsed = entrySchema.safeParse(json);
  if (!parsed.success) {
    return { kind: "unreadable", verified: false, problems: parsed.error.issues.map((issue) => `${issue.path.join(".") || "entry"}: ${issue.message}`) };
  }
  const entry = parsed.data as unknown as Entry;
  const contributor = getAddress(entry.authorship.contributor);
  const problems: string[] = [];
  const computedDigest = await contentDigest(entry.content);
  if (computedDigest !== entry.digest) {
    problems.push(`The content does not match its digest: it says ${entry.digest}, its bytes give ${computedDigest}. It was changed after it was signed.`);
  }
  if (entry.version === 1 && entry.originalDigest !== entry.digest) problems.push("A first version must have its own digest as its original digest.");
  const typedData = entryTypedData({ title: entry.content.title, digest: entry.digest, originalDigest: entry.originalDigest, version: entry.version, contributor });
  const chain = createChainClient(env.chain.rpcUrl, env.chain.id);
  const signed = await checkSignature(chain, { typedData: { address: contributor, signature: entry.authorship.signature as Hex, ...typedData } });
  if (!signed) problems.push(`The signature is not ${contributor}'s signature of this entry.`);
  const membership = entry.content.publication ? await proveMembership(env, entry.content.publication, contributor, entry.content.timestamp) : null;
  return {
    kind: "entry",
    verified: problems.length === 0 && (!membership || membership.role !== null),
    membership,
    summary: membership ? describeMembership(membership) : `signed by ${contributor}`,
    problems,
    title: entry.content.title,
    contributor,
    version: entry.version,
    digest: entry.digest,
    computedDigest,
    originalDigest: entry.originalDigest,
    timestamp: entry.content.timestamp,
  };
}

/**
 * The publication (its id) that imported a Mirror contributor's archive, if any. Mirror's entries do
 * not name a publication; the owner's choice to import the archive makes the link, and the grants
 * that prove each signer a member are then checked on Arweave like any other.
 */
export type MirrorPublicationLookup = (contributor: `0x${string}`) => Promise<`0x${string}` | null>;

const WHOLE_ARWEAVE_ID = new RegExp(`^${ARWEAVE_ID}$`);
/** An Arweave transaction or data item id, whole: 43 base64url characters. */
export const isArweaveId = (id: string) => WHOLE_ARWEAVE_ID.test(id);

/** Fetches an entry from the gateway by its Arweave id and verifies it; undefined when not found. */
export async function verifyArweaveEntry(env: Pick<Env, "chain" | "storage">, arweaveId: string, options: { mirrorPublication?: MirrorPublicationLookup } = {}): Promise<Verification | undefined> {
  if (!isArweaveId(arweaveId)) return { kind: "unreadable", verified: false, problems: ["That is not an Arweave id (43 base64url characters)."] };
  const bytes = await fetchData(arweaveId, env.storage.gatewayUrl);
  if (!bytes) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString("utf8"));
  } catch {
    return { kind: "unreadable", verified: false, problems: ["The data stored under this id is not JSON, so it is not an entry."] };
  }
  try {
    return await verifyEntryJson(env, json, options);
  } catch (error) {
    // An outage says nothing about the entry: it is reported as such, not as a failed check.
    if (error instanceof DependencyUnavailable) throw error;
    return { kind: "unreadable", verified: false, problems: [(error as Error).message] };
  }
}
