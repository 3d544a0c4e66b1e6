import type { Database } from "~/db.server";
import type { Env } from "~/env.server";
import { UserError } from "~/modules/errors.server";
import { isBlocked } from "./blocks.server";
import { loadFederation } from "./lazy.server";
import { dropFollowers } from "./followers.server";
import { RESPONSE_STATUSES, type ResponseStatus } from "./response-statuses";
import { sanitizeRemoteHtml, webUrl } from "./sanitize.server";
import { ENTRY_ADDRESS, entryHome, entryPath } from "~/modules/reading/entry-urls.server";

const PAGE_SIZE = 30;

/** The most responses an entry page shows: the earliest, in the order they were written. */
export const MAX_SHOWN_RESPONSES = 200;

export type BlockKind = "actor" | "instance";

const NOT_FOUND = "There is no such response among the replies to your entries.";

/** What the press shows of a reply's author and the reply: only web links, HTML through today's rules. */
function shown(row: { id: string; handle: string; name: string | null; actorId: string; actorUrl: string | null; url: string | null; html: string; publishedAt: Date }) {
  return {
    id: row.id,
    author: { handle: row.handle, name: row.name, profileUrl: webUrl(row.actorUrl) ?? webUrl(row.actorId) },
    url: webUrl(row.url) ?? webUrl(row.id),
    // Sanitized when it arrived; again here, so that a row kept from before a rule changed follows it too.
    html: sanitizeRemoteHtml(row.html),
    publishedAt: row.publishedAt,
  };
}

/** Whether `actorId` lives on server `host` (as a block of an instance names it: host and port, lower case). */
const onHost = (actorId: string, host: string) => URL.canParse(actorId) && new URL(actorId).host.toLowerCase() === host;

/** Rows whose actor is `value` (an account) or is on `value` (a server); a server's are narrowed by `onHost` after. */
const byActor = (kind: BlockKind, value: string) =>
  kind === "actor" ? { actorId: value } : { OR: [{ actorId: { startsWith: `https://${value}/` } }, { actorId: { startsWith: `http://${value}/` } }] };

/**
 * What a writer moderates (decision 022): the replies to their own entries, and, as the owner of a
 * publication, those to every entry in it, whoever wrote it; `publications` are those they own.
 */
async function moderation(db: Database, writerId: string) {
  const publications = (await db.publication.findMany({ where: { ownerId: writerId }, select: { writerId: true } })).map((p) => p.writerId);
  // Entry and Response rows name their author and publication alike: one filter serves both.
  const where = publications.length ? { OR: [{ writerId }, { publicationId: { in: publications } }] } : { writerId };
  return { publications, where };
}

/**
 * One page of the replies to a writer's entries in one status (pending unless another is asked
 * for), newest first, each with the entry it answers, and how many there are in each status.
 */
export async function listResponses(db: Database, writer: { id: string; handle: string | null }, opts: { status?: string; page?: number } = {}) {
  const status: ResponseStatus = RESPONSE_STATUSES.includes(opts.status as ResponseStatus) ? (opts.status as ResponseStatus) : "pending";
  const page = Math.max(1, Math.floor(opts.page ?? 1) || 1);
  const { where: responses } = await moderation(db, writer.id);
  const [groups, rows, blocks] = await Promise.all([
    db.response.groupBy({ by: ["status"], where: responses, _count: { _all: true } }),
    db.response.findMany({ where: { ...responses, status }, orderBy: [{ publishedAt: "desc" }, { id: "asc" }], skip: (page - 1) * PAGE_SIZE, take: PAGE_SIZE }),
    db.fediBlock.findMany({ where: { writerId: writer.id }, select: { kind: true, value: true } }),
  ]);
  const entries = new Map(
    (await db.entry.findMany({ where: { id: { in: [...new Set(rows.map((row) => row.entryId))] } }, select: { id: true, title: true, ...ENTRY_ADDRESS } })).map((entry) => [entry.id, entry]),
  );
  const counts = Object.fromEntries(RESPONSE_STATUSES.map((s) => [s, 0])) as Record<ResponseStatus, number>;
  for (const group of groups) if (group.status in counts) counts[group.status as ResponseStatus] = group._count._all;
  const blockedActors = new Set(blocks.filter((b) => b.kind === "actor").map((b) => b.value));
  const blockedHosts = new Set(blocks.filter((b) => b.kind === "instance").map((b) => b.value));
  return {
    status,
    counts,
    page,
    pages: Math.max(1, Math.ceil(counts[status] / PAGE_SIZE)),
    rows: rows.map((row) => {
      const entry = entries.get(row.entryId);
      return {
        ...shown(row),
        status: row.status as ResponseStatus,
        entry: entry ? { title: entry.title, path: entryHome(entry).handle ? entryPath(entry) : null } : null,
        blocked: blockedActors.has(row.actorId) ? ("actor" as const) : URL.canParse(row.actorId) && blockedHosts.has(new URL(row.actorId).host.toLowerCase()) ? ("instance" as const) : null,
      };
    }),
  };
}

/**
 * The writer approves a reply (it shows under the entry, also after it was hidden) or hides it
 * (it shows nowhere). Only replies they moderate (`moderation`): anyone else's is not found. A reply from
 * an account or server they blocked, or the owner of the entry's publication blocked, cannot be
 * approved until it is unblocked.
 */
export async function setResponseStatus(db: Database, writerId: string, id: string, status: "approved" | "hidden"): Promise<void> {
  const response = await db.response.findFirst({ where: { id, ...(await moderation(db, writerId)).where }, select: { actorId: true, publicationId: true } });
  if (!response) throw new UserError(NOT_FOUND, 404);
  // The owner's blocks hold for their publication's entries, as when a reply arrives: its author cannot approve past them.
  if (status === "approved" && (await isBlocked(db, [writerId, response.publicationId], response.actorId))) {
    throw new UserError("You blocked this account or its server: unblock it before you approve its replies.", 409);
  }
  // Unchanged, the row is left alone: its time of change moves the entry page's ETag.
  await db.response.updateMany({ where: { id, status: { not: status } }, data: { status, updatedAt: new Date() } });
}

/**
 * The writer blocks the author of one of the replies they moderate (`actor`), or their whole
 * server (`instance`): every reply from there they moderate is hidden, its likes and boosts of
 * those entries no longer count, its accounts stop following the writer and the publications they
 * own (each is sent a Reject of its Follow, from the account it followed), and whatever they send
 * later is ignored (federation.server.ts asks `isBlocked`, which counts an owner's blocks for
 * their publications).
 */
export async function blockAuthor(db: Database, env: Env, writerId: string, responseId: string, kind: BlockKind): Promise<{ kind: BlockKind; value: string }> {
  const mine = await moderation(db, writerId);
  const response = await db.response.findFirst({ where: { id: responseId, ...mine.where }, select: { actorId: true } });
  if (!response || !URL.canParse(response.actorId)) throw new UserError(NOT_FOUND, 404);
  const actor = new URL(response.actorId);
  const value = kind === "actor" ? actor.href : actor.host.toLowerCase();
  const matches = (actorId: string) => (kind === "actor" ? actorId === value : onHost(actorId, value));
  const ctx = (await loadFederation()).getFederation(db, env).context();
  const entryIds = (await db.entry.findMany({ where: mine.where, select: { id: true } })).map((entry) => entry.id);
  await db.$transaction(async (tx) => {
    // The block first: what arrives from them from now on is turned away.
    await tx.fediBlock.upsert({ where: { writerId_kind_value: { writerId, kind, value } }, create: { writerId, kind, value }, update: {} });
    const replies = (await tx.response.findMany({ where: { AND: [mine.where, byActor(kind, value)], status: { not: "hidden" } }, select: { id: true, actorId: true } })).filter((r) => matches(r.actorId));
    if (replies.length) await tx.response.updateMany({ where: { id: { in: replies.map((r) => r.id) } }, data: { status: "hidden", updatedAt: new Date() } });
    const reactions = (await tx.reaction.findMany({ where: { entryId: { in: entryIds }, ...byActor(kind, value) }, select: { id: true, actorId: true } })).filter((r) => matches(r.actorId));
    if (reactions.length) await tx.reaction.deleteMany({ where: { id: { in: reactions.map((r) => r.id) } } });
    const followers = (await tx.follower.findMany({ where: { writerId: { in: [writerId, ...mine.publications] }, ...byActor(kind, value) } })).filter((f) => matches(f.actorId));
    for (const account of [writerId, ...mine.publications]) {
      await dropFollowers(tx, ctx, account, followers.filter((f) => f.writerId === account));
    }
  });
  return { kind, value };
}

/** A writer's blocks, newest first, each named as people know it: an account by its handle when the press has seen one. */
export async function listBlocks(db: Database, writerId: string) {
  const blocks = await db.fediBlock.findMany({ where: { writerId }, orderBy: [{ createdAt: "desc" }, { id: "asc" }] });
  const actors = blocks.filter((b) => b.kind === "actor").map((b) => b.value);
  const seen = actors.length ? await db.response.findMany({ where: { ...(await moderation(db, writerId)).where, actorId: { in: actors } }, select: { actorId: true, handle: true }, distinct: ["actorId"] }) : [];
  const handles = new Map(seen.map((row) => [row.actorId, row.handle]));
  return blocks.map((block) => ({
    id: block.id,
    kind: block.kind as BlockKind,
    label: block.kind === "actor" ? (handles.get(block.value) ?? block.value) : block.value,
    profileUrl: block.kind === "actor" ? webUrl(block.value) : null,
    since: block.createdAt,
  }));
}

/**
 * The writer lifts one of their blocks: what the account or server sends from now on is received
 * again. What the block hid stays hidden, and removed followers follow again only if they ask.
 */
export async function unblock(db: Database, writerId: string, blockId: string): Promise<void> {
  const removed = await db.fediBlock.deleteMany({ where: { id: blockId, writerId } });
  if (removed.count === 0) throw new UserError("There is no such block among yours: it may have been lifted already.", 404);
}

/** The replies a writer approved under one entry, in the order they were written (the first `MAX_SHOWN_RESPONSES`). */
export async function approvedResponses(db: Database, entryId: string) {
  const rows = await db.response.findMany({
    where: { entryId, status: "approved" },
    orderBy: [{ publishedAt: "asc" }, { id: "asc" }],
    take: MAX_SHOWN_RESPONSES,
    select: { id: true, handle: true, name: true, actorId: true, actorUrl: true, url: true, html: true, publishedAt: true },
  });
  return rows.map(shown);
}

/** How many replies the writer moderates wait for them. */
export const pendingResponses = async (db: Database, writerId: string) => db.response.count({ where: { ...(await moderation(db, writerId)).where, status: "pending" } });
