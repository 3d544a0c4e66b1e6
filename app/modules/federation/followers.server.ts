import type { Context } from "@fedify/fedify";
import type { Database } from "~/db.server";
import type { Env } from "~/env.server";
import { UserError } from "~/modules/errors.server";
import { loadFederation, loadVocabulary } from "./lazy.server";
import { enqueueDirect } from "./outbox.server";
import { webUrl } from "./sanitize.server";

type Tx = Parameters<Parameters<Database["$transaction"]>[0]>[0];

const PAGE_SIZE = 50;

/** One page of a writer's followers on the social web, newest first, with how many there are in all. */
export async function listFollowers(db: Database, writerId: string, page = 1) {
  const at = Math.max(1, Math.floor(page) || 1);
  const [total, rows] = await Promise.all([
    db.follower.count({ where: { writerId } }),
    db.follower.findMany({ where: { writerId }, orderBy: [{ createdAt: "desc" }, { id: "asc" }], skip: (at - 1) * PAGE_SIZE, take: PAGE_SIZE }),
  ]);
  return {
    total,
    page: at,
    pages: Math.max(1, Math.ceil(total / PAGE_SIZE)),
    rows: rows.map((row) => ({ id: row.id, handle: row.handle, name: row.name, profileUrl: webUrl(row.url) ?? webUrl(row.actorId), since: row.createdAt })),
  };
}

/**
 * Ends these followers' follow of the writer, in the transaction `tx`: their rows go (so nothing
 * the writer publishes reaches them any more) and each is sent a Reject of the Follow it sent,
 * which is how Mastodon and its kin learn they were removed. A row already gone is skipped.
 */
export async function dropFollowers(tx: Tx, ctx: Context<void>, writerId: string, followers: Array<{ id: string; actorId: string; inbox: string; followId: string }>) {
  const [{ Follow, Reject }, { newId }] = await Promise.all([loadVocabulary(), loadFederation()]);
  const writer = ctx.getActorUri(writerId);
  for (const follower of followers) {
    const gone = await tx.follower.deleteMany({ where: { id: follower.id, writerId } });
    if (gone.count === 0) continue;
    const actor = new URL(follower.actorId);
    const follow = new Follow({ id: new URL(follower.followId), actor, object: writer });
    const reject = new Reject({ id: newId(writer, "reject"), actor: writer, object: follow, to: actor });
    await enqueueDirect(tx, ctx, { writerId, activity: reject, inbox: follower.inbox });
  }
}

/** The writer removes one of their followers on the social web (theirs only: anyone else's is not found). */
export async function removeFollower(db: Database, env: Env, writerId: string, followerId: string): Promise<{ handle: string }> {
  const follower = await db.follower.findFirst({ where: { id: followerId, writerId } });
  if (!follower) throw new UserError("That follower is not among yours: they may have been removed already.", 404);
  const ctx = (await loadFederation()).getFederation(db, env).context();
  await db.$transaction((tx) => dropFollowers(tx, ctx, writerId, [follower]));
  return { handle: follower.handle };
}
