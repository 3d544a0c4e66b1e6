import type { Database } from "~/db.server";
import { UserError } from "~/modules/errors.server";
import { writerName } from "~/modules/subscriptions/subscribers.server";
import { entryAt, entryPath, ENTRY_ADDRESS } from "~/modules/reading/entry-urls.server";
import { handleSchema } from "~/modules/writers/profile.server";
import { createDraft, memberOf, requireDraftRole } from "./drafts.server";
import { mirrorDocument } from "./import-mirror.server";
import { HELD_FOR_REVIEW, READABLE } from "./import-review.server";
import type { TiptapDocument } from "./extensions";

/** An entry as its page shows it: one version's essay and the history of all versions. */
export async function entryPage(db: Database, handle: string, slug: string, version?: number) {
  const entry = await entryHistory(db, handle, slug);
  if (!entry) return null;
  const current = await entryVersion(db, entry, version);
  return current ? { entry, current } : null;
}

/**
 * An entry, its writer, the history of its versions and the state of its edition: everything
 * that says whether a reader's copy of its page is current, before any essay is read.
 */
export async function entryHistory(db: Database, handle: string, slug: string) {
  const parsedHandle = handleSchema.safeParse(handle);
  if (!parsedHandle.success) return null;
  return db.entry.findFirst({
    where: { ...entryAt(parsedHandle.data, slug), ...READABLE },
    include: {
      writer: { select: { id: true, handle: true, displayName: true, ensName: true, address: true, avatarId: true, updatedAt: true } },
      publication: { select: { id: true, handle: true, displayName: true, ensName: true, publication: { select: { domain: true } } } },
      versions: { orderBy: { version: "desc" }, select: { version: true, arweaveId: true, digest: true, status: true, timestamp: true, lastError: true } },
      edition: { select: { status: true, minted: true, goneAt: true } },
    },
  });
}

/**
 * Where an entry now lives when `/<handle>/<slug>` names it under its writer's handle but it was
 * published into a publication (its address is the publication's); null otherwise.
 */
export async function entryMovedTo(db: Database, handle: string, slug: string): Promise<string | null> {
  const parsedHandle = handleSchema.safeParse(handle);
  if (!parsedHandle.success) return null;
  const entry = await db.entry.findFirst({ where: { slug, writer: { handle: parsedHandle.data }, publicationId: { not: null }, ...READABLE }, select: ENTRY_ADDRESS });
  return entry?.publication?.handle ? entryPath(entry) : null;
}

/** One version of an entry with its stored HTML (the latest when `version` is not given). */
export function entryVersion(db: Database, entry: { id: string; latestVersion: number }, version?: number) {
  return db.entryVersion.findUnique({
    where: { entryId_version: { entryId: entry.id, version: version ?? entry.latestVersion } },
    select: { id: true, version: true, title: true, html: true, renderer: true, arweaveId: true, digest: true, timestamp: true, contributor: true },
  });
}

/**
 * Where a version stored on Arweave is read here, when it is one of this platform's: its page
 * (that version's own while a later one exists) and its writer's.
 */
export async function versionOnPlatform(db: Database, arweaveId: string) {
  const row = await db.entryVersion.findUnique({
    where: { arweaveId },
    select: { version: true, title: true, entry: { select: { slug: true, latestVersion: true, importReview: true, publication: { select: { handle: true } }, writer: { select: { address: true, handle: true, displayName: true, ensName: true } } } } },
  });
  const handle = row?.entry.writer.handle;
  // A held import is not on the platform for readers: the proof page only checks it.
  if (!row || !handle || row.entry.importReview === HELD_FOR_REVIEW) return null;
  const { entry } = row;
  const latest = row.version === entry.latestVersion;
  const path = entryPath(entry);
  return {
    title: row.title,
    version: row.version,
    latestVersion: entry.latestVersion,
    url: latest ? path : `${path}?version=${row.version}`,
    latestUrl: path,
    writer: writerName(entry.writer),
    writerUrl: `/${handle}`,
  };
}

/**
 * The draft that edits a published entry: the one already open, or a new one holding the latest
 * version's document. Publishing it makes the entry's next version. An entry in a publication is
 * edited by its author while a member, and by the publication's editors and owner; its draft is
 * the author's and keeps the entry's publication.
 */
export async function draftForEntry(db: Database, writerId: string, entryId: string, now = new Date()): Promise<string> {
  const entry = await db.entry.findUnique({ where: { id: entryId }, include: { draft: { select: { id: true } } } });
  if (!entry || (entry.writerId !== writerId && !entry.publicationId)) throw new UserError("There is no such entry of yours.", 404);
  if (entry.publicationId) await requireDraftRole(db, entry, await memberOf(db, writerId), now);
  if (entry.draft) return entry.draft.id;
  const latest = await db.entryVersion.findUniqueOrThrow({ where: { entryId_version: { entryId, version: entry.latestVersion } }, select: { entryJson: true } });
  // Entries imported from Mirror carry Mirror's JSON: Markdown only, converted as on import.
  const { content } = JSON.parse(latest.entryJson) as { content: { title: string; json?: TiptapDocument; body: string } };
  const document = content.json ?? mirrorDocument(content.body).doc;
  const draft = await createDraft(db, entry.writerId, { title: content.title, document });
  await db.draft.update({ where: { id: draft.id }, data: { entryId, publicationId: entry.publicationId } });
  return draft.id;
}
