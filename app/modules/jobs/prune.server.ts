import type { Database } from "~/db.server";
import { pruneNonces } from "~/modules/auth/siwe.server";
import { pruneSessions } from "~/modules/auth/session.server";
import { pruneRateLimits } from "~/modules/subscriptions/rate-limit.server";
import { runRepeatedly } from "./loop.server";

const HOUR_MS = 60 * 60 * 1000;

/** Deletes rows that can no longer be used: expired sign-in nonces and sessions, ended rate-limit windows. */
export async function pruneExpired(db: Database, now = new Date()) {
  return { nonces: await pruneNonces(db, now), sessions: await pruneSessions(db, now), rateLimits: await pruneRateLimits(db, now) };
}

/** Prunes at start and then every `intervalMs` (an hour), so these tables hold what is live, not all that ever was. */
export function startPruner(db: Database, opts: { intervalMs?: number; log?: (line: string) => void } = {}) {
  return runRepeatedly(
    async () => {
      const pruned = await pruneExpired(db);
      if (pruned.nonces || pruned.sessions || pruned.rateLimits) opts.log?.(`pruned ${pruned.nonces} nonces, ${pruned.sessions} sessions, ${pruned.rateLimits} rate-limit windows`);
    },
    { intervalMs: opts.intervalMs ?? HOUR_MS, onError: (error) => opts.log?.(`pruning failed: ${error.message}`) },
  );
}
