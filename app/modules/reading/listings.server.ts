import type { Database } from "~/db.server";
import { currentHtml } from "~/modules/entries/html.server";
import { READABLE } from "~/modules/entries/import-review.server";
import { ENTRY_DOMAIN, entryUrl } from "~/modules/publications/domains.server";

/** Entries a page lists at once; feeds carry the same number, newest first. */
export const PAGE_SIZE = 20;

const writerFields = { handle: true, displayName: true, ensName: true } as const;

/** How a writer is named wherever their entries are listed. */
export const writerName = (w: { handle: string | null; displayName: string | null; ensName: string | null }) => w.displayName ?? w.ensName ?? `@${w.handle}`;

/** A page of published entries, newest first, across writers or of one; `hasMore` when an older page exists. */
export async function recentEntries(db: Database, opts: { page: number; writerId?: string }) {
  const rows = await db.entry.findMany({
    where: { ...READABLE, ...(opts.writerId ? { writerId: opts.writerId } : { writer: { handle: { not: null } } }) },
    orderBy: [{ publishedAt: "desc" }, { id: "desc" }],
    skip: (opts.page - 1) * PAGE_SIZE,
    take: PAGE_SIZE + 1,
    select: { slug: true, title: true, excerpt: true, wordCount: true, publishedAt: true, writer: { select: writerFields } },
  });
  return {
    hasMore: rows.length > PAGE_SIZE,
    entries: rows.slice(0, PAGE_SIZE).map((e) => ({
      url: `/${e.writer.handle}/${e.slug}`,
      title: e.title,
      excerpt: e.excerpt,
      byline: writerName(e.writer),
      handle: e.writer.handle!,
      publishedAt: e.publishedAt.toISOString(),
      readingMinutes: readingMinutes(e.wordCount),
    })),
  };
}

/** At an unhurried 238 words a minute, never less than one. */
export const readingMinutes = (words: number) => Math.max(1, Math.round(words / 238));

/** A listing page past the last is no page: a 404 that says so, instead of an empty list. */
export function requirePageInRange(listing: { entries: unknown[] }, page: number): void {
  if (page > 1 && listing.entries.length === 0) throw new Response(`There is no page ${page}: the essays end before it.`, { status: 404 });
}

/** `?page=` as a page number from 1; anything else is the first page. */
export function pageNumber(request: Request | URL): number {
  const raw = (request instanceof URL ? request : new URL(request.url)).searchParams.get("page");
  return raw && /^[1-9]\d{0,4}$/.test(raw) ? Number(raw) : 1;
}

export interface FeedItem {
  url: string;
  title: string;
  excerpt: string;
  html: string;
  author: { name: string; url: string };
  /** The Arweave id of version 1: the entry's permanent id, the same for every later version. */
  permanentId: string;
  publishedAt: Date;
  updatedAt: Date;
}

/**
 * The newest entries with the stored HTML of their latest version, for feeds: two queries
 * whatever the count (entries, then their versions by the unique (entryId, version) key).
 */
export async function feedItems(db: Database, publicUrl: string, gatewayUrl: string, writerId?: string): Promise<FeedItem[]> {
  const entries = await db.entry.findMany({
    where: { ...READABLE, ...(writerId ? { writerId } : { writer: { handle: { not: null } } }) },
    orderBy: [{ publishedAt: "desc" }, { id: "desc" }],
    take: PAGE_SIZE,
    select: { id: true, slug: true, title: true, excerpt: true, latestVersion: true, publishedAt: true, updatedAt: true, writer: { select: writerFields }, ...ENTRY_DOMAIN },
  });
  if (entries.length === 0) return [];
  const versions = await db.entryVersion.findMany({
    where: { OR: entries.flatMap((e) => [{ entryId: e.id, version: e.latestVersion }, { entryId: e.id, version: 1 }]) },
    select: { id: true, entryId: true, version: true, html: true, renderer: true, arweaveId: true },
  });
  const key = (entryId: string, version: number) => `${entryId}/${version}`;
  const byKey = new Map(versions.map((v) => [key(v.entryId, v.version), v]));
  const items = entries.map(async (e) => {
    const latest = byKey.get(key(e.id, e.latestVersion));
    const first = byKey.get(key(e.id, 1));
    if (!latest || !first) return [];
    return [
      {
        url: entryUrl(publicUrl, e),
        title: e.title,
        excerpt: e.excerpt,
        html: await currentHtml(db, gatewayUrl, latest),
        author: { name: writerName(e.writer), url: `${publicUrl}/${e.writer.handle}` },
        permanentId: first.arweaveId,
        publishedAt: e.publishedAt,
        updatedAt: e.updatedAt,
      },
    ];
  });
  return (await Promise.all(items)).flat();
}

/** Every writer page and every published entry, with when each last changed. */
export async function sitemapUrls(db: Database, publicUrl: string): Promise<{ loc: string; lastmod: Date }[]> {
  const writers = await db.writer.findMany({
    where: { handle: { not: null } },
    orderBy: { handle: "asc" },
    select: { handle: true, updatedAt: true, entries: { where: READABLE, orderBy: { publishedAt: "asc" }, select: { slug: true, updatedAt: true } } },
  });
  return writers.flatMap((w) => {
    const entries = w.entries.map((e) => ({ loc: `${publicUrl}/${w.handle}/${e.slug}`, lastmod: e.updatedAt }));
    const lastmod = entries.reduce((latest, e) => (e.lastmod > latest ? e.lastmod : latest), w.updatedAt);
    return [{ loc: `${publicUrl}/${w.handle}`, lastmod }, ...entries];
  });
}

/** Every published entry of a publication, at its canonical address. */
export async function publicationSitemapUrls(db: Database, publicUrl: string, publicationId: string): Promise<{ loc: string; lastmod: Date }[]> {
  const entries = await db.entry.findMany({
    where: { publicationId, ...READABLE },
    orderBy: { publishedAt: "asc" },
    select: { slug: true, updatedAt: true, writer: { select: { handle: true } }, ...ENTRY_DOMAIN },
  });
  return entries.map((e) => ({ loc: entryUrl(publicUrl, e), lastmod: e.updatedAt }));
}

/** What an entry's share card shows: its title and its writer's name. */
export async function entryHeadline(db: Database, handle: string, slug: string) {
  const entry = await db.entry.findFirst({ where: { slug, writer: { handle }, ...READABLE }, select: { title: true, writer: { select: writerFields } } });
  return entry ? { title: entry.title, byline: writerName(entry.writer) } : null;
}
