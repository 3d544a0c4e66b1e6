/**
 * Publications as an owner's wallet makes them (prepare the record, sign the typed data, save) and
 * membership records signed the same way, for integration tests and benchmarks.
 */
import crypto from "node:crypto";
import type { PrivateKeyAccount } from "viem/accounts";
import type { Database } from "~/db.server";
import type { Env } from "~/env.server";
import { preparePublicationRecord, prepareMembership, saveMembership, savePublicationRecord } from "~/modules/publications/publications.server";
import type { RecordRole } from "~/modules/publications/records";
import { writerOf } from "./entries";

/** Creates a publication owned by `owner`'s wallet; returns its account id, publication id and handle. */
export async function createPublication(
  db: Database,
  env: Env,
  owner: PrivateKeyAccount,
  profile: { handle?: string; name?: string; description?: string } = {},
  now = new Date(),
) {
  const writer = await writerOf(db, owner);
  const input = {
    handle: profile.handle ?? `pub-${crypto.randomBytes(4).toString("hex")}`,
    name: profile.name ?? "The Quarterly",
    description: profile.description ?? "Essays by several hands.",
  };
  const prepared = await preparePublicationRecord(db, writer, input, now);
  const signature = await owner.signTypedData(prepared.typedData);
  return savePublicationRecord(db, env, writer, { ...input, salt: prepared.fields.salt, timestamp: prepared.fields.timestamp, signature }, now);
}

/** Grants (or revokes, with role "revoked") a role from `from` (seconds; now by default), signed by the owner. */
export async function signMembership(
  db: Database,
  env: Env,
  owner: PrivateKeyAccount,
  accountId: string,
  member: string,
  role: RecordRole,
  from?: number,
  now = new Date(),
) {
  const writer = await writerOf(db, owner);
  const prepared = await prepareMembership(db, writer, accountId, { member, role, from }, now);
  const signature = await owner.signTypedData(prepared.typedData);
  return saveMembership(db, env, writer, accountId, { member, role, from: prepared.fields.from, signature }, now);
}
