/**
 * Restoring a publication from Arweave alone: its account and details from its latest record that
 * holds, and its membership records from those its owner signed. Records that do not hold are
 * skipped and reported; running it again adds nothing.
 */
import { getAddress } from "viem";
import type { Database } from "~/db.server";
import type { Env } from "~/env.server";
import { UserError } from "~/modules/errors.server";
import { writerForAddress } from "~/modules/writers/profile.server";
import { findMembershipRecords, findPublicationRecords, type ForgedRecord } from "./verify.server";

const PUBLICATION_ID = /^0x[0-9a-f]{64}$/;

/** A publication id as given on a command line, lower-case; refused with a clear message otherwise. */
export function parsePublicationId(input: string): `0x${string}` {
  const id = input.trim().toLowerCase();
  if (!PUBLICATION_ID.test(id)) throw new UserError(`"${input}" is not a publication id (0x followed by 64 hex digits).`);
  return id as `0x${string}`;
}

export interface PublicationRestore {
  publication: `0x${string}`;
  /** The publication's account (Writer id). */
  accountId: string;
  name: string;
  /** Whether its account was made now (false: it was here already and is brought to its latest record). */
  created: boolean;
  membersRestored: number;
  membersPresent: number;
  /** Records under its tags that do not hold: another owner's, another key's, or changed after signing. */
  skipped: ForgedRecord[];
}

/**
 * Restores publication `id` from the gateway's records (findPublicationRecords and
 * findMembershipRecords check each against the owner's signature). Refuses (UserError) when no
 * record of the publication holds, or when its handle belongs to another account here.
 */
export async function restorePublication(db: Database, env: Pick<Env, "chain" | "storage">, id: `0x${string}`): Promise<PublicationRestore> {
  const records = await findPublicationRecords(env, id);
  const latest = records.valid.at(-1);
  if (!latest) throw new UserError(`No record of publication ${id} signed by its owner is on ${env.storage.gatewayUrl}.`, 404);
  const { record } = latest;
  const owner = getAddress(record.owner);
  const memberships = await findMembershipRecords(env, id, owner);

  const ownerWriter = await writerForAddress(db, owner);
  const profile = { handle: record.handle, displayName: record.name, bio: record.description || null };
  const details = { recordJson: latest.json, recordId: latest.arweaveId, recordTimestamp: record.timestamp };
  const existing = await db.writer.findUnique({ where: { address: id }, select: { id: true, publication: { select: { recordTimestamp: true } } } });
  // A record saved here and not yet on the gateway is newer than the gateway's: it stays.
  const newer = !existing?.publication || existing.publication.recordTimestamp < record.timestamp;
  const holder = newer && (await db.writer.findFirst({ where: { handle: record.handle, NOT: { address: id } }, select: { address: true } }));
  if (holder) throw new UserError(`Cannot restore publication ${id}: its handle “${record.handle}” belongs to ${holder.address} in this database.`, 409);
  const account = !existing
    ? await db.writer.create({ data: { address: id, kind: "publication", ...profile } })
    : newer
      ? await db.writer.update({ where: { id: existing.id }, data: profile })
      : existing;
  if (newer) {
    await db.publication.upsert({
      where: { writerId: account.id },
      create: { writerId: account.id, ownerId: ownerWriter.id, ownerAddress: owner.toLowerCase(), salt: record.salt, ...details },
      update: details,
    });
  }

  const present = new Set((await db.membershipRecord.findMany({ where: { arweaveId: { in: memberships.valid.map((item) => item.arweaveId) } }, select: { arweaveId: true } })).map((row) => row.arweaveId));
  const missing = memberships.valid.filter((item) => !present.has(item.arweaveId));
  await db.membershipRecord.createMany({
    data: missing.map(({ arweaveId, record: membership, json }) => ({
      publicationId: account.id,
      member: membership.member.toLowerCase(),
      role: membership.role,
      from: membership.from,
      signature: membership.signature,
      json,
      arweaveId,
    })),
  });
  return {
    publication: id,
    accountId: account.id,
    name: record.name,
    created: !existing,
    membersRestored: missing.length,
    membersPresent: present.size,
    skipped: [...records.forged, ...memberships.forged],
  };
}

/** The restore as lines for a terminal. */
export function formatPublicationRestore(restore: PublicationRestore): string {
  return [
    `publication        ${restore.name} (${restore.publication})${restore.created ? ", restored" : ", already here: brought to its latest record"}`,
    `membership records ${restore.membersRestored} restored, ${restore.membersPresent} already present`,
    `records skipped    ${restore.skipped.length}`,
    ...restore.skipped.map((item) => `  ${item.arweaveId}  ${item.reason}`),
  ].join("\n");
}
