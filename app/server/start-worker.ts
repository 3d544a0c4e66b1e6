/**
 * The worker role (`npm run start:worker`): the upload outbox, mail and newsletters, the chain
 * indexer and the pruner. Needs a database migrated by `npm run db:deploy`.
 */
import "./runtime";
import { getDb } from "~/db.server";
import { runRole } from "./role.server";
import { startWorkers } from "./worker.server";
import { logLine } from "./log.server";

void runRole("worker", async (env) => {
  const workers = startWorkers(getDb(), env, logLine);
  return { ready: "running the outbox, mail, newsletters, the indexer and the pruner", stop: workers.stop };
});
