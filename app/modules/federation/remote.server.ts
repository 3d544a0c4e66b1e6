import crypto from "node:crypto";
import { Temporal } from "@js-temporal/polyfill";
import { Create, Follow, isActor, Like, Mention, Note, PUBLIC_COLLECTION, Undo, type Actor } from "@fedify/vocab";
import type { Database } from "~/db.server";
import type { Env } from "~/env.server";
import { MAX_REPLY_CHARS } from "~/modules/body-limits";
import { escapeHtml } from "~/modules/entries/document.server";
import { TooManyRequests, UserError, utcTime } from "~/modules/errors.server";
import { allowRequest, windowEnd, type Limit } from "~/modules/subscriptions/rate-limit.server";
import { RemoteAddressError } from "./addresses.server";
import { getFederation, handleOf } from "./federation.server";
import { enqueueDirect } from "./outbox.server";

/** How long the press waits for another server while someone waits for the page. */
const LOOKUP_MS = 10_000;
/** A WebFinger answer is a few hundred bytes; more is not one. */
const MAX_WEBFINGER_BYTES = 64 * 1024;
/** The longest account or address someone may type in. */
const MAX_INPUT = 2048;
const HOUR = 60 * 60 * 1000;
/** Accounts one writer may look up (follow) in an hour: each makes the press ask another server. */
export const LOOKUPS_PER_HOUR: Limit = { limit: 60, windowMs: HOUR };
/** Replies one writer may send in an hour: each is delivered to another server. */
export const REPLIES_PER_HOUR: Limit = { limit: 100, windowMs: HOUR };

async function withinLimit(db: Database, key: string, limit: Limit, what: string) {
  const now = new Date();
  if (await allowRequest(db, key, limit, now)) return;
  const again = windowEnd(now, limit.windowMs);
  throw new TooManyRequests(`You have ${what} ${limit.limit} times this hour, the most the press sends for one person; try again at ${utcTime(again)}.`, again);
}


const HANDLE = /^@?([^@\s/]+)@([^@\s/]+)$/;
const ACTIVITY_JSON = /^application\/(?:activity\+json|ld\+json\s*;\s*profile="https:\/\/www\.w3\.org\/ns\/activitystreams")$/i;

const notFound = (what: string) => new UserError(`No account ${what} was found on the social web. Check the spelling: an account looks like @name@example.social.`, 404);

/** The address of a page or actor the person typed, refused with the reason when the press may not ask it. */
async function checked(env: Env, db: Database, url: string): Promise<URL> {
  try {
    await getFederation(db, env).addresses.check(url);
  } catch (error) {
    if (!(error instanceof RemoteAddressError)) throw error;
    if (/DNS lookup failed/.test(error.message)) throw new UserError(`No server named ${new URL(url).hostname} was found.`, 404);
    throw new UserError(`The press does not contact ${new URL(url).host}: it is not a public address on the internet.`, 422);
  }
  return new URL(url);
}

/** Looks an object up with Fedify, through the press's document loaders; null when nothing usable answers. */
async function lookup(db: Database, env: Env, identifier: string | URL) {
  try {
    return await getFederation(db, env).context().lookupObject(identifier, { signal: AbortSignal.timeout(LOOKUP_MS) });
  } catch {
    return null;
  }
}

/**
 * The actor's ActivityPub address from a test origin's WebFinger, asked over the origin's own
 * scheme (Fedify always asks https://). Only for the configured test origins: another press on
 * loopback in a test.
 */
async function testWebFinger(origin: string, name: string, host: string): Promise<string | null> {
  const url = `${origin}/.well-known/webfinger?resource=${encodeURIComponent(`acct:${name}@${host}`)}`;
  let response: Response;
  try {
    response = await fetch(url, { headers: { accept: "application/jrd+json, application/json" }, redirect: "manual", signal: AbortSignal.timeout(LOOKUP_MS) });
  } catch {
    return null;
  }
  if (response.status !== 200 || Number(response.headers.get("content-length") ?? 0) > MAX_WEBFINGER_BYTES) return null;
  const text = await response.text();
  if (text.length > MAX_WEBFINGER_BYTES) return null;
  try {
    const jrd = JSON.parse(text) as { links?: Array<{ rel?: unknown; type?: unknown; href?: unknown }> };
    const self = jrd.links?.find((link) => link.rel === "self" && typeof link.type === "string" && ACTIVITY_JSON.test(link.type) && typeof link.href === "string");
    return typeof self?.href === "string" ? self.href : null;
  } catch {
    return null;
  }
}

/**
 * The account someone typed: `@name@host`, `name@host`, or the address of an actor or profile
 * page. Handles are found through WebFinger (over https, or over a test origin's own scheme), then
 * the actor fetched with Fedify. Throws a UserError saying what went wrong: malformed, not found,
 * not an account, or an address the press does not contact (loopback, private networks).
 */
export async function lookupRemoteActor(db: Database, env: Env, input: string): Promise<Actor> {
  const typed = input.trim();
  if (typed === "") throw new UserError("Type the account to follow, such as @name@example.social or the address of their profile.");
  if (typed.length > MAX_INPUT) throw new UserError("That is too long to be an account or an address.");
  const { addresses } = getFederation(db, env);
  let found;
  const handle = HANDLE.exec(typed);
  if (handle) {
    const [, name, rawHost] = handle as unknown as [string, string, string];
    if (!URL.canParse(`https://${rawHost}/`) || new URL(`https://${rawHost}/`).host !== rawHost.toLowerCase()) throw new UserError(`“${typed.slice(0, 200)}” is not an account: after the @ comes a server name such as example.social.`);
    const host = rawHost.toLowerCase();
    const origin = addresses.testOriginOfHost(host);
    if (origin) {
      const self = await testWebFinger(origin, name, host);
      if (!self) throw notFound(`@${name}@${host}`);
      found = await lookup(db, env, await checked(env, db, self));
    } else {
      await checked(env, db, `https://${host}/`);
      found = await lookup(db, env, `acct:${name}@${host}`);
    }
    if (!found) throw notFound(`@${name}@${host}`);
  } else if (/^https?:\/\//i.test(typed) && URL.canParse(typed)) {
    found = await lookup(db, env, await checked(env, db, typed));
    if (!found) throw notFound(`at ${typed.slice(0, 200)}`);
  } else {
    throw new UserError(`“${typed.slice(0, 200)}” is neither an account (@name@example.social) nor the address of a profile (https://…).`);
  }
  if (!isActor(found) || !found.id) throw new UserError("That address is a post or a page, not an account: give the account (@name@example.social) or its profile page.", 422);
  if (!found.inboxId) throw new UserError(`${handleOf(found)} cannot be followed: its server gives it no inbox.`, 422);
  await checked(env, db, found.id.href);
  await checked(env, db, found.inboxId.href);
  return found;
}

/** The local writer who acts, with the handle the social web knows them by; refused without one. */
async function actingWriter(db: Database, writerId: string) {
  const writer = await db.writer.findUnique({ where: { id: writerId }, select: { id: true, handle: true } });
  if (!writer) throw new UserError("Sign in again.", 401);
  if (!writer.handle) throw new UserError("Choose a handle in your profile first: it is your name on the social web (@handle@this press), and nobody can follow back or see a reply without it.", 409);
  return writer;
}

const urlOf = (value: unknown): string | null => (value instanceof URL ? value.href : value && typeof value === "object" && "href" in value && value.href instanceof URL ? value.href.href : null);

/**
 * Follows an account on the social web: remembers it as waiting for their answer and queues a
 * Follow to their inbox (the worker sends it; their Accept makes it `accepted`). Following again
 * sends the same Follow again, which their server takes as one; after a refusal it asks anew.
 */
export async function followRemote(db: Database, env: Env, writerId: string, input: string) {
  const writer = await actingWriter(db, writerId);
  await withinLimit(db, `fedi-lookup:${writer.id}`, LOOKUPS_PER_HOUR, "looked an account up");
  const actor = await lookupRemoteActor(db, env, input);
  const ctx = getFederation(db, env).context();
  const actorUri = ctx.getActorUri(writer.id);
  if (actor.id!.origin === new URL(env.publicUrl).origin) throw new UserError("That account is on this press: follow it from its page here.", 422);
  const existing = await db.remoteFollow.findUnique({ where: { writerId_actorId: { writerId: writer.id, actorId: actor.id!.href } } });
  const data = { handle: handleOf(actor), name: actor.name == null ? null : String(actor.name).slice(0, 200), url: urlOf(actor.url), inbox: actor.inboxId!.href };
  let follow = existing;
  if (!follow) {
    follow = await db.remoteFollow.upsert({
      where: { writerId_actorId: { writerId: writer.id, actorId: actor.id!.href } },
      create: { writerId: writer.id, actorId: actor.id!.href, followId: `${actorUri.href}#follows/${crypto.randomUUID()}`, ...data },
      update: data,
    });
  } else if (follow.status === "rejected") {
    follow = await db.remoteFollow.update({ where: { id: follow.id }, data: { ...data, status: "pending", followId: `${actorUri.href}#follows/${crypto.randomUUID()}` } });
  } else {
    follow = await db.remoteFollow.update({ where: { id: follow.id }, data });
  }
  if (follow.status === "accepted") return follow;
  const activity = new Follow({ id: new URL(follow.followId), actor: actorUri, object: actor.id, to: actor.id });
  await enqueueDirect(db, ctx, { writerId: writer.id, activity, inbox: follow.inbox, objectId: actor.id!.href });
  return follow;
}

/** Stops following an account: queues Undo(Follow) to their inbox and forgets the follow. */
export async function unfollowRemote(db: Database, env: Env, writerId: string, actorId: string): Promise<void> {
  const writer = await actingWriter(db, writerId);
  const follow = await db.remoteFollow.findUnique({ where: { writerId_actorId: { writerId: writer.id, actorId } } });
  if (!follow) return;
  const ctx = getFederation(db, env).context();
  const actorUri = ctx.getActorUri(writer.id);
  const undo = new Undo({
    id: new URL(`${actorUri.href}#undo/${crypto.randomUUID()}`),
    actor: actorUri,
    object: new Follow({ id: new URL(follow.followId), actor: actorUri, object: new URL(follow.actorId) }),
    to: new URL(follow.actorId),
  });
  await enqueueDirect(db, ctx, { writerId: writer.id, activity: undo, inbox: follow.inbox, objectId: follow.actorId });
  await db.remoteFollow.deleteMany({ where: { id: follow.id } });
}

/** A post on the writer's reading list (by someone they follow, who accepted), with its author's inbox; 404 otherwise. */
async function readablePost(db: Database, writerId: string, postId: string) {
  const post = await db.remotePost.findUnique({ where: { id: postId } });
  const author = post ? await db.remoteFollow.findUnique({ where: { writerId_actorId: { writerId, actorId: post.actorId } } }) : null;
  if (!post || author?.status !== "accepted") throw new UserError("That post is not on your reading list any more.", 404);
  return { post, author };
}

/** The id of a writer's Like of a post: one per post, so liking twice queues it once. */
const likeId = (actorUri: URL, postId: string) => new URL(`${actorUri.href}#likes/${crypto.createHash("sha256").update(postId).digest("hex").slice(0, 32)}`);

/** Likes a post on the reading list: a Like to its author's inbox, once. */
export async function likeRemote(db: Database, env: Env, writerId: string, postId: string): Promise<void> {
  const writer = await actingWriter(db, writerId);
  const { post, author } = await readablePost(db, writer.id, postId);
  const ctx = getFederation(db, env).context();
  const actorUri = ctx.getActorUri(writer.id);
  const like = new Like({ id: likeId(actorUri, post.id), actor: actorUri, object: new URL(post.id), to: new URL(author.actorId) });
  await enqueueDirect(db, ctx, { writerId: writer.id, activity: like, inbox: author.inbox, objectId: post.id });
}

/** Plain text as HTML paragraphs: blank lines part paragraphs, single line breaks stay breaks. */
export function textToHtml(text: string): string {
  return text
    .replace(/\r\n?/g, "\n")
    .split(/\n\s*\n/)
    .map((paragraph) => paragraph.trim())
    .filter(Boolean)
    .map((paragraph) => `<p>${escapeHtml(paragraph).replace(/\n/g, "<br>")}</p>`)
    .join("");
}

/**
 * Replies to a post on the reading list: a public Note in reply to it, mentioning its author,
 * copied to the writer's followers, sent to the author's inbox. The text is plain text, at most
 * MAX_REPLY_CHARS characters.
 */
export async function replyRemote(db: Database, env: Env, writerId: string, postId: string, text: string): Promise<string> {
  const writer = await actingWriter(db, writerId);
  const body = text.trim();
  if (body === "") throw new UserError("Write something to reply with.", 422);
  const length = [...body].length;
  if (length > MAX_REPLY_CHARS) throw new UserError(`A reply can be at most ${MAX_REPLY_CHARS.toLocaleString("en")} characters; this one is ${length.toLocaleString("en")}.`, 422);
  const { post, author } = await readablePost(db, writer.id, postId);
  await withinLimit(db, `fedi-reply:${writer.id}`, REPLIES_PER_HOUR, "replied");
  const ctx = getFederation(db, env).context();
  const actorUri = ctx.getActorUri(writer.id);
  const noteId = ctx.getObjectUri(Note, { identifier: writer.id, id: crypto.randomUUID() });
  const published = Temporal.Now.instant();
  const audience = { tos: [new URL(author.actorId), PUBLIC_COLLECTION], ccs: [ctx.getFollowersUri(writer.id)] };
  const note = new Note({
    id: noteId,
    attribution: actorUri,
    replyTarget: new URL(post.id),
    content: textToHtml(body),
    mediaType: "text/html",
    tags: [new Mention({ href: new URL(author.actorId), name: author.handle })],
    published,
    ...audience,
  });
  const create = new Create({ id: new URL(`${noteId.href}#create`), actor: actorUri, object: note, published, ...audience });
  await enqueueDirect(db, ctx, { writerId: writer.id, activity: create, inbox: author.inbox, objectId: post.id });
  return noteId.href;
}
