import type { Database } from "~/db.server";
import { UserError } from "~/modules/errors.server";
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

/** Starts a draft, empty or from an imported document. */
export async function createDraft(db: Database, writerId: string, init: { title?: string; document?: TiptapDocument } = {}) {
  const document = init.document ? writersDocument(init.document) : EMPTY_DOCUMENT;
  return db.draft.create({
    data: { writerId, title: checkTitle(init.title ?? ""), content: JSON.stringify(document), wordCount: documentStats(document).words },
    select: { id: true },
  });
}

export async function listDrafts(db: Database, writerId: string) {
  return db.draft.findMany({
    where: { writerId },
    orderBy: { updatedAt: "desc" },
    select: { id: true, title: true, wordCount: true, updatedAt: true },
  });
}

/** One of the writer's drafts; another writer's draft is as absent as a missing one. */
export async function getDraft(db: Database, writerId: string, id: string): Promise<DraftState> {
  const draft = await db.draft.findFirst({ where: { id, writerId } });
  if (!draft) throw new UserError("There is no such draft.", 404);
  return {
    id: draft.id,
    title: draft.title,
    document: JSON.parse(draft.content) as TiptapDocument,
    revision: draft.revision,
    wordCount: draft.wordCount,
    updatedAt: draft.updatedAt,
    entryId: draft.entryId,
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
 * statement, so two tabs racing cannot both win. The document is validated first: a document the
 * editor's schema does not allow is refused and the stored draft stays as it was.
 */
export async function saveDraft(db: Database, writerId: string, id: string, input: { title: unknown; document: unknown; baseRevision: unknown }) {
  if (typeof input.baseRevision !== "number" || !Number.isInteger(input.baseRevision)) throw new UserError("The draft's revision is missing.");
  const title = checkTitle(input.title);
  const document = writersDocument(input.document);
  const { words } = documentStats(document);
  const saved = await db.draft.updateMany({
    where: { id, writerId, revision: input.baseRevision },
    data: { title, content: JSON.stringify(document), wordCount: words, revision: input.baseRevision + 1 },
  });
  if (saved.count === 1) return { revision: input.baseRevision + 1, wordCount: words };
  const current = await db.draft.findFirst({ where: { id, writerId }, select: { revision: true } });
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
