import type { Database } from "~/db.server";
import type { Env } from "~/env.server";
import { TooManyRequests, utcTime } from "~/modules/errors.server";
import { allowRequest, windowEnd } from "~/modules/subscriptions/rate-limit.server";

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;
const KB = 1024;

/**
 * Charges what the platform is about to pay the bundler for on a writer's behalf, before it pays:
 * one upload (an image, an avatar, an edition's cover or metadata) or one publication against the
 * hour's count, and its bytes against the day's. A charge that does not fit is refused with a 429
 * saying when the writer can go on, and nothing is uploaded. Counted in the shared RateLimit rows
 * (bytes as kilobytes), so every server process sees the same totals.
 */
export async function chargeWriter(db: Database, env: Env, writerId: string, what: "upload" | "publish", bytes: number, now = new Date()): Promise<void> {
  const { uploadsPerHour, publishesPerHour, bytesPerDay } = env.quota;
  const perHour = what === "upload" ? uploadsPerHour : publishesPerHour;
  if (!(await allowRequest(db, `${what}s:${writerId}`, { limit: perHour, windowMs: HOUR_MS }, now))) {
    const again = windowEnd(now, HOUR_MS);
    const done = what === "upload" ? `made ${perHour} uploads` : `published ${perHour} times`;
    throw new TooManyRequests(`You have ${done} this hour, the most the platform pays for; you can ${what} again at ${utcTime(again)}.`, again);
  }
  if (!(await allowRequest(db, `upload-kb:${writerId}`, { limit: Math.floor(bytesPerDay / KB), windowMs: DAY_MS }, now, Math.ceil(bytes / KB)))) {
    const again = windowEnd(now, DAY_MS);
    const megabytes = Number((bytesPerDay / KB / KB).toFixed(1));
    throw new TooManyRequests(`This would take you past ${megabytes} MB stored today, the most the platform pays for in a day; smaller files may still fit, and you can ${what} again at ${utcTime(again)}.`, again);
  }
}
