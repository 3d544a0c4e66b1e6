import { documentStats, documentText, type TiptapDocument } from "./document.server";
import { slugify } from "./drafts.server";

/** How much of an essay lists it: on pages, in feeds, in edition metadata. */
const EXCERPT_LENGTH = 280;

/** The excerpt and word count stored with an entry, the same whether published or restored. */
export function entrySummary(doc: TiptapDocument): { excerpt: string; wordCount: number } {
  // Cut by code point: cutting by UTF-16 unit can halve an emoji, leaving a character XML cannot carry.
  const text = Array.from(documentText(doc).replace(/\s+/g, " ").trim());
  return { excerpt: text.slice(0, EXCERPT_LENGTH).join(""), wordCount: documentStats(doc).words };
}

/**
 * A slug not yet used in any of `taken`, which it then joins: `title`, `title-2`, ... as publishing
 * picks them. An entry in a publication is read under the publication and kept under its writer, so
 * its slug is claimed in both sets.
 */
export function claimSlug(taken: Set<string> | ReadonlyArray<Set<string>>, title: string): string {
  const sets = taken instanceof Set ? [taken] : taken;
  const base = slugify(title);
  for (let n = 1; ; n++) {
    const slug = n === 1 ? base : `${base}-${n}`;
    if (!sets.some((set) => set.has(slug))) {
      for (const set of sets) set.add(slug);
      return slug;
    }
  }
}
