import type { Database } from "~/db.server";
import { UserError } from "~/modules/errors.server";
import { publicationsOf, requireRole } from "~/modules/publications/publications.server";
import { can } from "~/modules/publications/records";
import { requirePublishable } from "~/modules/text.server";
import { documentStats, documentToMarkdown, markdownToDocument, parseDocument, requirePublishableDocument, type TiptapDocument } from "./document.server";

export const MAX_TITLE_LENGTH = 300;

const EMPTY_DOCUMENT: TiptapDocument = { type: "doc", content: [{ type: "paragraph" }] };

export interface DraftState {
  id: string;
  title: string;
  document: TiptapDocument;
  revision: number;
  wordCount: number;
  updatedAt: Date;
  /** The published entry this draft edits, if any. */
  entryId: string | null;
  /** Its author: an editor of its publication may open another member's draft. */
  writerId: string;
  /** The account of the publication it is written for; null for the author's own page. */
  publicationId: string | null;
}

interface Member {
  id: string;
  address: string;
}

/** The writer as a publication's records name them: by their address. */
export async function memberOf(db: Database, writerId: string): Promise<Member> {
  return db.writer.findUniqueOrThrow({ where: { id: writerId }, select: { id: true, address: true } });
}

/**
 * Throws 403 unless `member` may write and publish `draft` into the publication it is written for
 * at `at`: their own draft as any member, another member's as the publication's editor or owner.
 */
export async function requireDraftRole(db: Database, draft: { writerId: string; publicationId: string | null }, member: Member, at: Date): Promise<void> {
  if (!draft.publicationId) return;
  await requireRole(db, draft.publicationId, member.address, draft.writerId === member.id ? "write" : "edit-others", at);
}

/**
 * A draft as `writerId` may reach it: their own (whatever their role now: the words stay theirs),
 * or another member's draft in a publication they edit. Someone else's draft in a publication is
 * refused with a 403; a draft for someone's own page is as absent as a missing one.
 */
export async function reachDraft(db: Database, writerId: string, id: string, now = new Date()) {
  const draft = await findDraft(db, writerId, id);
  if (draft.writerId !== writerId) await requireDraftRole(db, draft, await memberOf(db, writerId), now);
  return draft;
}

/** The draft if it is the writer's own or in a publication (whose roles the caller checks); 404 otherwise. */
export async function findDraft(db: Database, writerId: string, id: string) {
  const draft = await db.draft.findUnique({ where: { id } });
  if (!draft || (draft.writerId !== writerId && !draft.publicationId)) throw new UserError("There is no such draft.", 404);
  return draft;
}

/** "Publish in": a publication's account id, or null (or "") for the writer's own page. */
function publicationChoice(value: unknown): string | null {
  if (value === null || value === "") return null;
  if (typeof value !== "string" || value.length > 64) throw new UserError("Choose a publication you write for, or your own page.", 422);
  return value;
}

function checkTitle(title: unknown): string {
  if (typeof title !== "string") throw new UserError("The title must be text.");
  // Checked before white space is folded, which would turn some control characters into spaces.
  const trimmed = requirePublishable(title, "The title").replace(/\s+/g, " ").trim();
  if (trimmed.length > MAX_TITLE_LENGTH) throw new UserError(`A title has at most ${MAX_TITLE_LENGTH} characters.`, 422);
  return trimmed;
}

/** A document a writer sent: valid under the schema, and publishable everywhere it will be shown. */
function writersDocument(input: unknown): TiptapDocument {
  const document = parseDocument(input);
  requirePublishableDocument(document);
  return document;
}

/** Starts a draft, empty or from an imported document, for the writer's own page or a publication they write for. */
export async function createDraft(db: Database, writerId: string, init: { title?: string; document?: TiptapDocument; publicationId?: unknown } = {}, now = new Date()) {
  const document = init.document ? writersDocument(init.document) : EMPTY_DOCUMENT;
  const title = checkTitle(init.title ?? "");
  const publicationId = publicationChoice(init.publicationId ?? null);
  if (publicationId) await requireDraftRole(db, { writerId, publicationId }, await memberOf(db, writerId), now);
  return db.draft.create({
    data: { writerId, publicationId, title, content: JSON.stringify(document), wordCount: documentStats(document).words },
    select: { id: true },
  });
}

/**
 * The writer's drafts, and beside them the other members' drafts in the publications the writer
 * edits or owns now (`memberships`, read here unless the caller already has them), each with its
 * author and publication.
 */
export async function listDrafts(db: Database, writer: Member, memberships?: Awaited<ReturnType<typeof publicationsOf>>) {
  const edited = (memberships ?? (await publicationsOf(db, writer))).filter(({ role }) => can(role, "edit-others")).map(({ publication }) => publication.writerId);
  return db.draft.findMany({
    where: { OR: [{ writerId: writer.id }, ...(edited.length ? [{ publicationId: { in: edited } }] : [])] },
    orderBy: { updatedAt: "desc" },
    select: {
      id: true,
      title: true,
      wordCount: true,
      updatedAt: true,
      writerId: true,
      writer: { select: { handle: true, displayName: true, ensName: true, address: true } },
      publication: { select: { handle: true, displayName: true, ensName: true, address: true } },
    },
  });
}

/** A draft the writer may open (reachDraft): their own, or another member's in a publication they edit. */
export async function getDraft(db: Database, writerId: string, id: string, now = new Date()): Promise<DraftState> {
  const draft = await reachDraft(db, writerId, id, now);
  return {
    id: draft.id,
    title: draft.title,
    document: JSON.parse(draft.content) as TiptapDocument,
    revision: draft.revision,
    wordCount: draft.wordCount,
    updatedAt: draft.updatedAt,
    entryId: draft.entryId,
    writerId: draft.writerId,
    publicationId: draft.publicationId,
  };
}

export class DraftConflict extends UserError {
  constructor(readonly currentRevision: number) {
    super("This draft was changed in another tab or on another device since you opened it. Reload to see the latest version; nothing was overwritten.", 409);
    this.name = "DraftConflict";
  }
}

/**
 * Saves a draft if nobody saved it since `baseRevision`: the update and the check are one
 * statement, so two tabs (or an author and an editor) racing cannot both win. The document is
 * validated first: a document the editor's schema does not allow is refused and the stored draft
 * stays as it was. `publicationId` ("Publish in"; left as it is when absent) is the author's
 * choice alone, among the publications they write for now; the draft of a published entry keeps
 * the entry's. A draft that stays in a publication is saved only by a member who may write it now.
 */
export async function saveDraft(db: Database, writerId: string, id: string, input: { title: unknown; document: unknown; baseRevision: unknown; publicationId?: unknown }, now = new Date()) {
  if (typeof input.baseRevision !== "number" || !Number.isInteger(input.baseRevision)) throw new UserError("The draft's revision is missing.");
  const title = checkTitle(input.title);
  const document = writersDocument(input.document);
  const { words } = documentStats(document);
  const draft = await reachDraft(db, writerId, id, now);
  const publicationId = input.publicationId === undefined ? draft.publicationId : publicationChoice(input.publicationId);
  if (publicationId !== draft.publicationId) {
    if (draft.writerId !== writerId) throw new UserError("Only the draft's author chooses where it is published.", 403);
    if (draft.entryId) throw new UserError("A published entry stays where it was published: its draft cannot move to another publication.", 409);
  }
  // Another member's draft was checked by reachDraft; the author's own needs their role where it goes.
  if (draft.writerId === writerId && publicationId) await requireDraftRole(db, { writerId, publicationId }, await memberOf(db, writerId), now);
  const saved = await db.draft.updateMany({
    where: { id, revision: input.baseRevision },
    data: { title, content: JSON.stringify(document), wordCount: words, revision: input.baseRevision + 1, publicationId },
  });
  if (saved.count === 1) return { revision: input.baseRevision + 1, wordCount: words };
  const current = await db.draft.findUnique({ where: { id }, select: { revision: true } });
  if (!current) throw new UserError("There is no such draft.", 404);
  throw new DraftConflict(current.revision);
}

export async function deleteDraft(db: Database, writerId: string, id: string): Promise<void> {
  const { count } = await db.draft.deleteMany({ where: { id, writerId } });
  if (count === 0) throw new UserError("There is no such draft.", 404);
}

/** A draft from a Markdown file: a leading `# Heading` becomes the title. */
export function draftFromMarkdown(markdown: string): { title: string; document: TiptapDocument } {
  const text = markdown.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n");
  const heading = /^\s*#[ \t]+(.+?)[ \t#]*\n/.exec(text);
  const title = heading ? heading[1]!.trim().slice(0, MAX_TITLE_LENGTH) : "";
  return { title, document: markdownToDocument(heading ? text.slice(heading[0].length) : text) };
}

/** A draft as a Markdown file: the title as a heading, then the body. */
export function draftToMarkdown(draft: { title: string; document: TiptapDocument }): string {
  const body = documentToMarkdown(draft.document).trim();
  return `${draft.title ? `# ${draft.title}\n\n` : ""}${body}\n`;
}

/** A file name for a title: lower-case words joined by hyphens. */
export function slugify(title: string): string {
  return (
    title
      .normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 80) || "untitled"
  );
}
