/**
 * Publications as an owner's wallet makes them (prepare the record, sign the typed data, save) and
 * membership records signed the same way, for integration tests and benchmarks.
 */
import crypto from "node:crypto";
import { generatePrivateKey, type PrivateKeyAccount } from "viem/accounts";
import type { Database } from "~/db.server";
import type { Env } from "~/env.server";
import { preparePublicationRecord, prepareMembership, saveMembership, savePublicationRecord } from "~/modules/publications/publications.server";
import { documentToMarkdown } from "~/modules/entries/document.server";
import { canonicalJson, contentDigest, ENTRY_FORMAT_VERSION, entryTags, entryTypedData, type Entry, type EntryContent } from "~/modules/entries/entry";
import { membershipTags, membershipTypedData, PUBLICATION_FORMAT_VERSION, type MembershipFields, type MembershipRecordJson, type RecordRole } from "~/modules/publications/records";
import { createSignedDataItem, type Tag } from "~/modules/storage/data-item.server";
import { bundlerTarget, uploadDataItem } from "~/modules/storage/irys.server";
import { essayDocument, writerOf } from "./entries";

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

/**
 * Signs (as `author`'s wallet does) and stores on the gateway an entry naming `publication` in its
 * content, with an entry's tags, at `timestamp` (seconds); its Arweave id and the entry.
 */
export async function uploadPublicationEntry(env: Env, author: PrivateKeyAccount, publication: `0x${string}`, essay: { title: string; timestamp: number; seed?: number }) {
  const json = essayDocument({ words: 60, seed: essay.seed ?? essay.timestamp });
  const content: EntryContent = { title: essay.title, body: documentToMarkdown(json), json, timestamp: essay.timestamp, publication };
  const digest = await contentDigest(content);
  const signature = await author.signTypedData(entryTypedData({ title: content.title, digest, originalDigest: digest, version: 1, contributor: author.address }));
  const entry: Entry = { format: ENTRY_FORMAT_VERSION, content, digest, originalDigest: digest, version: 1, authorship: { contributor: author.address, signature }, edition: null };
  return { id: await uploadSigned(env, canonicalJson(entry), entryTags(entry)), entry };
}

/** Stores bytes on the gateway under `tags`, sent by a throwaway key: anyone can store anything. */
export async function uploadSigned(env: Env, text: string, tags: Tag[]): Promise<string> {
  const item = await createSignedDataItem(text, tags, generatePrivateKey());
  await uploadDataItem(item, bundlerTarget(env));
  return item.id;
}

/** A membership record of `publication` for `member`, signed by `signer` while naming `owner`, stored with a record's tags. */
export async function uploadMembershipRecord(env: Env, signer: PrivateKeyAccount, owner: `0x${string}`, fields: MembershipFields) {
  const record: MembershipRecordJson = { format: PUBLICATION_FORMAT_VERSION, type: "membership", ...fields, owner, signature: await signer.signTypedData(membershipTypedData(fields)) };
  return uploadSigned(env, canonicalJson(record), membershipTags(record));
}
