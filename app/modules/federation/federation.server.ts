import crypto from "node:crypto";
import { createFederation, kvCache, type Context, type Federation, type InboxContext } from "@fedify/fedify";
import { Accept, Announce, Article, Create, Delete, Follow, isActor, Like, Link, Note, PUBLIC_COLLECTION, Reject, Undo, Update, type Actor, type Object as APObject } from "@fedify/vocab";
import type { Database } from "~/db.server";
import type { Env } from "~/env.server";
import { withoutUnpublishable } from "~/modules/text.server";
import { RemoteAddressError, RemoteAddresses } from "./addresses.server";
import { isBlocked } from "./blocks.server";
import { keyPairsOf } from "./keys.server";
import { DatabaseKvStore } from "./kv.server";
import { actorOf, articleOf, outboxPage, PATHS, replyNoteOf, sentBy, VISIBLE, type Site } from "./objects.server";
import { enqueueDirect } from "./outbox.server";
import { MAX_REMOTE_HTML, sanitizeRemoteHtml, webUrl } from "./sanitize.server";

export interface PressFederation {
  federation: Federation<void>;
  /** A context for work outside a request (the worker, a publish). */
  context(): Context<void>;
  addresses: RemoteAddresses;
  site: Site;
}

const OUTBOX_PAGE = 20;
const FOLLOWERS_PAGE = 100;

const cache = new WeakMap<object, PressFederation>();

/** The press's ActivityPub side (Fedify), one per database client. */
export function getFederation(db: Database, env: Env): PressFederation {
  let made = cache.get(db);
  if (!made) {
    made = buildFederation(db, env);
    cache.set(db, made);
  }
  return made;
}

/** `@name@host` of a remote actor, without asking its server again. */
export function handleOf(actor: { preferredUsername?: unknown; id: URL | null }): string {
  const name = withoutUnpublishable(typeof actor.preferredUsername === "string" ? actor.preferredUsername : String(actor.preferredUsername ?? "")).slice(0, 100);
  return `@${name || "unknown"}@${actor.id?.host ?? "unknown"}`;
}

/** Text another server sent (a name, a title), without what no published text may hold: a NUL, for one, cannot even be stored in PostgreSQL. */
const text = (value: unknown): string | null => (value == null ? null : withoutUnpublishable(String(value)));

/** The address a remote `url` names (a URL or a Link), for the sanitizer's rule on links (`webUrl`). */
const hrefOf = (value: unknown): string | null => (value instanceof URL ? value.href : value instanceof Link ? (value.href?.href ?? null) : null);

/**
 * A document an activity names, fetched; null when its address is one the press never asks
 * (loopback, private: see RemoteAddresses). The activity is then dropped with a 202: a 500 would
 * have its server send it again and again. Other failures (a server that is down) still fail it,
 * so it is sent again later.
 */
async function unlessRefused<T>(lookup: Promise<T>): Promise<T | null> {
  try {
    return await lookup;
  } catch (error) {
    if (error instanceof RemoteAddressError) return null;
    throw error;
  }
}

/** Whether the press may post to `inbox` at all: an actor can name any address as its inbox. */
const deliverable = (addresses: RemoteAddresses, inbox: URL): Promise<boolean> => addresses.check(inbox).then(() => true, () => false);
/** A fresh id for an activity of ours, under the actor that sends it. */
export const newId = (base: URL, kind: string) => new URL(`${base.href}#${kind}/${crypto.randomUUID()}`);

function buildFederation(db: Database, env: Env): PressFederation {
  const addresses = new RemoteAddresses(env.federation.testOrigins);
  const site: Site = { publicUrl: env.publicUrl, gatewayUrl: env.storage.gatewayUrl };
  const kv = new DatabaseKvStore(db);
  const federation = createFederation<void>({
    kv,
    origin: env.publicUrl,
    // Remote actors and keys are kept for a while (Fedify's cache rules), so a busy thread does not
    // fetch the same actor for every reply; Fedify caches only the loaders it makes itself.
    documentLoaderFactory: (options) => kvCache({ loader: addresses.documentLoaderFactory(options), kv, prefix: ["_fedify", "remoteDocument"] }),
    authenticatedDocumentLoaderFactory: addresses.authenticatedDocumentLoaderFactory,
    // Deliveries are the press's own rows, retried by its worker (decision 021).
    circuitBreaker: false,
  });

  federation
    .setActorDispatcher(PATHS.actor, async (ctx, identifier) => actorOf(ctx, db, site, identifier))
    .setKeyPairsDispatcher(async (_ctx, identifier) => {
      const writer = await db.writer.findUnique({ where: { id: identifier }, select: { handle: true } });
      return writer?.handle ? keyPairsOf(db, identifier) : [];
    })
    .mapHandle(async (_ctx, username) => {
      const writer = await db.writer.findUnique({ where: { handle: username.toLowerCase() }, select: { id: true } });
      return writer?.id ?? null;
    });

  federation.setObjectDispatcher(Article, PATHS.article, async (ctx, values) => articleOf(ctx, db, site, values.id));
  federation.setObjectDispatcher(Note, PATHS.note, async (ctx, values) => replyNoteOf(ctx, db, values.identifier, values.id));

  federation
    .setOutboxDispatcher(PATHS.outbox, async (ctx, identifier, cursor) => {
      if (cursor == null) return null;
      const at = Number.parseInt(cursor, 10);
      return outboxPage(ctx, db, site, identifier, Number.isSafeInteger(at) && at >= 0 ? at : 0, OUTBOX_PAGE);
    })
    .setFirstCursor(() => "0")
    .setCounter((_ctx, identifier) => db.entry.count({ where: sentBy(identifier) }));

  federation
    .setFollowersDispatcher(PATHS.followers, async (_ctx, identifier, cursor) => {
      const at = cursor == null ? 0 : Number.parseInt(cursor, 10) || 0;
      const rows = await db.follower.findMany({ where: { writerId: identifier }, orderBy: [{ createdAt: "asc" }, { id: "asc" }], skip: at, take: FOLLOWERS_PAGE + 1 });
      return {
        items: rows.slice(0, FOLLOWERS_PAGE).map((row) => ({ id: new URL(row.actorId), inboxId: new URL(row.inbox), endpoints: row.sharedInbox ? { sharedInbox: new URL(row.sharedInbox) } : null })),
        nextCursor: rows.length > FOLLOWERS_PAGE ? String(at + FOLLOWERS_PAGE) : null,
      };
    })
    .setFirstCursor(() => "0")
    .setCounter((_ctx, identifier) => db.follower.count({ where: { writerId: identifier } }));

  federation.setNodeInfoDispatcher(PATHS.nodeInfo, async () => {
    const [users, localPosts] = await Promise.all([db.writer.count({ where: { handle: { not: null } } }), db.entry.count({ where: VISIBLE })]);
    return {
      software: { name: "permanent-press", version: "0.1.0", homepage: new URL(env.publicUrl) },
      protocols: ["activitypub"],
      openRegistrations: true,
      usage: { users: { total: users }, localPosts, localComments: 0 },
    };
  });

  const inbox = federation.setInboxListeners(PATHS.inbox, PATHS.sharedInbox);
  const handlers = inboxHandlers(db, site, addresses);
  inbox
    .on(Follow, handlers.follow)
    .on(Undo, handlers.undo)
    .on(Accept, handlers.accept)
    .on(Reject, handlers.reject)
    .on(Like, handlers.like)
    .on(Announce, handlers.announce)
    .on(Create, handlers.createOrUpdate)
    .on(Update, handlers.createOrUpdate)
    .on(Delete, handlers.remove)
    .onError((_ctx, error) => {
      console.error(`[federation] inbox: ${(error as Error).message}`);
    });

  return { federation, context: () => federation.createContext(new URL(env.publicUrl)), addresses, site };
}

/** Whether a post is addressed to everyone (public or unlisted). */
function isPublic(object: APObject): boolean {
  return [...object.toIds, ...object.ccIds].some((id) => id.href === PUBLIC_COLLECTION.href);
}

/** The local entry an object id names (one of our Articles), or null. */
function entryIdOf(ctx: Context<void>, id: URL | null): string | null {
  const parsed = ctx.parseUri(id);
  return parsed?.type === "object" && parsed.class === Article ? (parsed.values.id ?? null) : null;
}

function inboxHandlers(db: Database, site: Site, addresses: RemoteAddresses) {
  return {
    async follow(ctx: InboxContext<void>, follow: Follow) {
      if (!follow.id || !follow.actorId || !follow.objectId) return;
      const target = ctx.parseUri(follow.objectId);
      if (target?.type !== "actor") return;
      const writer = await db.writer.findUnique({ where: { id: target.identifier } });
      if (!writer?.handle) return;
      const actor = await unlessRefused(follow.getActor(ctx));
      if (!actor || !isActor(actor) || !actor.id || !actor.inboxId || actor.id.href !== follow.actorId.href) return;
      // Accepts go to the inbox it names: never one inside the press's own network.
      if (!(await deliverable(addresses, actor.inboxId))) return;
      const sharedInbox = actor.endpoints?.sharedInbox ?? null;
      const actorUri = ctx.getActorUri(writer.id);
      if (await isBlocked(db, [writer.id], actor.id)) {
        const reject = new Reject({ id: newId(actorUri, "reject"), actor: actorUri, object: follow, to: actor.id });
        await enqueueDirect(db, ctx, { writerId: writer.id, activity: reject, inbox: actor.inboxId });
        return;
      }
      const data = {
        handle: handleOf(actor),
        name: text(actor.name)?.slice(0, 200) ?? null,
        url: webUrl(hrefOf(actor.url)),
        inbox: actor.inboxId.href,
        sharedInbox: sharedInbox && (await deliverable(addresses, sharedInbox)) ? sharedInbox.href : null,
        followId: follow.id.href,
      };
      await db.follower.upsert({ where: { writerId_actorId: { writerId: writer.id, actorId: actor.id.href } }, create: { writerId: writer.id, actorId: actor.id.href, ...data }, update: data });
      const accept = new Accept({ id: newId(actorUri, "accept"), actor: actorUri, object: new Follow({ id: follow.id, actor: follow.actorId, object: follow.objectId }), to: actor.id });
      await enqueueDirect(db, ctx, { writerId: writer.id, activity: accept, inbox: actor.inboxId });
    },

    async undo(ctx: InboxContext<void>, undo: Undo) {
      if (!undo.actorId) return;
      const object = await unlessRefused(undo.getObject(ctx));
      if (object instanceof Follow) {
        if (object.actorId?.href !== undo.actorId.href) return;
        const target = ctx.parseUri(object.objectId);
        if (target?.type !== "actor") return;
        await db.follower.deleteMany({ where: { writerId: target.identifier, actorId: undo.actorId.href } });
      } else if (object instanceof Like || object instanceof Announce) {
        if (!object.id) return;
        await db.reaction.deleteMany({ where: { id: object.id.href, actorId: undo.actorId.href } });
      }
    },

    async accept(_ctx: InboxContext<void>, accept: Accept) {
      await answered(db, accept, { status: "accepted", acceptedAt: new Date() });
    },

    async reject(_ctx: InboxContext<void>, reject: Reject) {
      await answered(db, reject, { status: "rejected" });
    },

    async like(ctx: InboxContext<void>, like: Like) {
      await react(ctx, db, like, "like");
    },

    async announce(ctx: InboxContext<void>, announce: Announce) {
      await react(ctx, db, announce, "announce");
    },

    async createOrUpdate(ctx: InboxContext<void>, activity: Create | Update) {
      if (!activity.actorId) return;
      const object = await unlessRefused(activity.getObject(ctx));
      if (!(object instanceof Note || object instanceof Article) || !object.id) return;
      // A post speaks for its author only: its server must be the actor's, and its author the actor.
      if (object.id.origin !== activity.actorId.origin || (object.attributionId && object.attributionId.href !== activity.actorId.href)) return;
      const html = sanitizeRemoteHtml(text(object.content)?.slice(0, MAX_REMOTE_HTML) ?? "");
      const published = object.published ? new Date(object.published.epochMilliseconds) : new Date();
      const updated = object.updated ? new Date(object.updated.epochMilliseconds) : published;
      const url = webUrl(hrefOf(object.url));
      const entryId = entryIdOf(ctx, object.replyTargetId);
      if (entryId) await saveResponse(ctx, db, { activity, object, entryId, html, published, url });
      // A post of someone a local writer follows goes to their reading list. The list is shown to
      // everyone here who follows its author, so only public posts go there: never a direct message
      // or a post for some followers.
      const followed = await db.remoteFollow.findFirst({ where: { actorId: activity.actorId.href, status: "accepted" }, select: { id: true } });
      if (followed && !entryId && !isPublic(object)) {
        await db.remotePost.deleteMany({ where: { id: object.id.href, actorId: activity.actorId.href } });
      } else if (followed && !entryId) {
        const data = {
          actorId: activity.actorId.href,
          url,
          type: object instanceof Article ? "Article" : "Note",
          title: text(object.name)?.slice(0, 500) ?? null,
          summary: text(object.summary) ? sanitizeRemoteHtml(text(object.summary)!) : null,
          html,
          inReplyTo: object.replyTargetId?.href ?? null,
          publishedAt: published,
          updatedAt: updated,
        };
        const existing = await db.remotePost.findUnique({ where: { id: object.id.href }, select: { actorId: true } });
        if (existing && existing.actorId !== activity.actorId.href) return;
        await db.remotePost.upsert({ where: { id: object.id.href }, create: { id: object.id.href, ...data }, update: data });
      }
    },

    async remove(_ctx: InboxContext<void>, activity: Delete) {
      if (!activity.actorId || !activity.objectId) return;
      const where = { id: activity.objectId.href, actorId: activity.actorId.href };
      await db.remotePost.deleteMany({ where });
      await db.response.deleteMany({ where });
    },
  };
}

/** Someone a local writer asked to follow answered: only they can answer that Follow of ours. */
async function answered(db: Database, answer: Accept | Reject, data: { status: "accepted" | "rejected"; acceptedAt?: Date }) {
  if (!answer.actorId || !answer.objectId) return;
  const follow = await db.remoteFollow.findUnique({ where: { followId: answer.objectId.href } });
  if (!follow || follow.actorId !== answer.actorId.href) return;
  await db.remoteFollow.update({ where: { id: follow.id }, data });
}

async function react(ctx: InboxContext<void>, db: Database, activity: Like | Announce, type: "like" | "announce") {
  if (!activity.id || !activity.actorId) return;
  const entryId = entryIdOf(ctx, activity.objectId);
  if (!entryId) return;
  const entry = await db.entry.findFirst({ where: { id: entryId, ...VISIBLE }, select: { writerId: true, publicationId: true } });
  if (!entry || (await isBlocked(db, [entry.writerId, entry.publicationId], activity.actorId))) return;
  try {
    await db.reaction.create({ data: { id: activity.id.href, entryId, actorId: activity.actorId.href, type } });
  } catch {
    // Liked or boosted already: one of each per account.
  }
}

async function saveResponse(
  ctx: InboxContext<void>,
  db: Database,
  reply: { activity: Create | Update; object: Note | Article; entryId: string; html: string; published: Date; url: string | null },
) {
  const { activity, object, entryId } = reply;
  const entry = await db.entry.findFirst({ where: { id: entryId, ...VISIBLE }, select: { writerId: true, publicationId: true } });
  if (!entry || !object.id || !activity.actorId) return;
  if (await isBlocked(db, [entry.writerId, entry.publicationId], activity.actorId)) return;
  const existing = await db.response.findUnique({ where: { id: object.id.href } });
  if (existing) {
    if (existing.actorId !== activity.actorId.href) return;
    // An edited reply is shown again only once the writer has seen it, if they approved the old one.
    await db.response.update({ where: { id: existing.id }, data: { html: reply.html, url: reply.url, ...(existing.status === "approved" ? { status: "pending" } : {}) } });
    return;
  }
  if (activity instanceof Update) return;
  let actor: Actor | null = null;
  try {
    const found = await activity.getActor(ctx);
    actor = found && isActor(found) ? found : null;
  } catch {
    actor = null;
  }
  await db.response.create({
    data: {
      id: object.id.href,
      entryId,
      writerId: entry.writerId,
      publicationId: entry.publicationId,
      actorId: activity.actorId.href,
      handle: actor ? handleOf(actor) : `@unknown@${activity.actorId.host}`,
      name: text(actor?.name)?.slice(0, 200) ?? null,
      actorUrl: webUrl(hrefOf(actor?.url)),
      url: reply.url,
      html: reply.html,
      publishedAt: reply.published,
    },
  });
}
