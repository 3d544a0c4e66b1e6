/**
 * Runs one pass of the upload outbox in a process of its own, starting at `START_AT` (milliseconds
 * since the epoch), so a test can have several processes race over the same queued rows. Settings
 * (DATABASE_URL, IRYS_URL, ...) come from the environment; the pass's counts are printed as JSON.
 */
import { getDb } from "~/db.server";
import { getEnv } from "~/env.server";
import { runOutboxOnce } from "~/modules/storage/outbox.server";

const startAt = Number(process.env.START_AT ?? Date.now());
void new Promise((resolve) => setTimeout(resolve, Math.max(0, startAt - Date.now())))
  .then(() => runOutboxOnce(getDb(), getEnv(), new Date(Number(process.env.OUTBOX_NOW ?? Date.now()))))
  .then((result) => {
    console.log(JSON.stringify(result));
    process.exit(0);
  });
