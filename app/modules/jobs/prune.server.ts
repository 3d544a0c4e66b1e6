import type { Database } from "~/db.server";
import { pruneNonces } from "~/modules/auth/siwe.server";
import { pruneFederationKv } from "~/modules/federation/kv.server";
import { pruneSessions } from "~/modules/auth/session.server";
import { pruneRateLimits } from "~/modules/subscriptions/rate-limit.server";
import { runRepeatedly } from "./loop.server";

const HOUR_MS = 60 * 60 * 1000;

/**
 * Deletes rows that can no longer be used: expired sign-in nonces and sessions, ended rate-limit
 * windows, and what the federation side cached until a time now past (remote keys and documents,
 * activity ids already handled).
 */
export async function pruneExpired(db: Database, now = new Date()) {
  return {
    nonces: await pruneNonces(db, now),
    sessions: await pruneSessions(db, now),
    rateLimits: await pruneRateLimits(db, now),
    federationKv: await pruneFederationKv(db, now),
  };
}

/** Prunes at start and then every `intervalMs` (an hour), so these tables hold what is live, not all that ever was. */
export function startPruner(db: Database, opts: { intervalMs?: number; log?: (line: string) => void } = {}) {
  return runRepeatedly(
    async () => {
      const pruned = await pruneExpired(db);
      if (pruned.nonces || pruned.sessions || pruned.rateLimits || pruned.federationKv) {
        opts.log?.(`pruned ${pruned.nonces} nonces, ${pruned.sessions} sessions, ${pruned.rateLimits} rate-limit windows, ${pruned.federationKv} expired federation cache entries`);
      }
    },
    { intervalMs: opts.intervalMs ?? HOUR_MS, onError: (error) => opts.log?.(`pruning failed: ${error.message}`) },
  );
}
