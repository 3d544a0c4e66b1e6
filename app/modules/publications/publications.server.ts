import crypto from "node:crypto";
import { getAddress, isAddress, isHex, type Hex, type VerifyTypedDataParameters } from "viem";
import { z } from "zod";
import type { Database } from "~/db.server";
import type { Env } from "~/env.server";
import { checkSignature, createChainClient } from "~/modules/editions/chain.server";
import { canonicalJson } from "~/modules/entries/entry";
import { verdictStatusOf } from "~/modules/entries/mirror.server";
import { UserError } from "~/modules/errors.server";
import { queueRecord } from "~/modules/storage/uploads.server";
import { unpublishableProblem } from "~/modules/text.server";
import { handleSchema } from "~/modules/writers/profile.server";
import {
  can,
  membershipTags,
  membershipTypedData,
  PUBLICATION_FORMAT_VERSION,
  publicationId,
  publicationTags,
  publicationTypedData,
  RECORD_ROLES,
  roleAt,
  type MembershipFact,
  type MembershipRecordJson,
  type PublicationAction,
  type PublicationFields,
  type PublicationRecord,
  type RecordRole,
  type Role,
} from "./records";

/** A signature is accepted for a record prepared at most this long ago. */
const SIGNING_WINDOW_S = 30 * 60;
/** A revocation may not reach back further than this: what a member published stays proven. */
const REVOCATION_SLACK_S = 5 * 60;

const publishable = (what: string) => (value: string, context: z.RefinementCtx) => {
  const problem = unpublishableProblem(value, what);
  if (problem) context.addIssue({ code: "custom", message: problem });
};

const publicationProfileSchema = z.object({
  handle: handleSchema,
  name: z.string().superRefine(publishable("The name")).trim().min(1, "Give the publication a name.").max(80, "A name has at most 80 characters."),
  description: z.string().superRefine(publishable("The description")).trim().max(500, "A description has at most 500 characters."),
});

export type PublicationProfileInput = z.input<typeof publicationProfileSchema>;

interface Signer {
  id: string;
  address: string;
}

function parseProfile(input: PublicationProfileInput) {
  const parsed = publicationProfileSchema.safeParse(input);
  if (!parsed.success) throw new UserError(parsed.error.issues.map((issue) => issue.message).join(" "), 422);
  return parsed.data;
}

async function handleFree(db: Database, handle: string, except?: string) {
  const taken = await db.writer.findFirst({ where: { handle, ...(except ? { NOT: { id: except } } : {}) }, select: { id: true } });
  if (taken) throw new UserError(`The handle “${handle}” is taken.`, 409);
}

function signedInWindow(timestamp: unknown, now: Date): number {
  if (typeof timestamp !== "number" || !Number.isSafeInteger(timestamp)) throw new UserError("The signing time is missing.");
  const nowS = Math.floor(now.getTime() / 1000);
  if (timestamp > nowS + 60 || timestamp < nowS - SIGNING_WINDOW_S) throw new UserError("This signature is too old: sign again.", 422);
  return timestamp;
}

function signatureOf(value: unknown): Hex {
  if (typeof value !== "string" || !isHex(value)) throw new UserError("The signature is missing or not hex.");
  return value;
}

async function signedBy(env: Env, address: `0x${string}`, signature: Hex, typedData: ReturnType<typeof publicationTypedData> | ReturnType<typeof membershipTypedData>) {
  const chain = createChainClient(env.chain.rpcUrl, env.chain.id);
  return checkSignature(chain, { typedData: { address, signature, ...typedData } as VerifyTypedDataParameters });
}

/**
 * Step one of creating (or renaming) a publication: the record the owner's wallet signs. A new
 * publication gets a fresh salt, and so a fresh id; an existing one keeps its id and owner.
 */
export async function preparePublicationRecord(db: Database, owner: Signer, input: PublicationProfileInput & { publicationId?: string }, now = new Date()) {
  const profile = parseProfile(input);
  const ownerAddress = getAddress(owner.address);
  let salt: `0x${string}`;
  let timestamp = Math.floor(now.getTime() / 1000);
  if (input.publicationId) {
    const existing = await ownedPublication(db, owner, input.publicationId);
    salt = existing.salt as `0x${string}`;
    await handleFree(db, profile.handle, existing.writerId);
    // The latest record names the publication: a change within the second of the last one still comes after it.
    timestamp = Math.max(timestamp, existing.recordTimestamp + 1);
  } else {
    salt = `0x${crypto.randomBytes(32).toString("hex")}`;
    await handleFree(db, profile.handle);
  }
  const fields: PublicationFields = {
    id: publicationId(ownerAddress, salt),
    owner: ownerAddress,
    salt,
    handle: profile.handle,
    name: profile.name,
    description: profile.description,
    timestamp,
  };
  return { fields, typedData: publicationTypedData(fields) };
}

/**
 * Step two: checks the owner's signature over the record, then creates the publication's account
 * and details (or updates them) and queues the record for Arweave, in one transaction.
 */
export async function savePublicationRecord(
  db: Database,
  env: Env,
  owner: Signer,
  input: PublicationProfileInput & { salt: unknown; timestamp: unknown; signature: unknown },
  now = new Date(),
) {
  const profile = parseProfile(input);
  if (typeof input.salt !== "string" || !/^0x[0-9a-f]{64}$/.test(input.salt)) throw new UserError("The publication's salt is missing.");
  const timestamp = signedInWindow(input.timestamp, now);
  const signature = signatureOf(input.signature);
  const ownerAddress = getAddress(owner.address);
  const salt = input.salt as `0x${string}`;
  const id = publicationId(ownerAddress, salt);
  const account = await db.writer.findUnique({ where: { address: id }, include: { publication: true } });
  if (account && account.publication?.ownerId !== owner.id) throw new UserError("Only the publication's owner can change it.", 403);
  if (account?.publication && timestamp <= account.publication.recordTimestamp) throw new UserError("A newer record of this publication is already saved.", 409);
  await handleFree(db, profile.handle, account?.id);
  const fields: PublicationFields = { id, owner: ownerAddress, salt, handle: profile.handle, name: profile.name, description: profile.description, timestamp };
  if (!(await signedBy(env, ownerAddress, signature, publicationTypedData(fields)))) throw new UserError("The signature does not match this publication and your address.", 401);
  const record: PublicationRecord = { format: PUBLICATION_FORMAT_VERSION, type: "publication", ...fields, signature };
  const json = canonicalJson(record);
  const recordId = await queueRecord(db, env, owner.id, json, publicationTags(record), now);
  const details = { recordJson: json, recordId, recordTimestamp: timestamp };
  try {
    return await db.$transaction(async (tx) => {
      if (account) {
        await tx.writer.update({ where: { id: account.id }, data: { handle: profile.handle, displayName: profile.name, bio: profile.description || null } });
        await tx.publication.update({ where: { writerId: account.id }, data: details });
        return { id: account.id, publicationId: id, handle: profile.handle, recordId };
      }
      const created = await tx.writer.create({ data: { address: id, kind: "publication", handle: profile.handle, displayName: profile.name, bio: profile.description || null } });
      await tx.publication.create({ data: { writerId: created.id, ownerId: owner.id, ownerAddress: ownerAddress.toLowerCase(), salt, ...details } });
      return { id: created.id, publicationId: id, handle: profile.handle, recordId };
    });
  } catch (error) {
    if ((error as { code?: string }).code === "P2002") throw new UserError(`The handle “${profile.handle}” is taken.`, 409);
    throw error;
  }
}

/**
 * The publication (account and details) `owner` owns, or a 404/403 UserError: for the records only
 * the owner's wallet signs, so it checks the owner outright and hands back the row the record needs
 * (requireRole would read it again).
 */
export async function ownedPublication(db: Database, owner: Signer, accountId: string) {
  const publication = await db.publication.findUnique({ where: { writerId: accountId }, include: { account: true } });
  if (!publication) throw new UserError("There is no such publication.", 404);
  if (publication.ownerId !== owner.id) throw new UserError("Only the publication's owner can do that.", 403);
  return publication;
}

function parseMembership(input: { member: unknown; role: unknown; from: unknown }) {
  if (typeof input.member !== "string" || !isAddress(input.member.trim(), { strict: false })) throw new UserError("The member must be a wallet address (0x followed by 40 hex digits).", 422);
  if (typeof input.role !== "string" || !RECORD_ROLES.includes(input.role as RecordRole)) throw new UserError(`The role must be one of ${RECORD_ROLES.join(", ")}.`, 422);
  if (typeof input.from !== "number" || !Number.isSafeInteger(input.from) || input.from < 0) throw new UserError("The time the role holds from is missing.", 422);
  return { member: getAddress(input.member.trim()), role: input.role as RecordRole, from: input.from };
}

/**
 * Step one of granting or revoking a role: the membership record the owner's wallet signs. A grant
 * may hold from an earlier time (an imported archive's entries are then proven from it); a
 * revocation holds from now at the earliest, so what a member published while a member stays proven.
 */
export async function prepareMembership(db: Database, owner: Signer, accountId: string, input: { member: unknown; role: unknown; from?: unknown }, now = new Date()) {
  const publication = await ownedPublication(db, owner, accountId);
  const nowS = Math.floor(now.getTime() / 1000);
  const fields = parseMembership({ member: input.member, role: input.role, from: input.from ?? nowS });
  checkMembership(publication, fields, nowS);
  return { fields: { publication: publication.account.address as `0x${string}`, ...fields }, typedData: membershipTypedData({ publication: publication.account.address as `0x${string}`, ...fields }) };
}

function checkMembership(publication: { ownerAddress: string }, fields: { member: `0x${string}`; role: RecordRole; from: number }, nowS: number) {
  if (fields.member.toLowerCase() === publication.ownerAddress) throw new UserError("The owner is always a member; their role cannot be changed.", 422);
  if (fields.from > nowS + 60) throw new UserError("A role cannot start in the future.", 422);
  if (fields.role === "revoked" && fields.from < nowS - REVOCATION_SLACK_S) throw new UserError("A revocation holds from now: it cannot reach back over entries already published.", 422);
}

/** Step two: checks the owner's signature, stores the record and queues it for Arweave. */
export async function saveMembership(db: Database, env: Env, owner: Signer, accountId: string, input: { member: unknown; role: unknown; from: unknown; signature: unknown }, now = new Date()) {
  const publication = await ownedPublication(db, owner, accountId);
  const fields = parseMembership(input);
  checkMembership(publication, fields, Math.floor(now.getTime() / 1000));
  const signature = signatureOf(input.signature);
  const ownerAddress = getAddress(publication.ownerAddress);
  const typed = { publication: publication.account.address as `0x${string}`, ...fields };
  if (!(await signedBy(env, ownerAddress, signature, membershipTypedData(typed)))) throw new UserError("The signature is not the owner's signature of this membership.", 401);
  const record: MembershipRecordJson = { format: PUBLICATION_FORMAT_VERSION, type: "membership", ...typed, owner: ownerAddress, signature };
  const json = canonicalJson(record);
  const arweaveId = await queueRecord(db, env, owner.id, json, membershipTags(record), now);
  const existing = await db.membershipRecord.findUnique({ where: { arweaveId } });
  if (existing) return existing;
  // The account's time moves with its members: its pages and its entries' pages (whose proofs
  // depend on them) are then no longer the copies readers hold.
  const [created] = await db.$transaction([
    db.membershipRecord.create({ data: { publicationId: accountId, member: fields.member.toLowerCase(), role: fields.role, from: fields.from, signature, json, arweaveId } }),
    db.writer.update({ where: { id: accountId }, data: { updatedAt: now } }),
  ]);
  return created;
}

/** The role `address` holds at `at` in the publication owned by `ownerAddress`, from its membership records. */
async function roleFromRecords(db: Database, accountId: string, ownerAddress: string, address: string, at: number): Promise<Role | null> {
  const records = await db.membershipRecord.findMany({ where: { publicationId: accountId, member: address.toLowerCase() }, select: { member: true, role: true, from: true } });
  return roleAt(records as MembershipFact[], ownerAddress, address, at);
}

/** The role `address` holds in a publication (by account id) at `at` (seconds; now by default). */
export async function roleIn(db: Database, accountId: string, address: string, at = Math.floor(Date.now() / 1000)): Promise<Role | null> {
  const publication = await db.publication.findUnique({ where: { writerId: accountId }, select: { ownerAddress: true } });
  return publication ? roleFromRecords(db, accountId, publication.ownerAddress, address, at) : null;
}

/** The role `address` holds in the publication now, or 404 (no such publication) / 403 (not a member). */
export async function requireMember(db: Database, accountId: string, address: string, now = new Date()): Promise<Role> {
  const publication = await db.publication.findUnique({ where: { writerId: accountId }, select: { ownerAddress: true } });
  if (!publication) throw new UserError("There is no such publication.", 404);
  const role = await roleFromRecords(db, accountId, publication.ownerAddress, address, Math.floor(now.getTime() / 1000));
  if (!role) throw new UserError("You are not a member of this publication.", 403);
  return role;
}

/** Throws 403 (404 for no publication) unless `address` may do `action` in the publication now. */
export async function requireRole(db: Database, accountId: string, address: string, action: PublicationAction, now = new Date()): Promise<Role> {
  const role = await requireMember(db, accountId, address, now);
  if (!can(role, action)) throw new UserError(`A ${role} of this publication cannot do that.`, 403);
  return role;
}

/** The publications a writer belongs to now (owns, or holds a role in by the owner's records), with their role in each. */
export async function publicationsOf(db: Database, writer: Signer, now = new Date()) {
  const nowS = Math.floor(now.getTime() / 1000);
  const records = (await db.membershipRecord.findMany({ where: { member: writer.address.toLowerCase() }, select: { publicationId: true, member: true, role: true, from: true } })) as Array<
    MembershipFact & { publicationId: string }
  >;
  const publications = await db.publication.findMany({
    where: { OR: [{ ownerId: writer.id }, { writerId: { in: [...new Set(records.map((record) => record.publicationId))] } }] },
    include: { account: true },
    orderBy: { createdAt: "asc" },
  });
  return publications.flatMap((publication) => {
    // roleAt names the owner by address: the owner's writer is the one at that address.
    const role = roleAt(records.filter((record) => record.publicationId === publication.writerId), publication.ownerAddress, writer.address, nowS);
    return role ? [{ publication, role }] : [];
  });
}

/**
 * What an entry imported from a Mirror publication's archive shows beside its Mirror verdict: a
 * version signed by someone other than the archive's contributor is proven by its signer's role in
 * the publication at the version's time, from the owner's signed records (the proof page reads the
 * same records from the gateway). Any other verdict stands as it was stored.
 */
export async function importedVerdict(db: Database, entry: { publicationId: string | null; verification: string; signer: string; publicationName: string }, at: number) {
  const state = verdictStatusOf(entry.verification);
  if (!entry.publicationId || state !== "signed-by-other") return { state, verification: entry.verification };
  const role = await roleIn(db, entry.publicationId, entry.signer, at);
  const signer = getAddress(entry.signer);
  return role
    ? { state: "verified" as const, verification: `verified: signed by ${signer} (${role} of ${entry.publicationName})` }
    : { state, verification: `signed by ${signer}, not proven a member of ${entry.publicationName}` };
}

/** The publication behind an account, for pages: null for a writer's own account. */
export async function publicationOfAccount(db: Database, accountId: string) {
  return db.publication.findUnique({ where: { writerId: accountId }, include: { account: true, owner: { select: { id: true, address: true, handle: true, displayName: true } } } });
}
