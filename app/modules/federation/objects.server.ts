import type { Context } from "@fedify/fedify";
import { Temporal } from "@js-temporal/polyfill";
import { Article, Create, Endpoints, Group, Image, Link, Note, Person, PUBLIC_COLLECTION, Update } from "@fedify/vocab";
import type { Database } from "~/db.server";
import { currentHtml } from "~/modules/entries/html.server";
import { escapeHtml } from "~/modules/entries/document.server";
import { entryUrl } from "~/modules/reading/entry-urls.server";

export { entryActivityId, PATHS, VISIBLE, type Site } from "./ids.server";
import { entryActivityId, PATHS, VISIBLE, type Site } from "./ids.server";

/** Relative links and images in an essay made absolute, as a remote server needs them. */
const absolute = (html: string, publicUrl: string) => html.replace(/(\s(?:href|src))="\/(?!\/)/g, `$1="${escapeHtml(publicUrl)}/`);

/**
 * A writer as an ActivityPub actor (a Person), a publication as a Group (decision 022: Mastodon
 * shows a Group as an account to follow, labelled a group), or null without a handle yet.
 */
export async function actorOf(ctx: Context<void>, db: Database, site: Site, writerId: string): Promise<Person | Group | null> {
  const writer = await db.writer.findUnique({ where: { id: writerId }, include: { publication: { select: { coverId: true } } } });
  if (!writer?.handle) return null;
  const keys = await ctx.getActorKeyPairs(writerId);
  const avatar = writer.avatarId ? `${site.gatewayUrl}/${writer.avatarId}` : writer.ensAvatar;
  const Actor = writer.kind === "publication" ? Group : Person;
  return new Actor({
    id: ctx.getActorUri(writerId),
    preferredUsername: writer.handle,
    name: writer.displayName || writer.ensName || writer.handle,
    summary: writer.bio ? `<p>${escapeHtml(writer.bio)}</p>` : null,
    url: new URL(`${site.publicUrl}/${writer.handle}`),
    published: Temporal.Instant.from(writer.createdAt.toISOString()),
    inbox: ctx.getInboxUri(writerId),
    outbox: ctx.getOutboxUri(writerId),
    followers: ctx.getFollowersUri(writerId),
    endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
    publicKey: keys[0]?.cryptographicKey,
    assertionMethods: keys.map((key) => key.multikey),
    icon: avatar && URL.canParse(avatar) ? new Image({ url: new URL(avatar) }) : null,
    image: writer.publication?.coverId ? new Image({ url: new URL(`${site.gatewayUrl}/${writer.publication.coverId}`) }) : null,
    manuallyApprovesFollowers: false,
    discoverable: true,
    indexable: true,
  });
}

type EntryRow = NonNullable<Awaited<ReturnType<typeof loadEntry>>>;

async function loadEntry(db: Database, entryId: string) {
  return db.entry.findFirst({
    where: { id: entryId, ...VISIBLE },
    include: { writer: true, publication: { select: { handle: true } }, versions: { orderBy: { version: "desc" }, take: 1 } },
  });
}

/**
 * The actor an entry's activities come from: its publication's when it is in one (its followers
 * receive it, signed with its key), else its writer's. The Article stays attributed to the writer.
 */
const senderOf = (entry: { writerId: string; publicationId: string | null }) => entry.publicationId ?? entry.writerId;

/**
 * An entry as an Article: its title, whole HTML, summary, times, its page and its proof (the
 * signed copy on Arweave, and the page that checks it), as Mastodon and others render it. An
 * entry in a publication names the publication's actor as its audience (FEP-1b12).
 */
export async function articleOf(ctx: Context<void>, db: Database, site: Site, entryId: string): Promise<Article | null> {
  const entry = await loadEntry(db, entryId);
  if (!entry?.writer.handle || entry.versions.length === 0) return null;
  return articleFrom(ctx, db, site, entry);
}

async function articleFrom(ctx: Context<void>, db: Database, site: Site, entry: EntryRow): Promise<Article> {
  const version = entry.versions[0]!;
  const pageUrl = entryUrl(site.publicUrl, entry);
  const proofUrl = `${site.publicUrl}/verify/${version.arweaveId}`;
  const html = absolute(await currentHtml(db, site.gatewayUrl, version), site.publicUrl);
  const footer = `<p><a href="${escapeHtml(pageUrl)}">Read on ${escapeHtml(new URL(site.publicUrl).host)}</a> · <a href="${escapeHtml(proofUrl)}">Signed by its writer, stored on Arweave as ${escapeHtml(version.arweaveId)}</a></p>`;
  return new Article({
    id: ctx.getObjectUri(Article, { id: entry.id }),
    attribution: ctx.getActorUri(entry.writerId),
    audience: entry.publicationId ? ctx.getActorUri(entry.publicationId) : null,
    to: PUBLIC_COLLECTION,
    cc: ctx.getFollowersUri(senderOf(entry)),
    name: entry.title,
    summary: entry.excerpt || null,
    content: html + footer,
    mediaType: "text/html",
    published: Temporal.Instant.from(entry.publishedAt.toISOString()),
    updated: entry.latestVersion > 1 ? Temporal.Instant.from(entry.updatedAt.toISOString()) : null,
    urls: [
      new Link({ href: new URL(pageUrl), mediaType: "text/html", rel: "alternate" }),
      new Link({ href: new URL(proofUrl), mediaType: "text/html", rel: "proof", name: "Proof: the writer's signature, checked against Arweave" }),
      new Link({ href: new URL(`${site.gatewayUrl}/${version.arweaveId}`), mediaType: "application/json", rel: "alternate", name: "The signed entry on Arweave" }),
    ],
  });
}

/** The activity that brings an entry's version to followers: Create for the first, Update after. */
export async function entryActivity(ctx: Context<void>, db: Database, site: Site, entryId: string, version: number): Promise<Create | Update | null> {
  const entry = await loadEntry(db, entryId);
  if (!entry?.writer.handle || entry.versions.length === 0) return null;
  const article = await articleFrom(ctx, db, site, entry);
  const values = {
    id: new URL(entryActivityId(site.publicUrl, entry.id, version)),
    actor: ctx.getActorUri(senderOf(entry)),
    object: article,
    to: PUBLIC_COLLECTION,
    cc: ctx.getFollowersUri(senderOf(entry)),
    published: version === 1 ? article.published : Temporal.Instant.from(entry.updatedAt.toISOString()),
  };
  return version === 1 ? new Create(values) : new Update(values);
}

/** The entries an actor sent: a publication's, or a writer's own not in a publication (those the publication sent). */
export const sentBy = (actorId: string) => ({ OR: [{ publicationId: actorId }, { writerId: actorId, publicationId: null }], ...VISIBLE });

/** One page of the entries an actor sent (`sentBy`), newest first, as the activities that published them. */
export async function outboxPage(ctx: Context<void>, db: Database, site: Site, writerId: string, cursor: number, size: number) {
  const entries = await db.entry.findMany({
    where: sentBy(writerId),
    orderBy: [{ publishedAt: "desc" }, { id: "desc" }],
    skip: cursor,
    take: size + 1,
    include: { writer: true, publication: { select: { handle: true } }, versions: { orderBy: { version: "desc" }, take: 1 } },
  });
  const items: Array<Create> = [];
  for (const entry of entries.slice(0, size)) {
    if (!entry.writer.handle || entry.versions.length === 0) continue;
    const article = await articleFrom(ctx, db, site, entry);
    items.push(new Create({ id: new URL(entryActivityId(site.publicUrl, entry.id, 1)), actor: ctx.getActorUri(writerId), object: article, to: PUBLIC_COLLECTION, cc: ctx.getFollowersUri(writerId), published: article.published }));
  }
  return { items, nextCursor: entries.length > size ? String(cursor + size) : null };
}

/**
 * A writer's reply to a post elsewhere, as it was sent: read back from the Create activity kept for
 * its delivery, so the reply's address answers with the reply itself.
 */
export async function replyNoteOf(ctx: Context<void>, db: Database, writerId: string, noteId: string): Promise<Note | null> {
  const id = ctx.getObjectUri(Note, { identifier: writerId, id: noteId });
  const row = await db.fediActivity.findUnique({ where: { id: `${id.href}#create` }, select: { writerId: true, json: true } });
  if (!row || row.writerId !== writerId) return null;
  const create = await Create.fromJsonLd(JSON.parse(row.json), { documentLoader: ctx.documentLoader, contextLoader: ctx.contextLoader });
  const note = await create.getObject({ documentLoader: ctx.documentLoader, contextLoader: ctx.contextLoader });
  return note instanceof Note && note.id?.href === id.href ? note : null;
}
