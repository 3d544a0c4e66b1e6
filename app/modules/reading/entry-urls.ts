/**
 * Where an entry is read: under its publication's handle when it was published into one, else under
 * its writer's. Every link to an entry (pages, feeds, sitemap, newsletters, federation, cards,
 * collectors' pages, editions) is built here, so a publication's entries have one address; a host
 * of the publication's own would extend these two functions.
 */
export interface EntryAddress {
  slug: string;
  writer: { handle: string | null };
  publication?: { handle: string | null } | null;
}

/** The account whose handle an entry is read under. */
export const entryHome = (entry: EntryAddress) => (entry.publication?.handle ? entry.publication : entry.writer);

/** The entry's path on this press: `/<publication or writer handle>/<slug>`. */
export const entryPath = (entry: EntryAddress) => `/${entryHome(entry).handle}/${entry.slug}`;

/** The entry's absolute address. */
export const entryUrl = (publicUrl: string, entry: EntryAddress) => `${publicUrl}${entryPath(entry)}`;

/** What the query of an entry selects so that `entryPath` can place it. */
export const ENTRY_ADDRESS = { slug: true, writer: { select: { handle: true } }, publication: { select: { handle: true } } } as const;

/**
 * The query condition of the entry at `/<handle>/<slug>`: one in a publication is there under the
 * publication's handle, any other under its writer's.
 */
export const entryAt = (handle: string, slug: string) => ({ slug, OR: [{ publication: { handle } }, { publicationId: null, writer: { handle } }] });
