import { escapeXml } from "~/modules/text.server";
import type { FeedItem } from "./listings.server";

/** What a feed is about: the whole site or one writer. */
export interface FeedChannel {
  title: string;
  description: string;
  /** The page the feed follows (absolute). */
  homeUrl: string;
  /** The feed's own address (absolute), given per format. */
  selfUrl: string;
  items: FeedItem[];
  /** The date an empty feed gives (the writer's profile change, or now for the site): Atom needs one before anything is published. */
  emptyDate: Date;
}

export const FEED_TYPES = {
  rss: "application/rss+xml; charset=utf-8",
  atom: "application/atom+xml; charset=utf-8",
  json: "application/feed+json; charset=utf-8",
} as const;

export type FeedFormat = keyof typeof FEED_TYPES;

/** The latest change to any item. */
const newest = (feed: FeedChannel) =>
  feed.items.length ? new Date(Math.max(...feed.items.map((i) => i.updatedAt.getTime()))) : feed.emptyDate;

/** RSS makes the date optional: an empty feed has built nothing yet, so it gives none. */
const lastBuildDate = (feed: FeedChannel) => (feed.items.length ? `<lastBuildDate>${newest(feed).toUTCString()}</lastBuildDate>` : "");

function rss(feed: FeedChannel): string {
  const items = feed.items
    .map(
      (i) =>
        `<item><title>${escapeXml(i.title)}</title><link>${escapeXml(i.url)}</link><guid isPermaLink="false">${escapeXml(i.permanentId)}</guid>` +
        `<pubDate>${i.publishedAt.toUTCString()}</pubDate><dc:creator>${escapeXml(i.author.name)}</dc:creator>` +
        `<description>${escapeXml(i.excerpt)}</description><content:encoded>${escapeXml(i.html)}</content:encoded></item>`,
    )
    .join("\n");
  return (
    `<?xml version="1.0" encoding="utf-8"?>\n` +
    `<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">\n` +
    `<channel><title>${escapeXml(feed.title)}</title><link>${escapeXml(feed.homeUrl)}</link><description>${escapeXml(feed.description)}</description>` +
    `<language>en</language>${lastBuildDate(feed)}` +
    `<atom:link href="${escapeXml(feed.selfUrl)}" rel="self" type="application/rss+xml"/>\n${items}\n</channel>\n</rss>\n`
  );
}

function atom(feed: FeedChannel): string {
  const entries = feed.items
    .map(
      (i) =>
        `<entry><id>${escapeXml(i.url)}</id><title>${escapeXml(i.title)}</title><link rel="alternate" type="text/html" href="${escapeXml(i.url)}"/>` +
        `<published>${i.publishedAt.toISOString()}</published><updated>${i.updatedAt.toISOString()}</updated>` +
        `<author><name>${escapeXml(i.author.name)}</name><uri>${escapeXml(i.author.url)}</uri></author>` +
        `<summary>${escapeXml(i.excerpt)}</summary><content type="html">${escapeXml(i.html)}</content></entry>`,
    )
    .join("\n");
  return (
    `<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n` +
    `<id>${escapeXml(feed.selfUrl)}</id><title>${escapeXml(feed.title)}</title><subtitle>${escapeXml(feed.description)}</subtitle>` +
    `<updated>${newest(feed).toISOString()}</updated><link rel="self" type="application/atom+xml" href="${escapeXml(feed.selfUrl)}"/>` +
    `<link rel="alternate" type="text/html" href="${escapeXml(feed.homeUrl)}"/>\n${entries}\n</feed>\n`
  );
}

function jsonFeed(feed: FeedChannel): string {
  return JSON.stringify({
    version: "https://jsonfeed.org/version/1.1",
    title: feed.title,
    description: feed.description,
    home_page_url: feed.homeUrl,
    feed_url: feed.selfUrl,
    language: "en",
    items: feed.items.map((i) => ({
      id: i.url,
      url: i.url,
      title: i.title,
      summary: i.excerpt,
      content_html: i.html,
      date_published: i.publishedAt.toISOString(),
      date_modified: i.updatedAt.toISOString(),
      authors: [{ name: i.author.name, url: i.author.url }],
      _arweave: { id: i.permanentId },
    })),
  });
}

const RENDER: Record<FeedFormat, (feed: FeedChannel) => string> = { rss, atom, json: jsonFeed };

/** The feed as a response, with its caching headers (the ETag feed readers send back to ask whether anything changed). */
export function feedResponse(format: FeedFormat, feed: FeedChannel, headers: Record<string, string>): Response {
  return new Response(RENDER[format](feed), { headers: { ...headers, "content-type": FEED_TYPES[format] } });
}

export function sitemap(urls: { loc: string; lastmod: Date }[]): string {
  const body = urls.map((u) => `<url><loc>${escapeXml(u.loc)}</loc><lastmod>${u.lastmod.toISOString()}</lastmod></url>`).join("\n");
  return `<?xml version="1.0" encoding="utf-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n${body}\n</urlset>\n`;
}
