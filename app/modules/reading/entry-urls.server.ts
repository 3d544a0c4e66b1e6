/**
 * Where an entry is read: at its publication's own host name when it has one, else under its
 * publication's handle when it was published into one, else under its writer's. Every link to an
 * entry (pages, feeds, sitemap, newsletters, federation, cards, collectors' pages, editions) is
 * built here, so each entry has one address.
 */
import { isLoopbackUrl } from "~/env.server";

export interface EntryAddress {
  slug: string;
  writer: { handle: string | null };
  publication?: { handle: string | null; publication?: { domain: string | null } | null } | null;
}

/**
 * Where a publication's domain is served: https on the default port, but on the press's own scheme
 * and port while the press runs on loopback (local tests serve every host name on one port).
 */
export function publicationOrigin(publicUrl: string, domain: string): string {
  if (!isLoopbackUrl(publicUrl)) return `https://${domain}`;
  const press = new URL(publicUrl);
  return `${press.protocol}//${domain}${press.port ? `:${press.port}` : ""}`;
}

/** The account whose handle an entry is read under. */
export const entryHome = (entry: EntryAddress) => (entry.publication?.handle ? entry.publication : entry.writer);

/** The entry's path on this press: `/<publication or writer handle>/<slug>`. */
export const entryPath = (entry: EntryAddress) => `/${entryHome(entry).handle}/${entry.slug}`;

/** The entry's absolute address: on its publication's domain when it has one (its canonical URL). */
export function entryUrl(publicUrl: string, entry: EntryAddress): string {
  const domain = entry.publication?.publication?.domain;
  return domain ? `${publicationOrigin(publicUrl, domain)}/${entry.slug}` : `${publicUrl}${entryPath(entry)}`;
}

/** What the query of an entry's publication selects so that `entryUrl` can place it. */
export const ENTRY_PUBLICATION = { publication: { select: { handle: true, publication: { select: { domain: true } } } } } as const;

/** What the query of an entry selects so that `entryPath` and `entryUrl` can place it. */
export const ENTRY_ADDRESS = { slug: true, writer: { select: { handle: true } }, ...ENTRY_PUBLICATION } as const;

/**
 * The query condition of the entry at `/<handle>/<slug>`: one in a publication is there under the
 * publication's handle, any other under its writer's.
 */
export const entryAt = (handle: string, slug: string) => ({ slug, OR: [{ publication: { handle } }, { publicationId: null, writer: { handle } }] });
