import type { Database } from "~/db.server";

export interface Limit {
  limit: number;
  windowMs: number;
}

/** When the fixed window that holds `now` ends: when a refused request may be made again. */
export function windowEnd(now: Date, windowMs: number): Date {
  return new Date((Math.floor(now.getTime() / windowMs) + 1) * windowMs);
}

/**
 * Counts `amount` (one request, or a quantity such as kilobytes) against `key` in the current fixed
 * window and says whether it fits within the limit. The count is one atomic upsert in the
 * RateLimit table (the same SQL on SQLite and PostgreSQL), so every server process shares it and
 * concurrent requests cannot both slip under. What is refused is not counted: a large amount that
 * does not fit leaves room for a smaller one.
 */
export async function allowRequest(db: Database, key: string, { limit, windowMs }: Limit, now = new Date(), amount = 1): Promise<boolean> {
  if (amount > limit) return false;
  const windowStart = new Date(Math.floor(now.getTime() / windowMs) * windowMs);
  const rows = await db.$queryRaw<Array<{ count: number | bigint }>>`
    INSERT INTO "RateLimit" ("key", "windowStart", "count") VALUES (${key}, ${windowStart}, ${amount})
    ON CONFLICT ("key", "windowStart") DO UPDATE SET "count" = "RateLimit"."count" + ${amount}
    WHERE "RateLimit"."count" + ${amount} <= ${limit}
    RETURNING "count"`;
  return rows.length === 1;
}

/**
 * Who is asking, for per-client limits. With no proxy in front (`trustedProxies` 0), the address
 * the connection came from; X-Forwarded-For is ignored, since anyone can send it. Behind N proxies,
 * the address the outermost one saw: the N-th entry from the end of X-Forwarded-For (entries before
 * it come from the client and prove nothing), or the farthest known when the header is shorter.
 */
export function clientKey(request: Request, context: { clientAddress?: string }, trustedProxies: number): string {
  const forwarded = (request.headers.get("x-forwarded-for") ?? "").split(",").map((hop) => hop.trim()).filter(Boolean);
  const nearestFirst = [context.clientAddress ?? "unknown", ...forwarded.reverse()];
  return nearestFirst[Math.min(trustedProxies, nearestFirst.length - 1)]!.slice(0, 64);
}

/** Deletes windows that ended: none is longer than a day. */
export async function pruneRateLimits(db: Database, now = new Date()): Promise<number> {
  const { count } = await db.rateLimit.deleteMany({ where: { windowStart: { lt: new Date(now.getTime() - 24 * 60 * 60 * 1000) } } });
  return count;
}
