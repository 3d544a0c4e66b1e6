import { getAddress, isHex, type Hex } from "viem";
import type { Database } from "~/db.server";
import type { Env } from "~/env.server";
import { checkSignature, createChainClient } from "~/modules/editions/chain.server";
import { UserError } from "~/modules/errors.server";
import { createSignedDataItem } from "~/modules/storage/data-item.server";
import { chargeWriter } from "~/modules/storage/quota.server";
import { enqueueEntryActivity } from "~/modules/federation/outbox.server";
import { enqueueNewsletter } from "~/modules/newsletters/newsletters.server";
import { documentStats, documentToMarkdown } from "./document.server";
import { storedHtml } from "./html.server";
import { findDraft, requireDraftRole, slugify } from "./drafts.server";
import { claimSlug, entrySummary } from "./listing.server";
import { canonicalJson, contentDigest, entryTags, entryTypedData, ENTRY_FORMAT_VERSION, type Entry, type EntryContent } from "./entry";
import type { TiptapDocument } from "./extensions";
import { uploadQueued } from "~/modules/storage/outbox.server";

/** A signature is accepted for a publication prepared at most this long ago. */
const SIGNING_WINDOW_S = 30 * 60;

interface PublishSource {
  draft: { id: string; title: string; document: TiptapDocument; revision: number; entryId: string | null };
  /** The entry this draft edits, if it edits one, with its latest version's title and document. */
  entry: { id: string; originalDigest: string; latestVersion: number; latest: { title: string; json: TiptapDocument } } | null;
  /** The draft's author, whose entry it is (or becomes) whoever publishes it. */
  author: { id: string; handle: string | null };
  /** The publication the entry is published into (its account), or null for the author's own page. */
  publication: { accountId: string; id: `0x${string}`; handle: string | null } | null;
}

/**
 * The draft as `writer` may publish it at each of `moments`: their own, or, as an editor or owner
 * of its publication, another member's. A role missing at any of them is refused with a 403.
 */
async function loadSource(db: Database, writer: { id: string; address: string }, draftId: string, moments: Date[]): Promise<PublishSource> {
  const draft = await findDraft(db, writer.id, draftId);
  // The author's own draft needs them a member where it goes; another member's, its editor or owner.
  for (const at of moments) await requireDraftRole(db, draft, writer, at);
  let entry: PublishSource["entry"] = null;
  if (draft.entryId) {
    const edited = await db.entry.findUniqueOrThrow({ where: { id: draft.entryId }, select: { id: true, originalDigest: true, latestVersion: true, publicationId: true } });
    // Saving refuses to move such a draft; an entry's versions all name the publication of its first.
    if (edited.publicationId !== draft.publicationId) throw new UserError("A published entry stays where it was published: choose its publication again.", 409);
    const latest = await db.entryVersion.findUniqueOrThrow({ where: { entryId_version: { entryId: edited.id, version: edited.latestVersion } }, select: { entryJson: true } });
    const { content } = JSON.parse(latest.entryJson) as { content: { title: string; json: TiptapDocument } };
    entry = { id: edited.id, originalDigest: edited.originalDigest, latestVersion: edited.latestVersion, latest: { title: content.title, json: content.json } };
  }
  const author = await db.writer.findUniqueOrThrow({ where: { id: draft.writerId }, select: { id: true, handle: true } });
  const account = draft.publicationId ? await db.writer.findUniqueOrThrow({ where: { id: draft.publicationId }, select: { id: true, address: true, handle: true } }) : null;
  return {
    draft: { id: draft.id, title: draft.title, document: JSON.parse(draft.content) as TiptapDocument, revision: draft.revision, entryId: draft.entryId },
    entry,
    author,
    publication: account && { accountId: account.id, id: account.address as `0x${string}`, handle: account.handle },
  };
}

/** What gets signed and stored for a draft at a moment: everything but the signature. */
async function unsignedEntry(source: PublishSource, contributor: `0x${string}`, timestamp: number) {
  const { draft, entry } = source;
  if (!draft.title.trim()) throw new UserError("Give the essay a title before publishing.", 422);
  if (documentStats(draft.document).words === 0) throw new UserError("There is nothing to publish yet: the essay is empty.", 422);
  if (entry && entry.latest.title === draft.title && canonicalJson(entry.latest.json) === canonicalJson(draft.document)) {
    throw new UserError(`Nothing changed since version ${entry.latestVersion}: edit the essay to publish a new version.`, 409);
  }
  const content: EntryContent = {
    title: draft.title,
    body: documentToMarkdown(draft.document),
    json: draft.document,
    timestamp,
    ...(source.publication ? { publication: source.publication.id } : {}),
  };
  const digest = await contentDigest(content);
  const version = entry ? entry.latestVersion + 1 : 1;
  const originalDigest = entry ? entry.originalDigest : digest;
  return { content, digest, originalDigest, version, typedData: entryTypedData({ title: content.title, digest, originalDigest, version, contributor }) };
}

/**
 * Step one of publishing: the exact entry the writer's wallet is asked to sign (EIP-712), for the
 * draft as saved at `revision`. Nothing is stored; the server rebuilds the same entry on publish.
 * The one who publishes signs (the contributor), even an editor publishing another member's
 * draft: the signature says who put the text out; the entry stays its author's.
 */
export async function preparePublication(db: Database, writer: { id: string; address: string }, draftId: string, now = new Date()) {
  const source = await loadSource(db, writer, draftId, [now]);
  const timestamp = Math.floor(now.getTime() / 1000);
  const prepared = await unsignedEntry(source, getAddress(writer.address), timestamp);
  return { revision: source.draft.revision, timestamp, digest: prepared.digest, version: prepared.version, typedData: prepared.typedData };
}

/** A new entry's address taken meanwhile: the unique key on (writer, slug) or (publication, slug). */
const isSlugClash = (error: unknown) => (error as { code?: string }).code === "P2002" && JSON.stringify((error as { meta?: unknown }).meta ?? {}).includes("slug");

/** A slug free among the author's entries and, for an entry in a publication, among the publication's. */
async function uniqueSlug(db: Database, source: PublishSource, title: string): Promise<string> {
  const under = [{ writerId: source.author.id }, ...(source.publication ? [{ publicationId: source.publication.accountId }] : [])];
  const taken = await db.entry.findMany({ where: { OR: under, slug: { startsWith: slugify(title) } }, select: { slug: true } });
  return claimSlug(new Set(taken.map((entry) => entry.slug)), title);
}

export interface PublishResult {
  entryId: string;
  slug: string;
  version: number;
  arweaveId: string;
  digest: string;
  status: string;
  /** The handle the entry is read under: its publication's, or its author's. */
  handle: string | null;
}

/**
 * Step two: checks the author's signature over the rebuilt entry (plain, ERC-1271 and ERC-6492
 * wallets), signs the data item with the platform key, and writes the version with its data item
 * (the outbox) in one transaction. Then it tries the upload at once; if that fails the outbox
 * worker retries with the same bytes. Publishing the same signed version twice changes nothing.
 * Into a publication, the role is checked again (a member revoked since preparing is refused and
 * nothing is written); the entry is its author's, the upload counts against the one publishing,
 * and the newsletter and the social-web activity go out from the publication's account.
 */
export async function publishDraft(
  db: Database,
  env: Env,
  writer: { id: string; address: string },
  input: { draftId: string; revision: unknown; timestamp: unknown; signature: unknown },
  now = new Date(),
): Promise<PublishResult> {
  if (typeof input.signature !== "string" || !isHex(input.signature)) throw new UserError("The signature is missing or not hex.");
  if (typeof input.timestamp !== "number" || !Number.isSafeInteger(input.timestamp)) throw new UserError("The publication time is missing.");
  const nowS = Math.floor(now.getTime() / 1000);
  if (input.timestamp > nowS + 60 || input.timestamp < nowS - SIGNING_WINDOW_S) throw new UserError("This signature is too old: publish again to sign a fresh one.", 422);

  // The role must hold when the entry says it was signed (what a verifier checks) and still now.
  const source = await loadSource(db, writer, input.draftId, [new Date(input.timestamp * 1000), now]);
  if (source.draft.revision !== input.revision) {
    throw new UserError("The draft changed after you signed it. Publish again to sign what is there now.", 409);
  }
  const contributor = getAddress(writer.address);
  const prepared = await unsignedEntry(source, contributor, input.timestamp);

  const handle = source.publication ? source.publication.handle : source.author.handle;
  const existing = await db.entryVersion.findUnique({ where: { digest: prepared.digest }, include: { entry: { select: { slug: true, writerId: true } } } });
  if (existing && existing.entry.writerId !== source.author.id) throw new UserError("An identical entry was published by someone else at the same second. Publish again.", 409);
  if (existing) {
    return { entryId: existing.entryId, slug: existing.entry.slug, version: existing.version, arweaveId: existing.arweaveId, digest: existing.digest, status: existing.status, handle };
  }

  const chain = createChainClient(env.chain.rpcUrl, env.chain.id);
  const signature = input.signature as Hex;
  const valid = await checkSignature(chain, { typedData: { address: contributor, signature, ...prepared.typedData } });
  if (!valid) throw new UserError("The signature does not match this entry and your address.", 401);

  const entry: Entry = {
    format: ENTRY_FORMAT_VERSION,
    content: prepared.content,
    digest: prepared.digest,
    originalDigest: prepared.originalDigest,
    version: prepared.version,
    authorship: { contributor, signature },
    edition: null,
  };
  const entryJson = canonicalJson(entry);
  const item = await createSignedDataItem(entryJson, entryTags(entry), env.storage.platformKey);
  await chargeWriter(db, env, writer.id, "publish", item.bytes.length, now);
  const { html, renderer } = storedHtml(prepared.content.json);
  const { excerpt, wordCount } = entrySummary(prepared.content.json);
  const publishedAt = new Date(input.timestamp * 1000);
  // Subscribers and followers of the page the entry appears on hear of it: the publication's, or the author's.
  const announcer = source.publication ? source.publication.accountId : source.author.id;

  const write = (newSlug: string | null) => db.$transaction(async (tx) => {
    let entryId: string;
    let slug: string;
    if (source.entry) {
      // Conditional on the version it follows: two publications racing cannot both become v2.
      const moved = await tx.entry.updateMany({
        where: { id: source.entry.id, latestVersion: prepared.version - 1 },
        data: { latestVersion: prepared.version, title: entry.content.title, excerpt, wordCount, updatedAt: publishedAt },
      });
      if (moved.count !== 1) throw new UserError("A newer version of this entry was published meanwhile. Reload the draft.", 409);
      entryId = source.entry.id;
      slug = (await tx.entry.findUniqueOrThrow({ where: { id: entryId }, select: { slug: true } })).slug;
    } else {
      slug = newSlug!;
      const created = await tx.entry.create({
        data: {
          writerId: source.author.id,
          publicationId: source.publication?.accountId ?? null,
          originalDigest: entry.originalDigest,
          slug,
          latestVersion: 1,
          title: entry.content.title,
          excerpt,
          wordCount,
          publishedAt,
          updatedAt: publishedAt,
        },
      });
      entryId = created.id;
      await tx.draft.update({ where: { id: source.draft.id }, data: { entryId } });
      await enqueueNewsletter(tx, { entryId, writerId: announcer });
    }
    const version = await tx.entryVersion.create({
      data: {
        entryId,
        version: entry.version,
        digest: entry.digest,
        arweaveId: item.id,
        title: entry.content.title,
        entryJson,
        html,
        renderer,
        contributor,
        signature,
        timestamp: entry.content.timestamp,
        dataItem: new Uint8Array(item.bytes),
      },
    });
    // Followers on the social web get the essay (Create) or its new version (Update) from the worker.
    await enqueueEntryActivity(tx, { publicUrl: env.publicUrl, writerId: announcer, entryId, version: entry.version });
    return { entryId, slug, versionId: version.id };
  });
  let written: Awaited<ReturnType<typeof write>>;
  for (let attempt = 1; ; attempt++) {
    const newSlug = source.entry ? null : await uniqueSlug(db, source, entry.content.title);
    try {
      written = await write(newSlug);
      break;
    } catch (error) {
      // Two entries published at once under one writer or publication can claim the same free
      // address; the one written second takes the next free one.
      if (newSlug === null || attempt === 3 || !isSlugClash(error)) throw error;
    }
  }

  const { status } = await uploadQueued(db, env, "version", written.versionId, now);
  return { entryId: written.entryId, slug: written.slug, version: entry.version, arweaveId: item.id, digest: entry.digest, status, handle };
}
