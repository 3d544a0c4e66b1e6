/**
 * Imported entries the writer's own wallet did not sign wait here for the writer: a signature
 * proves who signed, not that the signer may speak for the writer. Until accepted, such an entry
 * is on no page, feed or sitemap, and its URL answers 404 (docs/mirror-format.md).
 */
import type { Database } from "~/db.server";
import { currentHtml } from "./html.server";
import { UserError } from "~/modules/errors.server";
import { verdictStatusOf } from "./mirror.server";

/** `Entry.importReview` of an entry nobody has to review: published here, or signed by its contributor. */
export const NO_REVIEW = "none";
/** `Entry.importReview` of an import held from readers until its writer accepts it. */
export const HELD_FOR_REVIEW = "pending";
/** `Entry.importReview` of an import its writer accepted after seeing who signed it. */
export const ACCEPTED = "accepted";

/** The Prisma filter of entries readers may see. */
export const READABLE = { importReview: { not: HELD_FOR_REVIEW } };

/** The writer's held imports, newest first, with who signed each, what it says and the proof to read. */
export async function heldImports(db: Database, writerId: string, gatewayUrl: string) {
  const rows = await db.entry.findMany({
    where: { writerId, importReview: HELD_FOR_REVIEW },
    orderBy: [{ publishedAt: "desc" }, { id: "desc" }],
    select: { originalDigest: true, title: true, excerpt: true, verification: true, publishedAt: true, versions: { orderBy: { version: "desc" }, take: 1, select: { id: true, arweaveId: true, html: true, renderer: true } } },
  });
  return Promise.all(rows.map(async (row) => ({
    originalDigest: row.originalDigest,
    title: row.title,
    excerpt: row.excerpt,
    publishedAt: row.publishedAt.toISOString(),
    verification: row.verification ?? "",
    status: verdictStatusOf(row.verification ?? ""),
    proofId: row.versions[0]?.arweaveId ?? null,
    // Rendered on import through the editor's schema, as the entry page shows it.
    html: row.versions[0] ? await currentHtml(db, gatewayUrl, row.versions[0]) : "",
  })));
}

export type ReviewChoice = "accept" | "discard";

/**
 * Accepts (publishes, its verdict still shown) or discards (deletes here; Arweave keeps it, and a
 * later import holds it again) one of the writer's held imports. Someone else's entry, or one not
 * held, is not found: a 404 that tells nothing about it.
 */
export async function reviewImport(db: Database, writerId: string, originalDigest: string, choice: ReviewChoice): Promise<void> {
  const where = { originalDigest, writerId, importReview: HELD_FOR_REVIEW };
  const { count } = choice === "accept" ? await db.entry.updateMany({ where, data: { importReview: ACCEPTED } }) : await db.entry.deleteMany({ where });
  if (count === 0) throw new UserError("There is no import of yours held for review with that id.", 404);
}
