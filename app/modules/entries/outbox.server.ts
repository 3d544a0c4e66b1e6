import type { Database } from "~/db.server";
import type { Env } from "~/env.server";
import { runRepeatedly } from "~/modules/jobs/loop.server";
import { bundlerTarget, uploadDataItem } from "~/modules/storage/irys.server";

/** How long a worker holds a version it is uploading before another may take it over. */
const LOCK_MS = 60_000;
const BACKOFF_BASE_MS = 2_000;
const BACKOFF_MAX_MS = 10 * 60_000;

export type UploadStatus = "queued" | "uploaded" | "confirmed";

/** Exponential backoff with jitter, so a bundler coming back is not hit by every retry at once. */
export function retryDelayMs(attempts: number): number {
  const base = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempts - 1));
  return Math.round(base * (0.75 + Math.random() * 0.5));
}

async function gatewayServes(id: string, gatewayUrl: string): Promise<boolean> {
  try {
    return (await fetch(new URL(`/${id}`, gatewayUrl), { method: "HEAD", signal: AbortSignal.timeout(10_000) })).ok;
  } catch {
    return false;
  }
}

/** Marks an uploaded version confirmed once the gateway serves it, and drops the kept bytes. */
async function confirm(db: Database, env: Env, version: { id: string; arweaveId: string }, now: Date): Promise<boolean> {
  if (!(await gatewayServes(version.arweaveId, env.storage.gatewayUrl))) return false;
  await db.entryVersion.updateMany({ where: { id: version.id, status: "uploaded" }, data: { status: "confirmed", confirmedAt: now, dataItem: null } });
  return true;
}

/**
 * Uploads one queued version's data item, if no other worker holds it. The claim is a conditional
 * update, so on SQLite or PostgreSQL, in one process or several, a version is uploaded by one
 * worker at a time; a worker that dies holding it loses the claim after LOCK_MS. The bytes and so
 * the id never change between attempts: a retry cannot make a second copy.
 */
export async function uploadVersion(db: Database, env: Env, versionId: string, now = new Date()): Promise<UploadStatus> {
  const claimed = await db.entryVersion.updateMany({
    where: { id: versionId, status: "queued", OR: [{ lockedUntil: null }, { lockedUntil: { lt: now } }] },
    data: { lockedUntil: new Date(now.getTime() + LOCK_MS) },
  });
  const row = await db.entryVersion.findUniqueOrThrow({ where: { id: versionId }, select: { id: true, arweaveId: true, status: true, attempts: true, dataItem: true } });
  if (claimed.count !== 1) return row.status as UploadStatus;
  try {
    if (!row.dataItem) throw new Error("the data item is missing");
    await uploadDataItem({ id: row.arweaveId, bytes: Buffer.from(row.dataItem) }, bundlerTarget(env));
    await db.entryVersion.update({
      where: { id: row.id },
      data: { status: "uploaded", uploadedAt: new Date(), attempts: row.attempts + 1, lockedUntil: null, lastError: null },
    });
  } catch (error) {
    const attempts = row.attempts + 1;
    await db.entryVersion.update({
      where: { id: row.id },
      data: { attempts, nextAttemptAt: new Date(Date.now() + retryDelayMs(attempts)), lockedUntil: null, lastError: (error as Error).message.slice(0, 1000) },
    });
    return "queued";
  }
  return (await confirm(db, env, row, new Date())) ? "confirmed" : "uploaded";
}

/** One pass of the outbox: uploads what is due, confirms what the gateway now serves. */
export async function runOutboxOnce(db: Database, env: Env, now = new Date(), limit = 25) {
  const due = await db.entryVersion.findMany({
    where: { status: "queued", nextAttemptAt: { lte: now } },
    orderBy: { createdAt: "asc" },
    take: limit,
    select: { id: true },
  });
  let uploaded = 0;
  for (const { id } of due) if ((await uploadVersion(db, env, id, now)) !== "queued") uploaded++;
  const waiting = await db.entryVersion.findMany({ where: { status: "uploaded" }, take: limit, select: { id: true, arweaveId: true } });
  let confirmed = 0;
  for (const version of waiting) if (await confirm(db, env, version, now)) confirmed++;
  return { due: due.length, uploaded, confirmed };
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
