import type { Database } from "~/db.server";
import { databaseTime } from "~/modules/jobs/clock.server";

const REVIVE_WITHIN_MS = 30 * 24 * 60 * 60_000;

/**
 * A remote server was heard from (it posted a verified activity to an inbox here): its inboxes
 * given up as dead are tried again, with what they missed in the last 30 days. Cheap when there
 * is nothing to revive (one indexed read), as it runs on every inbox post.
 */
export async function reviveHost(db: Database, host: string, at?: Date): Promise<number> {
  const dead = await db.remoteInbox.findMany({ where: { host: host.toLowerCase(), deadAt: { not: null } }, select: { url: true } });
  if (dead.length === 0) return 0;
  const now = at ?? (await databaseTime(db));
  const urls = dead.map((inbox) => inbox.url);
  await db.remoteInbox.updateMany({ where: { url: { in: urls }, deadAt: { not: null } }, data: { deadAt: null, failingSince: null } });
  const { count } = await db.fediDelivery.updateMany({
    where: { inbox: { in: urls }, status: "dead", activity: { createdAt: { gte: new Date(now.getTime() - REVIVE_WITHIN_MS) } } },
    data: { status: "pending", nextAttemptAt: now, lockedUntil: null, lastError: null },
  });
  return count;
}
