/**
 * Membership anyone can verify from a gateway alone (docs/publication-format.md): the publication's
 * records and a member's membership records are found by their tags, each is checked against the
 * owner's signature, and the member's role at a moment follows from the ones that hold.
 */
import { getAddress, isAddress, isHex, type Hex, type VerifyTypedDataParameters } from "viem";
import type { Database } from "~/db.server";
import type { Env } from "~/env.server";
import { checkSignature, createChainClient, type ChainClient } from "~/modules/editions/chain.server";
import { APP_NAME } from "~/modules/entries/entry";
import { fetchData, findByTags, type FoundTransaction } from "~/modules/storage/gateway.server";
import {
  decidingRecord,
  membershipTypedData,
  publicationId,
  publicationTypedData,
  RECORD_ROLES,
  roleAt,
  type MembershipRecordJson,
  type PublicationRecord,
  type RecordRole,
  type Role,
} from "./records";

/** A record found under the publication's tags that does not hold, and why: reported, never counted. */
export interface ForgedRecord {
  arweaveId: string;
  reason: string;
}

/** A record that holds: as stored (its JSON) and parsed. */
export interface ValidRecord<T> {
  arweaveId: string;
  record: T;
  json: string;
}

const HEX32 = /^0x[0-9a-f]{64}$/;

async function readJson(tx: FoundTransaction, gatewayUrl: string): Promise<{ json: string; value: Record<string, unknown> } | string> {
  const bytes = await fetchData(tx.id, gatewayUrl);
  if (!bytes) return "the gateway lists it but does not serve its data (yet)";
  const json = bytes.toString("utf8");
  try {
    const value = JSON.parse(json) as unknown;
    if (typeof value !== "object" || value === null || Array.isArray(value)) return "its data is not a JSON object";
    return { json, value: value as Record<string, unknown> };
  } catch {
    return "its data is not JSON";
  }
}

/** Reads each listed record and sorts it by `problem`: none, it holds; otherwise it is reported. */
async function sortRecords<T>(listed: FoundTransaction[], gatewayUrl: string, problem: (value: Record<string, unknown>) => Promise<string | undefined>) {
  const valid: Array<ValidRecord<T>> = [];
  const forged: ForgedRecord[] = [];
  for (const tx of listed) {
    const read = await readJson(tx, gatewayUrl);
    const reason = typeof read === "string" ? read : await problem(read.value);
    if (typeof read === "string" || reason !== undefined) forged.push({ arweaveId: tx.id, reason: reason! });
    else valid.push({ arweaveId: tx.id, record: read.value as T, json: read.json });
  }
  return { valid, forged };
}

const signedBy = (chain: ChainClient, address: `0x${string}`, signature: Hex, typedData: object) =>
  checkSignature(chain, { typedData: { address, signature, ...typedData } as VerifyTypedDataParameters });

/** Why a publication record does not hold for `id`, or undefined when it does. */
async function publicationProblem(chain: ChainClient, id: string, value: Record<string, unknown>): Promise<string | undefined> {
  const { owner, salt, handle, name, description, timestamp, signature } = value;
  if (value.type !== "publication") return "it is not a publication record";
  if (value.id !== id) return `it names another publication (${String(value.id)})`;
  if (typeof owner !== "string" || !isAddress(owner, { strict: false })) return "its owner is not an address";
  if (typeof salt !== "string" || !HEX32.test(salt)) return "its salt is not 32 bytes of lower-case hex";
  if (typeof handle !== "string" || typeof name !== "string" || typeof description !== "string") return "its handle, name or description is missing";
  if (typeof timestamp !== "number" || !Number.isSafeInteger(timestamp) || timestamp < 0) return "its timestamp is not a time";
  if (typeof signature !== "string" || !isHex(signature)) return "its signature is missing";
  const ownerAddress = getAddress(owner);
  // The id binds the owner: a record naming anyone else cannot be this publication's.
  if (publicationId(ownerAddress, salt as `0x${string}`) !== id) return `its owner ${ownerAddress} and salt do not make the publication's id: it claims a publication that is not theirs`;
  const fields = { id: id as `0x${string}`, owner: ownerAddress, salt: salt as `0x${string}`, handle, name, description, timestamp };
  if (!(await signedBy(chain, ownerAddress, signature as Hex, publicationTypedData(fields)))) return `its signature is not ${ownerAddress}'s signature of this record`;
  return undefined;
}

/** Why a membership record does not hold for `id` and its owner, or undefined when it does. */
async function membershipProblem(chain: ChainClient, id: string, owner: `0x${string}`, value: Record<string, unknown>): Promise<string | undefined> {
  const { member, role, from, signature } = value;
  if (value.type !== "membership") return "it is not a membership record";
  if (value.publication !== id) return `it names another publication (${String(value.publication)})`;
  if (typeof member !== "string" || !isAddress(member, { strict: false })) return "its member is not an address";
  if (typeof role !== "string" || !RECORD_ROLES.includes(role as RecordRole)) return `its role ${JSON.stringify(role)} is not one of ${RECORD_ROLES.join(", ")}`;
  if (typeof from !== "number" || !Number.isSafeInteger(from) || from < 0) return "its time is not a time";
  if (typeof signature !== "string" || !isHex(signature)) return "its signature is missing";
  const fields = { publication: id as `0x${string}`, member: getAddress(member), role: role as RecordRole, from };
  if (!(await signedBy(chain, owner, signature as Hex, membershipTypedData(fields)))) return `it is not signed by the publication's owner ${owner}`;
  return undefined;
}

/**
 * The publication's records that hold, oldest first (the latest names it now), and those that do
 * not. A record holds when its owner and salt make the id and the owner signed it.
 */
export async function findPublicationRecords(env: Pick<Env, "chain" | "storage">, id: string) {
  const chain = createChainClient(env.chain.rpcUrl, env.chain.id);
  const listed = await findByTags(
    [
      { name: "App-Name", values: [APP_NAME] },
      { name: "Type", values: ["publication"] },
      { name: "Publication", values: [id] },
    ],
    env.storage.gatewayUrl,
  );
  const { valid, forged } = await sortRecords<PublicationRecord>(listed, env.storage.gatewayUrl, (value) => publicationProblem(chain, id, value));
  valid.sort((a, b) => a.record.timestamp - b.record.timestamp || (a.arweaveId < b.arweaveId ? -1 : 1));
  return { valid, forged };
}

/**
 * The membership records of a publication (of one member when `member` is given) that its owner
 * signed, and those that are not the owner's (forged, reported).
 */
export async function findMembershipRecords(env: Pick<Env, "chain" | "storage">, id: string, owner: `0x${string}`, member?: string) {
  const chain = createChainClient(env.chain.rpcUrl, env.chain.id);
  const listed = await findByTags(
    [
      { name: "App-Name", values: [APP_NAME] },
      { name: "Type", values: ["membership"] },
      { name: "Publication", values: [id] },
      ...(member ? [{ name: "Member", values: [member.toLowerCase()] }] : []),
    ],
    env.storage.gatewayUrl,
  );
  return sortRecords<MembershipRecordJson>(listed, env.storage.gatewayUrl, async (value) =>
    member && String(value.member).toLowerCase() !== member.toLowerCase() ? `it is about ${String(value.member)}, tagged as ${member}'s` : membershipProblem(chain, id, owner, value),
  );
}

/** Whether `member` belonged to the publication at `at`, as the gateway's records prove it. */
export interface MembershipProof {
  publication: `0x${string}`;
  /** The latest valid publication record's name, or the id when none holds. */
  name: string;
  owner: `0x${string}` | null;
  /** The latest valid publication record's Arweave id. */
  recordId: string | null;
  member: `0x${string}`;
  at: number;
  role: Role | null;
  /** The owner's membership record that gives the role (none for the owner, nor when not proven). */
  grant: { arweaveId: string; role: RecordRole; from: number } | null;
  /** Records under the publication's tags that were ignored, and why. */
  forged: ForgedRecord[];
}

/** Proves (or not) that `member` held a role in publication `id` at `at` (seconds), from the gateway alone. */
export async function proveMembership(env: Pick<Env, "chain" | "storage">, id: `0x${string}`, member: `0x${string}`, at: number): Promise<MembershipProof> {
  const publications = await findPublicationRecords(env, id);
  const latest = publications.valid.at(-1);
  const proof: MembershipProof = { publication: id, name: latest?.record.name ?? id, owner: null, recordId: latest?.arweaveId ?? null, member, at, role: null, grant: null, forged: [...publications.forged] };
  if (!latest) return proof;
  const owner = getAddress(latest.record.owner);
  proof.owner = owner;
  const memberships = await findMembershipRecords(env, id, owner, member);
  proof.forged.push(...memberships.forged);
  const facts = memberships.valid.map(({ arweaveId, record }) => ({ arweaveId, member: record.member, role: record.role, from: record.from }));
  proof.role = roleAt(facts, owner, member, at);
  if (proof.role && proof.role !== "owner") {
    const { arweaveId, role, from } = decidingRecord(facts, member, at)!;
    proof.grant = { arweaveId, role, from };
  }
  return proof;
}

/** The verdict in a few words: "signed by 0x… (writer of Name)" or "signed by 0x…, not proven a member of Name". */
export function describeMembership(proof: MembershipProof): string {
  return proof.role ? `signed by ${proof.member} (${proof.role} of ${proof.name})` : `signed by ${proof.member}, not proven a member of ${proof.name}`;
}

/**
 * The publication that imported a Mirror contributor's archive (`Publication.mirrorAddress`), by
 * its id: the one link a Mirror entry's proof takes from this press, its owner's choice. What the
 * signer may do there is still proven from Arweave alone (proveMembership).
 */
export function mirrorPublicationLookup(db: Database) {
  return async (contributor: `0x${string}`): Promise<`0x${string}` | null> => {
    const publication = await db.publication.findFirst({ where: { mirrorAddress: contributor.toLowerCase() }, orderBy: { createdAt: "asc" }, select: { account: { select: { address: true } } } });
    return (publication?.account.address as `0x${string}` | undefined) ?? null;
  };
}
