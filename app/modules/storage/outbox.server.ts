import type { Database } from "~/db.server";
import type { Env } from "~/env.server";
import { retryDelayMs } from "~/modules/jobs/backoff.server";
import { databaseTime } from "~/modules/jobs/clock.server";
import { runRepeatedly } from "~/modules/jobs/loop.server";
import { bundlerTarget, uploadDataItem } from "./irys.server";

/** How long a worker holds a row it is uploading before another may take it over. */
const LOCK_MS = 60_000;

export type UploadStatus = "queued" | "uploaded" | "confirmed";

/**
 * The columns every row that carries a data item to Arweave has: an entry's version
 * (EntryVersion) and any other file (Upload). The row is written with the signed data item before
 * anything is uploaded, and the outbox takes it from there: claimed by one worker at a time,
 * uploaded with the same bytes on every attempt, confirmed once the gateway serves it.
 */
interface QueuedRow {
  id: string;
  arweaveId: string;
  status: string;
  attempts: number;
  dataItem: Uint8Array | null;
}

interface OutboxRows {
  findMany(args: {
    where: { status: string; nextAttemptAt?: { lte: Date } };
    orderBy?: { createdAt: "asc" };
    take: number;
    select: { id: true; arweaveId: true };
  }): Promise<Array<{ id: string; arweaveId: string }>>;
  findUniqueOrThrow(args: { where: { id: string }; select: { id: true; arweaveId: true; status: true; attempts: true; dataItem: true } }): Promise<QueuedRow>;
  updateMany(args: {
    where: { id: string; status: string; OR?: Array<{ lockedUntil: null } | { lockedUntil: { lt: Date } }> };
    data: { lockedUntil: Date } | { status: "confirmed"; confirmedAt: Date; dataItem: null };
  }): Promise<{ count: number }>;
  update(args: {
    where: { id: string };
    data: { status?: "uploaded"; uploadedAt?: Date; attempts: number; nextAttemptAt?: Date; lockedUntil: null; lastError: string | null };
  }): Promise<unknown>;
}

/** The tables the outbox uploads from, versions first: an essay matters more than its pictures. */
const QUEUES = {
  version: (db: Database): OutboxRows => db.entryVersion,
  upload: (db: Database): OutboxRows => db.upload,
};

export type Queue = keyof typeof QUEUES;

async function gatewayServes(id: string, gatewayUrl: string): Promise<boolean> {
  try {
    return (await fetch(new URL(`/${id}`, gatewayUrl), { method: "HEAD", signal: AbortSignal.timeout(10_000) })).ok;
  } catch {
    return false;
  }
}

/** Marks an uploaded row confirmed once the gateway serves it, and drops the kept bytes. */
async function confirm(rows: OutboxRows, env: Env, row: { id: string; arweaveId: string }, now: Date): Promise<boolean> {
  if (!(await gatewayServes(row.arweaveId, env.storage.gatewayUrl))) return false;
  await rows.updateMany({ where: { id: row.id, status: "uploaded" }, data: { status: "confirmed", confirmedAt: now, dataItem: null } });
  return true;
}

/**
 * Uploads one queued row's data item, if no other worker holds it. The claim is a conditional
 * update, so on SQLite or PostgreSQL, in one process or several, a row is uploaded by one worker at
 * a time; a worker that dies holding it loses the claim after LOCK_MS. The bytes and so the id
 * never change between attempts: a retry cannot make a second copy. `claimed` says whether this
 * call did the work; `status` is the row's status afterwards.
 */
export async function uploadQueued(db: Database, env: Env, queue: Queue, rowId: string, at?: Date): Promise<{ claimed: boolean; status: UploadStatus }> {
  const now = at ?? (await databaseTime(db));
  const rows = QUEUES[queue](db);
  const claim = await rows.updateMany({
    where: { id: rowId, status: "queued", OR: [{ lockedUntil: null }, { lockedUntil: { lt: now } }] },
    data: { lockedUntil: new Date(now.getTime() + LOCK_MS) },
  });
  const row = await rows.findUniqueOrThrow({ where: { id: rowId }, select: { id: true, arweaveId: true, status: true, attempts: true, dataItem: true } });
  if (claim.count !== 1) return { claimed: false, status: row.status as UploadStatus };
  try {
    // Only a web process of the release before the outbox writes a row without its bytes, and it
    // writes it after its own upload: nothing is left to send, the gateway's copy is awaited.
    if (row.dataItem) await uploadDataItem({ id: row.arweaveId, bytes: Buffer.from(row.dataItem) }, bundlerTarget(env));
    await rows.update({ where: { id: row.id }, data: { status: "uploaded", uploadedAt: new Date(), attempts: row.attempts + 1, lockedUntil: null, lastError: null } });
  } catch (error) {
    const attempts = row.attempts + 1;
    await rows.update({
      where: { id: row.id },
      data: { attempts, nextAttemptAt: new Date(now.getTime() + retryDelayMs(attempts)), lockedUntil: null, lastError: (error as Error).message.slice(0, 1000) },
    });
    return { claimed: true, status: "queued" };
  }
  return { claimed: true, status: (await confirm(rows, env, row, new Date())) ? "confirmed" : "uploaded" };
}

/**
 * One pass of the outbox over every queue: uploads what is due, confirms what the gateway now
 * serves. `uploaded` counts the rows this pass uploaded, not those another worker did meanwhile.
 * Claims are timed by the database's clock (`now` only in tests that move time on).
 */
export async function runOutboxOnce(db: Database, env: Env, at?: Date, limit = 25) {
  const now = at ?? (await databaseTime(db));
  const result = { due: 0, uploaded: 0, confirmed: 0 };
  for (const queue of Object.keys(QUEUES) as Queue[]) {
    const rows = QUEUES[queue](db);
    const due = await rows.findMany({ where: { status: "queued", nextAttemptAt: { lte: now } }, orderBy: { createdAt: "asc" }, take: limit, select: { id: true, arweaveId: true } });
    result.due += due.length;
    for (const { id } of due) {
      const attempt = await uploadQueued(db, env, queue, id, now);
      if (attempt.claimed && attempt.status !== "queued") result.uploaded++;
    }
    const waiting = await rows.findMany({ where: { status: "uploaded" }, take: limit, select: { id: true, arweaveId: true } });
    for (const row of waiting) if (await confirm(rows, env, row, now)) result.confirmed++;
  }
  return result;
}

/** Runs the outbox every `intervalMs` until stopped; a failing pass is logged and the loop goes on. */
export function startOutboxWorker(db: Database, env: Env, opts: { intervalMs?: number; log?: (line: string) => void } = {}) {
  return runRepeatedly(
    async () => {
      const result = await runOutboxOnce(db, env);
      if (result.uploaded || result.confirmed) opts.log?.(`uploaded ${result.uploaded}, confirmed ${result.confirmed}`);
    },
    { intervalMs: opts.intervalMs ?? 2_000, onError: (error) => opts.log?.(`outbox pass failed: ${error.message}`) },
  );
}
