import type { Database } from "~/db.server";

export interface Limit {
  limit: number;
  windowMs: number;
}

/**
 * Counts one request against `key` in the current fixed window and says whether it is within the
 * limit. The count is one atomic upsert in the RateLimit table (the same SQL on SQLite and
 * PostgreSQL), so every server process shares it and concurrent requests cannot both slip under.
 */
export async function allowRequest(db: Database, key: string, { limit, windowMs }: Limit, now = new Date()): Promise<boolean> {
  const windowStart = new Date(Math.floor(now.getTime() / windowMs) * windowMs);
  const [row] = await db.$queryRaw<Array<{ count: number | bigint }>>`
    INSERT INTO "RateLimit" ("key", "windowStart", "count") VALUES (${key}, ${windowStart}, 1)
    ON CONFLICT ("key", "windowStart") DO UPDATE SET "count" = "RateLimit"."count" + 1
    RETURNING "count"`;
  return Number(row!.count) <= limit;
}

/**
 * Who is asking, for per-client limits: the last address in X-Forwarded-For, the one the proxy in
 * front of the app appended (earlier entries come from the client and prove nothing). Remix hands
 * the app no socket address, so without a proxy every request counts as the one client "direct".
 */
export function clientKey(request: Request): string {
  const hops = (request.headers.get("x-forwarded-for") ?? "").split(",").map((hop) => hop.trim()).filter(Boolean);
  return hops.length > 0 ? hops[hops.length - 1]!.slice(0, 64) : "direct";
}

/** Deletes windows that ended more than a day ago. */
export async function pruneRateLimits(db: Database, now = new Date()): Promise<number> {
  const { count } = await db.rateLimit.deleteMany({ where: { windowStart: { lt: new Date(now.getTime() - 24 * 60 * 60 * 1000) } } });
  return count;
}
