import type { Database } from "~/db.server";
import { currentHtml } from "~/modules/entries/html.server";
import { READABLE } from "~/modules/entries/import-review.server";
import { ENTRY_PUBLICATION, entryAt, entryPath, entryUrl } from "./entry-urls.server";

/** Entries a page lists at once; feeds carry the same number, newest first. */
export const PAGE_SIZE = 20;

const writerFields = { handle: true, displayName: true, ensName: true } as const;

/** An entry's writer and the publication it is in, as listings, feeds and cards name them. */
const byFields = { writer: { select: writerFields }, publication: { select: { ...writerFields, ...ENTRY_PUBLICATION.publication.select } } } as const;

/**
 * The entries an account's page and feeds list: a writer's all of theirs (those in publications
 * too), a publication's those published into it. Without an account, every writer's.
 */
const listedBy = (accountId?: string) => (accountId ? { OR: [{ writerId: accountId }, { publicationId: accountId }] } : { writer: { handle: { not: null } } });

/** How a writer is named wherever their entries are listed. */
export const writerName = (w: { handle: string | null; displayName: string | null; ensName: string | null }) => w.displayName ?? w.ensName ?? `@${w.handle}`;

/** A page of published entries, newest first, across writers or of one account (see `listedBy`); `hasMore` when an older page exists. */
export async function recentEntries(db: Database, opts: { page: number; writerId?: string }) {
  const rows = await db.entry.findMany({
    where: { ...READABLE, ...listedBy(opts.writerId) },
    orderBy: [{ publishedAt: "desc" }, { id: "desc" }],
    skip: (opts.page - 1) * PAGE_SIZE,
    take: PAGE_SIZE + 1,
    select: { slug: true, title: true, excerpt: true, wordCount: true, publishedAt: true, ...byFields },
  });
  return {
    hasMore: rows.length > PAGE_SIZE,
    entries: rows.slice(0, PAGE_SIZE).map((e) => ({
      url: entryPath(e),
      title: e.title,
      excerpt: e.excerpt,
      byline: writerName(e.writer),
      handle: e.writer.handle!,
      publication: e.publication?.handle ? { name: writerName(e.publication), handle: e.publication.handle } : null,
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
export async function feedItems(db: Database, publicUrl: string, gatewayUrl: string, accountId?: string): Promise<FeedItem[]> {
  const entries = await db.entry.findMany({
    where: { ...READABLE, ...listedBy(accountId) },
    orderBy: [{ publishedAt: "desc" }, { id: "desc" }],
    take: PAGE_SIZE,
    select: { id: true, slug: true, title: true, excerpt: true, latestVersion: true, publishedAt: true, updatedAt: true, ...byFields },
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

/**
 * Every writer's and publication's page and every published entry once, at its own address (an
 * entry in a publication under the publication), with when each last changed.
 */
export async function sitemapUrls(db: Database, publicUrl: string): Promise<{ loc: string; lastmod: Date }[]> {
  const home = { where: READABLE, orderBy: { publishedAt: "asc" }, select: { slug: true, updatedAt: true } } as const;
  const accounts = await db.writer.findMany({
    // A publication at its own host name is listed in that host's sitemap, not the press's.
    where: { handle: { not: null }, OR: [{ publication: { is: null } }, { publication: { is: { domain: null } } }] },
    orderBy: { handle: "asc" },
    select: { handle: true, updatedAt: true, entries: { ...home, where: { ...READABLE, publicationId: null } }, published: home },
  });
  return accounts.flatMap((w) => {
    // Each entry is listed under the one account it is read under: here, `w` in both lists.
    const entries = [...w.entries, ...w.published].map((e) => ({ loc: entryUrl(publicUrl, { slug: e.slug, writer: w }), lastmod: e.updatedAt }));
    const lastmod = entries.reduce((latest, e) => (e.lastmod > latest ? e.lastmod : latest), w.updatedAt);
    return [{ loc: `${publicUrl}/${w.handle}`, lastmod }, ...entries];
  });
}

/** Every published entry of a publication, at its canonical address. */
export async function publicationSitemapUrls(db: Database, publicUrl: string, publicationId: string): Promise<{ loc: string; lastmod: Date }[]> {
  const entries = await db.entry.findMany({
    where: { publicationId, ...READABLE },
    orderBy: { publishedAt: "asc" },
    select: { slug: true, updatedAt: true, writer: { select: { handle: true } }, ...ENTRY_PUBLICATION },
  });
  return entries.map((e) => ({ loc: entryUrl(publicUrl, e), lastmod: e.updatedAt }));
}

/** "Writer", or "Writer in Publication" for an entry published into one: how bylines and cards name who it is by. */
export const bylineOf = (e: { writer: Parameters<typeof writerName>[0]; publication?: Parameters<typeof writerName>[0] | null }) =>
  e.publication ? `${writerName(e.writer)} in ${writerName(e.publication)}` : writerName(e.writer);

/** What an entry's share card shows: its title, its writer's name and its publication's. */
export async function entryHeadline(db: Database, handle: string, slug: string) {
  const entry = await db.entry.findFirst({ where: { ...entryAt(handle, slug), ...READABLE }, select: { title: true, ...byFields } });
  return entry ? { title: entry.title, byline: bylineOf(entry) } : null;
}
