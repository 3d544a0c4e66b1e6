import type { Database } from "~/db.server";
import type { Env } from "~/env.server";
import { startIndexer } from "~/modules/editions/indexer.server";
import { startFederationWorker } from "~/modules/federation/delivery.server";
import { startOutboxWorker } from "~/modules/storage/outbox.server";
import { createLease } from "~/modules/jobs/lease.server";
import { startPruner } from "~/modules/jobs/prune.server";
import { startMailWorker } from "~/modules/mail/outbox.server";

/**
 * The worker role's background tasks: the upload outbox, the mail sender with the newsletter
 * planner, the social web's deliveries, the hourly pruner and the chain indexer. `stop()` lets each finish the row in hand.
 */
export function startWorkers(db: Database, env: Env, log: (part: string, line: string) => void) {
  // Uploads that a publish could not finish (bundler down, process stopped) resume here.
  const outbox = startOutboxWorker(db, env, { log: (line) => log("outbox", line) });
  // Confirmations, welcomes and newsletters: queued in the database, sent (and resumed) here.
  const mail = startMailWorker(db, env, { log: (line) => log("mail", line) });
  // Essays and answers to followers on the social web: planned per inbox, signed, sent and retried here.
  const federation = startFederationWorker(db, env, { log: (line) => log("federation", line) });
  // Expired nonces, sessions, rate-limit windows and federation cache entries are deleted, hourly.
  const pruner = startPruner(db, { log: (line) => log("prune", line) });
  // The database follows the chain: editions, purchases and withdrawals, reorgs undone.
  let indexer: ReturnType<typeof startIndexer> | undefined;
  try {
    // One reader of the chain at a time, whatever the number of workers.
    const lease = createLease(db, `indexer:${env.chain.id}`, { ttlMs: env.indexer.leaseMs });
    indexer = startIndexer(db, env, { log: (line) => log("indexer", line), lease });
  } catch (error) {
    log("indexer", `not started: ${(error as Error).message}`);
  }
  return {
    async stop() {
      await Promise.all([outbox.stop(), mail.stop(), federation.stop(), pruner.stop(), indexer?.stop()]);
    },
  };
}
