import { createHash, webcrypto } from "node:crypto";
import { getAddress, isAddress, recoverMessageAddress } from "viem";
import { z } from "zod";
import { UserError } from "~/modules/errors.server";

/**
 * Mirror.xyz entries as stored on Arweave (`App-Name: MirrorXYZ`), and their verification.
 * The chain of trust: the content hashes to `digest`; a per-browser P-256 key signed the digest;
 * a wallet signed (EIP-191) a message authorizing that key. See docs/mirror-format.md.
 */

/** What Mirror's editor asks a wallet to sign, followed by the signing key's JWK string. */
export const SIGNING_KEY_MESSAGE_PREFIX = "I authorize publishing on mirror.xyz from this device using:\n";

/**
 * What Mirror's signatures prove. A signature proves who signed, nothing more: an entry is
 * `verified` only when the wallet that signed it is the contributor it names. Mirror does not sign
 * `contributor`, so any wallet can name anyone.
 */
export type MirrorVerdict =
  /** Digest, P-256 signature and wallet signature all check out, and the wallet is the contributor. */
  | { status: "verified"; signer: `0x${string}` }
  /**
   * Digest and P-256 signature check out and the wallet signature is valid, but it recovers to
   * another address than the contributor. On Mirror a publication's member signs this way, and so
   * does any forger with a fresh wallet; membership cannot be checked from Arweave, so this is
   * never counted as verified (docs/mirror-format.md, "Who may speak for a contributor").
   */
  | { status: "signed-by-other"; signer: `0x${string}` }
  | { status: "failed"; reason: string };

/** The verdict in a few words, as stored in `Entry.verification` and shown on every page that shows one. */
export function describeVerdict(verdict: MirrorVerdict): string {
  switch (verdict.status) {
    case "verified":
      return `verified: signed by the contributor ${verdict.signer}`;
    case "signed-by-other":
      return `signed by ${verdict.signer}, not the contributor; membership unknown`;
    case "failed":
      return `failed: ${verdict.reason}`;
  }
}

/** The status a `describeVerdict` text stands for, for pages that show a stored verdict. */
export function verdictStatusOf(description: string): MirrorVerdict["status"] {
  return description.startsWith("verified:") ? "verified" : description.startsWith("failed:") ? "failed" : "signed-by-other";
}

export interface MirrorAuthorship {
  signingKey: string | null;
  signingKeyMessage: string | null;
  /** The two signatures as stored. Which holds which changed between eras; verification tells them apart by format. */
  signature: string | null;
  signingKeySignature: string | null;
}

export interface MirrorEntry {
  title: string;
  body: string;
  /** As stored: a number in 2020-era entries, a string later. The digest depends on the type. */
  timestamp: number | string;
  digest: string;
  /** The post's stable id (its first revision's digest). */
  originalDigest: string;
  contributor: `0x${string}`;
  version: string | null;
  edition: { chainId: number; address: `0x${string}` } | null;
  authorship: MirrorAuthorship;
  raw: unknown;
}

/** A body that is not a Mirror entry, with every problem found. */
export class NotAMirrorEntry extends UserError {
  constructor(readonly problems: string[]) {
    super(`This is not a Mirror entry: ${problems.join("; ")}.`, 422);
    this.name = "NotAMirrorEntry";
  }
}

const digestSchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/, "expected a SHA-256 digest (43 base64url characters)");
const addressSchema = z
  .string()
  .refine((value) => isAddress(value), "expected an Ethereum address (a mixed-case one must have a valid checksum)")
  .transform((value) => getAddress(value));
// 2020-era entries carry `nft: {}`; an edition is only known once it has a chain and an address.
const editionSchema = z
  .object({ chainId: z.number().int().positive().nullish(), proxyAddress: addressSchema.nullish(), address: addressSchema.nullish() })
  .nullish();
const optionalText = z.string().nullish().transform((value) => value ?? null);

const entrySchema = z.object({
  content: z.object({ title: z.string(), body: z.string(), timestamp: z.union([z.number(), z.string()], { error: "expected a number or a string" }) }),
  digest: digestSchema,
  originalDigest: digestSchema.optional(),
  authorship: z.object({
    contributor: addressSchema,
    signingKey: optionalText,
    signingKeyMessage: optionalText,
    signature: optionalText,
    signingKeySignature: optionalText,
  }),
  version: optionalText,
  wnft: editionSchema,
  nft: editionSchema,
});

function describeIssue(issue: z.core.$ZodIssue): string {
  return `${issue.path.length ? issue.path.join(".") : "the body"}: ${issue.message}`;
}

function editionOf(...candidates: z.infer<typeof editionSchema>[]): MirrorEntry["edition"] {
  for (const candidate of candidates) {
    const address = candidate?.proxyAddress ?? candidate?.address;
    if (candidate?.chainId && address) return { chainId: candidate.chainId, address };
  }
  return null;
}

/**
 * Parses the JSON body of a Mirror Arweave transaction. Entries since 2022 do not repeat
 * `originalDigest` in the body, even for revisions: pass the transaction's
 * `Original-Content-Digest` tag, or `originalDigest` falls back to `digest`, which is right only for
 * a post's first revision. Throws `NotAMirrorEntry` listing what is wrong.
 */
export function parseMirrorEntry(json: unknown, tags: { originalContentDigest?: string } = {}): MirrorEntry {
  const parsed = entrySchema.safeParse(json);
  const tag = digestSchema.optional().safeParse(tags.originalContentDigest);
  const problems = [...(parsed.error?.issues.map(describeIssue) ?? []), ...(tag.error?.issues.map((issue) => `the Original-Content-Digest tag: ${issue.message}`) ?? [])];
  if (!parsed.success || !tag.success) throw new NotAMirrorEntry(problems);

  const { content, digest, authorship, version, wnft, nft } = parsed.data;
  if (parsed.data.originalDigest && tag.data && parsed.data.originalDigest !== tag.data) {
    throw new NotAMirrorEntry([`originalDigest ${parsed.data.originalDigest} differs from the Original-Content-Digest tag ${tag.data}`]);
  }
  const { contributor, ...signatures } = authorship;
  return {
    title: content.title,
    body: content.body,
    timestamp: content.timestamp,
    digest,
    originalDigest: parsed.data.originalDigest ?? tag.data ?? digest,
    contributor,
    version,
    edition: editionOf(wnft, nft),
    authorship: signatures,
    raw: json,
  };
}

/** Mirror stored seconds, as a number or a string; milliseconds are taken too, in case. */
export function mirrorSeconds(value: number | string): number | undefined {
  const number = typeof value === "number" ? value : /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isSafeInteger(number) || number < 0) return undefined;
  return number > 100_000_000_000 ? Math.floor(number / 1000) : number;
}

/** base64url SHA-256 of `{title, body, timestamp}` serialised in exactly that key order. */
export function mirrorDigest(content: { title: string; body: string; timestamp: number | string }): string {
  const { title, body, timestamp } = content;
  return createHash("sha256").update(JSON.stringify({ title, body, timestamp })).digest("base64url");
}

/** A reason the entry fails verification; caught and returned as a `failed` verdict. */
class Rejection extends Error {}

// Only the public coordinates: a stray private `d` must not change what is imported.
const publicJwkSchema = z.object({ kty: z.literal("EC"), crv: z.literal("P-256"), x: z.string(), y: z.string() });
type PublicJwk = z.infer<typeof publicJwkSchema>;

function parsePublicJwk(text: string, field: string): PublicJwk {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Rejection(`${field} is not JSON`);
  }
  const jwk = publicJwkSchema.safeParse(json);
  if (!jwk.success) throw new Rejection(`${field} is not a P-256 public JWK (${jwk.error.issues.map(describeIssue).join("; ")})`);
  return jwk.data;
}

const HEX = /^0x[0-9a-fA-F]*$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** Wallet signatures are 0x-hex, P-256 ones base64url; which field holds which depends on the era. */
function sortSignatures(authorship: MirrorAuthorship): { wallet?: string; device?: string } {
  const stored = [authorship.signature, authorship.signingKeySignature].filter((value) => value !== null);
  return {
    wallet: stored.find((value) => HEX.test(value)),
    device: stored.find((value) => !HEX.test(value) && BASE64URL.test(value)),
  };
}

async function checkDeviceSignature(digest: string, jwk: PublicJwk, signature: string | undefined) {
  if (!signature) throw new Rejection("P-256 signature missing: neither authorship.signature nor authorship.signingKeySignature is base64url");
  const bytes = Buffer.from(signature, "base64url");
  if (bytes.length !== 64) throw new Rejection(`P-256 signature malformed: ${bytes.length} bytes, expected 64 (raw r||s)`);
  const key = await webcrypto.subtle
    .importKey("jwk", jwk, { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"])
    .catch((error: Error) => {
      throw new Rejection(`authorship.signingKey is not a valid P-256 public key (${error.message})`);
    });
  // Mirror signs the 32 digest bytes themselves (WebCrypto hashes them again), not the digest's text.
  const valid = await webcrypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, key, bytes, Buffer.from(digest, "base64url"));
  if (!valid) throw new Rejection("P-256 signature invalid: it does not verify over the digest with authorship.signingKey");
}

/** Returns the message once it is known to authorize exactly the key that signed the digest. */
function checkKeyAuthorization(jwk: PublicJwk, message: string | null): string {
  if (!message) throw new Rejection("authorship.signingKeyMessage is missing");
  if (!message.startsWith(SIGNING_KEY_MESSAGE_PREFIX)) {
    throw new Rejection(`authorship.signingKeyMessage does not start with ${JSON.stringify(SIGNING_KEY_MESSAGE_PREFIX)}`);
  }
  const authorized = parsePublicJwk(message.slice(SIGNING_KEY_MESSAGE_PREFIX.length), "the key in authorship.signingKeyMessage");
  if (authorized.x !== jwk.x || authorized.y !== jwk.y) {
    throw new Rejection(`authorship.signingKeyMessage authorizes another key (x ${authorized.x}) than authorship.signingKey (x ${jwk.x})`);
  }
  return message;
}

async function recoverWallet(message: string, signature: string | undefined): Promise<`0x${string}`> {
  if (!signature) throw new Rejection("wallet signature missing: neither authorship.signature nor authorship.signingKeySignature is 0x-hex");
  // A contract wallet's EIP-1271 signature can only be checked by calling the contract; offline it
  // fails here, or recovers to an unrelated address and reads as signed-by-other.
  const offline = "a contract wallet's (EIP-1271) signature cannot be checked offline";
  const digits = signature.length - 2;
  if (digits !== 130) throw new Rejection(`wallet signature did not recover: ${digits} hex digits, not the 130 of a 65-byte ECDSA signature; ${offline}`);
  try {
    return await recoverMessageAddress({ message, signature: signature as `0x${string}` });
  } catch (error) {
    throw new Rejection(`wallet signature did not recover (${(error as Error).message.split("\n")[0]}); ${offline}`);
  }
}

/**
 * Checks an entry's digest, its P-256 signature and the wallet signature authorizing the P-256 key.
 * Never throws for a bad entry: the verdict says what failed.
 */
export async function verifyMirrorEntry(entry: MirrorEntry): Promise<MirrorVerdict> {
  try {
    const computed = mirrorDigest(entry);
    if (computed !== entry.digest) throw new Rejection(`digest mismatch: expected ${entry.digest}, computed ${computed}`);
    if (!entry.authorship.signingKey) throw new Rejection("authorship.signingKey is missing");
    const jwk = parsePublicJwk(entry.authorship.signingKey, "authorship.signingKey");
    const signatures = sortSignatures(entry.authorship);
    await checkDeviceSignature(entry.digest, jwk, signatures.device);
    const message = checkKeyAuthorization(jwk, entry.authorship.signingKeyMessage);
    const signer = await recoverWallet(message, signatures.wallet);
    return signer === entry.contributor ? { status: "verified", signer } : { status: "signed-by-other", signer };
  } catch (error) {
    if (error instanceof Rejection) return { status: "failed", reason: error.message };
    throw error;
  }
}
