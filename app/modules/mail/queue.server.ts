import { isPostgres, type Database } from "~/db.server";
import { Prisma } from "~/generated/prisma/sqlite/client";
import { retryDelayMs } from "~/modules/jobs/backoff.server";

/**
 * The SMTP side of the mail worker, for any table of messages to send: rows go
 * pending → (reserved) → sending → sent | failed, or back to pending with the jobs' backoff. The
 * single messages (app/modules/mail/outbox.server.ts) and the newsletters' deliveries
 * (app/modules/newsletters/) each describe their table with a `QueueSpec` and send through here.
 */

/** How long a worker holds rows it reserved but has not started sending. Nothing was sent for them: safe to take over. */
export const RESERVE_LOCK_MS = 60_000;
/**
 * How long a row may stay in an SMTP transaction. A row still "sending" after this belonged to a
 * worker that died (or hung) mid-transaction: whether the relay accepted it is unknown.
 */
export const SEND_LOCK_MS = 10 * 60_000;
/** Temporary refusals of one recipient (4xx at RCPT or DATA) before the delivery is given up. */
const MAX_RECIPIENT_ATTEMPTS = 10;
/**
 * Answers a lane records in one statement. Rows the relay accepted but not yet recorded count as
 * interrupted if the worker dies: a few more rows in that state, for far fewer writes.
 */
const RECORD_EVERY = 10;
export type Outcome =
  | { kind: "sent" }
  /** The recipient's server said "not now" (4xx at RCPT or DATA): retry later, a bounded number of times. */
  | { kind: "deferred"; error: string }
  /** The relay itself failed (connection refused or dropped, timeout, greeting, auth, MAIL FROM): retry, never give up. */
  | { kind: "relay"; error: string }
  /** The recipient's server refused for good (5xx at RCPT or DATA): record, and stop mailing the address. */
  | { kind: "refused"; error: string };

/** Sorts an SMTP error by whose problem it is, which decides whether to retry and whether the address bounced. */
export function classifySmtpError(error: unknown): Exclude<Outcome, { kind: "sent" }> {
  const { responseCode, command, message } = error as { responseCode?: number; command?: string; message?: string };
  const text = String(message ?? error).slice(0, 500);
  const atRecipient = command === "RCPT TO" || command === "DATA";
  if (atRecipient && responseCode !== undefined && responseCode >= 500) return { kind: "refused", error: text };
  if (atRecipient && responseCode !== undefined && responseCode >= 400) return { kind: "deferred", error: text };
  return { kind: "relay", error: text };
}

export interface QueueSpec {
  table: Prisma.Sql;
  /** Columns the sender needs, returned by the reservation. */
  columns: Prisma.Sql;
  /** Sets a stable Message-ID on the row as it goes into the SMTP transaction. */
  stampMessageId: boolean;
  /**
   * What happens to a row a dead worker left in an SMTP transaction. "give-up": it is recorded as
   * failed and not sent again (at most once: a newsletter twice is worse than a recorded gap);
   * "resend": it is sent again with the same Message-ID (a lost confirmation link blocks a reader;
   * a second one is harmless and relays that deduplicate drop it).
   */
  interrupted: "give-up" | "resend";
}

const INTERRUPTED = "interrupted: the worker stopped during the SMTP transaction, so whether the relay accepted it is unknown";

/** Settles rows whose worker died mid-transaction, by the queue's own rule. */
export async function settleInterrupted(db: Database, queue: QueueSpec, now: Date): Promise<number> {
  if (queue.interrupted === "give-up") {
    return db.$executeRaw`
      UPDATE ${queue.table} SET "status" = 'failed', "lockedUntil" = NULL, "lastError" = ${`${INTERRUPTED}; not sent again, to never send it twice`}
      WHERE "status" = 'sending' AND "lockedUntil" < ${now}`;
  }
  return db.$executeRaw`
    UPDATE ${queue.table} SET "status" = 'pending', "lockedUntil" = NULL, "nextAttemptAt" = ${now}, "lastError" = ${`${INTERRUPTED}; sent again with the same Message-ID`}
    WHERE "status" = 'sending' AND "lockedUntil" < ${now}`;
}

/**
 * Reserves up to `limit` due rows for this worker: a conditional update that only takes pending
 * rows no live worker holds, so a row is reserved by one worker at a time. On PostgreSQL the
 * candidates are picked once, in a CTE, with FOR UPDATE SKIP LOCKED, so workers racing for the same
 * rows take different ones instead of queueing behind each other (picked in a subquery of the
 * UPDATE instead, the planner may run the pick more than once and reserve more than `limit`).
 */
export async function reserve<Row>(db: Database, queue: QueueSpec, now: Date, lock: Date, limit: number): Promise<Row[]> {
  if (isPostgres(db)) {
    return db.$queryRaw<Row[]>`
      WITH "picked" AS (
        SELECT "id" AS "pickedId" FROM ${queue.table}
        WHERE "status" = 'pending' AND "nextAttemptAt" <= ${now} AND ("lockedUntil" IS NULL OR "lockedUntil" < ${now})
        ORDER BY "nextAttemptAt" LIMIT ${limit} FOR UPDATE SKIP LOCKED)
      UPDATE ${queue.table} SET "lockedUntil" = ${lock}
      FROM "picked" WHERE "id" = "picked"."pickedId"
      AND "status" = 'pending' AND ("lockedUntil" IS NULL OR "lockedUntil" < ${now})
      RETURNING ${queue.columns}`;
  }
  return db.$queryRaw<Row[]>`
    UPDATE ${queue.table} SET "lockedUntil" = ${lock}
    WHERE "id" IN (
      SELECT "id" FROM ${queue.table}
      WHERE "status" = 'pending' AND "nextAttemptAt" <= ${now} AND ("lockedUntil" IS NULL OR "lockedUntil" < ${now})
      ORDER BY "nextAttemptAt" LIMIT ${limit})
    AND "status" = 'pending' AND ("lockedUntil" IS NULL OR "lockedUntil" < ${now})
    RETURNING ${queue.columns}`;
}

/** Gives back reserved rows this worker will not send now. */
export async function release(db: Database, queue: QueueSpec, ids: string[], lock: Date) {
  if (ids.length === 0) return;
  await db.$executeRaw`UPDATE ${queue.table} SET "lockedUntil" = NULL WHERE "id" IN (${Prisma.join(ids)}) AND "status" = 'pending' AND "lockedUntil" = ${lock}`;
}

/**
 * Moves reserved rows into the SMTP transaction ("sending"), durably, right before they are handed
 * to the relay. Only rows this worker still holds move; only those are sent. This is the narrow
 * window the interrupted rule covers: per worker, one row per SMTP connection in flight, plus
 * answers not yet recorded.
 */
async function enterTransaction(db: Database, queue: QueueSpec, ids: string[], reserved: Date, now: Date, domain: string) {
  const messageId = queue.stampMessageId ? Prisma.sql`, "messageId" = '<' || "id" || ${`@${domain}>`}` : Prisma.empty;
  return db.$queryRaw<Array<{ id: string; attempts: number | bigint }>>`
    UPDATE ${queue.table} SET "status" = 'sending', "lockedUntil" = ${new Date(now.getTime() + SEND_LOCK_MS)}, "attempts" = "attempts" + 1 ${messageId}
    WHERE "id" IN (${Prisma.join(ids)}) AND "status" = 'pending' AND "lockedUntil" = ${reserved}
    RETURNING "id", "attempts"`;
}

type Verdict = "sent" | "failed" | "retry";

/** What becomes of a row after an attempt: refusals and recipients that kept deferring fail; everything else is retried. */
function verdictOf(outcome: Outcome, attempts: number): Verdict {
  if (outcome.kind === "sent") return "sent";
  if (outcome.kind === "refused" || (outcome.kind === "deferred" && attempts >= MAX_RECIPIENT_ATTEMPTS)) return "failed";
  return "retry";
}

/** Writes what the relay answered: one statement for every sent row, one per failure. */
async function record(db: Database, queue: QueueSpec, results: Array<{ id: string; attempts: number; outcome: Outcome; verdict: Verdict }>, now: Date) {
  if (results.length === 0) return;
  const sent = results.filter((r) => r.verdict === "sent").map((r) => r.id);
  if (sent.length > 0) {
    await db.$executeRaw`UPDATE ${queue.table} SET "status" = 'sent', "sentAt" = ${now}, "lockedUntil" = NULL, "lastError" = NULL WHERE "id" IN (${Prisma.join(sent)}) AND "status" = 'sending'`;
  }
  for (const { id, attempts, outcome, verdict } of results) {
    if (outcome.kind === "sent") continue;
    if (verdict === "failed") {
      await db.$executeRaw`UPDATE ${queue.table} SET "status" = 'failed', "lockedUntil" = NULL, "lastError" = ${outcome.error} WHERE "id" = ${id} AND "status" = 'sending'`;
    } else {
      const next = new Date(now.getTime() + retryDelayMs(attempts));
      await db.$executeRaw`UPDATE ${queue.table} SET "status" = 'pending', "nextAttemptAt" = ${next}, "lockedUntil" = NULL, "lastError" = ${outcome.error} WHERE "id" = ${id} AND "status" = 'sending'`;
    }
  }
}


/**
 * The lanes a worker sends through: one per SMTP connection (`concurrency`), for rows of any queue.
 */
export function createLanes(db: Database, opts: { domain: string; concurrency: number }) {
  const { domain } = opts;
  async function attempt(send: () => Promise<unknown>): Promise<Outcome> {
    try {
      await send();
      return { kind: "sent" };
    } catch (error) {
      return classifySmtpError(error);
    }
  }

  /**
   * Sends reserved rows through one lane per SMTP connection. A lane moves one row into the
   * transaction, hands it to the relay (where a connection is free for it at once), and records
   * the answers a few at a time. A relay failure stops every lane and gives the rest back; a
   * database failure stops them too and fails the pass (rows left in "sending" then count as
   * interrupted, reserved ones go back when their claim runs out).
   */
  async function sendReserved<Row extends { id: string }>(queue: QueueSpec, rows: Row[], reserved: Date, now: Date, send: (row: Row) => Promise<unknown>) {
    const result = { sent: 0, failed: 0, retried: 0, relayDown: false, refused: [] as Row[] };
    let next = 0;
    let failure: { error: unknown } | undefined;
    const lane = async () => {
      const answered: Array<{ id: string; attempts: number; outcome: Outcome; verdict: Verdict }> = [];
      while (!result.relayDown && !failure && next < rows.length) {
        const row = rows[next++]!;
        const [entered] = await enterTransaction(db, queue, [row.id], reserved, now, domain);
        if (!entered) continue;
        const attempts = Number(entered.attempts);
        const outcome = await attempt(() => send(row));
        const verdict = verdictOf(outcome, attempts);
        answered.push({ id: row.id, attempts, outcome, verdict });
        result[verdict === "retry" ? "retried" : verdict]++;
        if (outcome.kind === "refused") result.refused.push(row);
        if (outcome.kind === "relay") result.relayDown = true;
        if (answered.length >= RECORD_EVERY) await record(db, queue, answered.splice(0), now);
      }
      await record(db, queue, answered, now);
    };
    await Promise.all(Array.from({ length: opts.concurrency }, () => lane().catch((error: unknown) => void (failure ??= { error }))));
    if (failure) throw failure.error;
    if (result.relayDown) await release(db, queue, rows.slice(next).map((row) => row.id), reserved);
    return result;
  }
  /** Reserves up to `limit` due rows of `queue` for this worker, for RESERVE_LOCK_MS from `now`. */
  async function claim<Row>(queue: QueueSpec, now: Date, limit: number) {
    const reserved = new Date(now.getTime() + RESERVE_LOCK_MS);
    return { reserved, rows: await reserve<Row>(db, queue, now, reserved, limit) };
  }

  return { claim, sendReserved };
}

export type Lanes = ReturnType<typeof createLanes>;
