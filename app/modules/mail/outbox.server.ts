import net from "node:net";
import nodemailer from "nodemailer";
import { parseConnectionUrl } from "nodemailer/lib/shared";
import type SMTPPool from "nodemailer/lib/smtp-pool";
import { isPostgres, type Database } from "~/db.server";
import type { Env } from "~/env.server";
import { Prisma } from "~/generated/prisma/sqlite/client";
import { retryDelayMs } from "~/modules/entries/outbox.server";
import { completeNewsletters, newsletterContent, planNewsletters, type NewsletterContent } from "~/modules/subscriptions/newsletters.server";
import { subscriberLinks } from "~/modules/subscriptions/subscribers.server";
import { sender } from "./templates.server";
import { databaseTime } from "~/modules/jobs/clock.server";
import { runRepeatedly } from "~/modules/jobs/loop.server";

/** How long a worker holds rows it reserved but has not started sending. Nothing was sent for them: safe to take over. */
const RESERVE_LOCK_MS = 60_000;
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
/** Single messages (confirmations, welcomes) sent per pass, ahead of newsletter deliveries. */
const MAILS_PER_PASS = 50;

const RELAY_DOWN_MAX_MS = 5 * 60_000;

export type MailTransport = ReturnType<typeof createPooledTransport>;

/**
 * A pooled SMTP transport for SMTP_URL: `connections` connections kept open, each message
 * answered on its own (nodemailer's silent re-queueing is off: retries are ours, counted and
 * delayed). Sockets are opened with Nagle's algorithm off: otherwise the final `.` of every message
 * waits for a delayed ACK (~40 ms), which caps each connection at ~25 messages a second.
 */
export function createPooledTransport(smtpUrl: string, connections: number) {
  const parsed = parseConnectionUrl(smtpUrl);
  const host = parsed.host ?? "localhost";
  const port = parsed.port ?? (parsed.secure ? 465 : 587);
  const options: SMTPPool.Options & { maxRequeues: number } = {
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 60_000,
    ...parsed,
    pool: true,
    maxConnections: connections,
    maxMessages: Infinity,
    maxRequeues: 0,
    getSocket(_options, callback) {
      const socket = net.connect({ host, port });
      socket.setNoDelay(true);
      const fail = (error: Error) => {
        socket.destroy();
        callback(error, null);
      };
      socket.setTimeout(10_000, () => fail(new Error(`no connection to ${host}:${port} within 10 s`)));
      socket.once("error", fail);
      socket.once("connect", () => {
        socket.setTimeout(0);
        socket.removeListener("error", fail);
        callback(null, { connection: socket });
      });
    },
  };
  return nodemailer.createTransport(options);
}

type Outcome =
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

interface QueueSpec {
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

const DELIVERIES: QueueSpec = {
  table: Prisma.raw('"Delivery"'),
  columns: Prisma.raw('"id", "newsletterId", "subscriberId", "email"'),
  stampMessageId: true,
  interrupted: "give-up",
};
const MAILS: QueueSpec = {
  table: Prisma.raw('"OutgoingMail"'),
  columns: Prisma.raw('"id", "to", "subject", "text", "html", "headers"'),
  stampMessageId: false,
  interrupted: "resend",
};

const INTERRUPTED = "interrupted: the worker stopped during the SMTP transaction, so whether the relay accepted it is unknown";

/** Settles rows whose worker died mid-transaction, each queue by its own rule. */
async function recoverInterrupted(db: Database, now: Date): Promise<number> {
  const gaveUp = await db.$executeRaw`
    UPDATE ${DELIVERIES.table} SET "status" = 'failed', "lockedUntil" = NULL, "lastError" = ${`${INTERRUPTED}; not sent again, to never send it twice`}
    WHERE "status" = 'sending' AND "lockedUntil" < ${now}`;
  const resent = await db.$executeRaw`
    UPDATE ${MAILS.table} SET "status" = 'pending', "lockedUntil" = NULL, "nextAttemptAt" = ${now}, "lastError" = ${`${INTERRUPTED}; sent again with the same Message-ID`}
    WHERE "status" = 'sending' AND "lockedUntil" < ${now}`;
  return gaveUp + resent;
}

/**
 * Reserves due rows for this worker: a conditional update that only takes pending rows no live
 * worker holds, so a row is reserved by one worker at a time. On PostgreSQL the candidates are
 * picked with FOR UPDATE SKIP LOCKED, so workers racing for the same rows take different ones
 * instead of queueing behind each other.
 */
async function reserve<Row>(db: Database, queue: QueueSpec, now: Date, lock: Date, limit: number): Promise<Row[]> {
  const skipLocked = isPostgres(db) ? Prisma.sql`FOR UPDATE SKIP LOCKED` : Prisma.empty;
  return db.$queryRaw<Row[]>`
    UPDATE ${queue.table} SET "lockedUntil" = ${lock}
    WHERE "id" IN (
      SELECT "id" FROM ${queue.table}
      WHERE "status" = 'pending' AND "nextAttemptAt" <= ${now} AND ("lockedUntil" IS NULL OR "lockedUntil" < ${now})
      ORDER BY "nextAttemptAt" LIMIT ${limit} ${skipLocked})
    AND "status" = 'pending' AND ("lockedUntil" IS NULL OR "lockedUntil" < ${now})
    RETURNING ${queue.columns}`;
}

/** Gives back reserved rows this worker will not send now. */
async function release(db: Database, queue: QueueSpec, ids: string[], lock: Date) {
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

export interface PassResult {
  /** Rows reserved or planned: there may be more to do at once. */
  busy: boolean;
  sent: number;
  failed: number;
  retried: number;
  /** The relay failed: stop and back off instead of working through the list into it. */
  relayDown: boolean;
}

interface DeliveryRow {
  id: string;
  newsletterId: string;
  subscriberId: string;
  email: string;
}

interface MailRow {
  id: string;
  to: string;
  subject: string;
  text: string;
  html: string | null;
  headers: string;
}

/**
 * The mail worker's work, for the outbox of single messages (OutgoingMail) and newsletter
 * deliveries (Delivery), on SQLite or PostgreSQL, in one process or many. Rows go
 * pending → (reserved) → sending → sent | failed, or back to pending with exponential backoff and
 * jitter. Permanent refusals of an address mark its subscriber bounced.
 */
export function createMailer(db: Database, env: Env, transport: MailTransport = createPooledTransport(env.mail.smtpUrl, env.mail.concurrency)) {
  const domain = new URL(env.publicUrl).hostname;
  const contents = new Map<string, Promise<NewsletterContent>>();
  const contentOf = (newsletterId: string) => {
    let content = contents.get(newsletterId);
    if (!content) {
      if (contents.size >= 20) contents.clear();
      content = newsletterContent(db, env, newsletterId);
      contents.set(newsletterId, content);
      content.catch(() => contents.delete(newsletterId));
    }
    return content;
  };

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
    await Promise.all(Array.from({ length: env.mail.concurrency }, () => lane().catch((error: unknown) => void (failure ??= { error }))));
    if (failure) throw failure.error;
    if (result.relayDown) await release(db, queue, rows.slice(next).map((row) => row.id), reserved);
    return result;
  }

  async function sendMails(now: Date) {
    const reserved = new Date(now.getTime() + RESERVE_LOCK_MS);
    const rows = await reserve<MailRow>(db, MAILS, now, reserved, MAILS_PER_PASS);
    const from = sender(env);
    const result = await sendReserved(MAILS, rows, reserved, now, (row) =>
      transport.sendMail({
        from,
        to: row.to,
        subject: row.subject,
        text: row.text,
        html: row.html ?? undefined,
        headers: JSON.parse(row.headers) as Record<string, string>,
        messageId: `<${row.id}@${domain}>`,
      }),
    );
    return { ...result, reserved: rows.length };
  }

  async function sendDeliveries(now: Date) {
    const reserved = new Date(now.getTime() + RESERVE_LOCK_MS);
    const rows = await reserve<DeliveryRow>(db, DELIVERIES, now, reserved, env.mail.batchSize);
    // Someone who unsubscribed or bounced after the newsletter was planned is not mailed: their
    // delivery is removed, as if planned after they left.
    const subscriberIds = [...new Set(rows.map((row) => row.subscriberId))];
    const active = subscriberIds.length
      ? new Set((await db.subscriber.findMany({ where: { id: { in: subscriberIds }, status: "confirmed" }, select: { id: true } })).map((s) => s.id))
      : new Set<string>();
    const gone = rows.filter((row) => !active.has(row.subscriberId)).map((row) => row.id);
    if (gone.length > 0) await db.$executeRaw`DELETE FROM "Delivery" WHERE "id" IN (${Prisma.join(gone)}) AND "status" = 'pending' AND "lockedUntil" = ${reserved}`;
    // Loaded before anything is sent: a newsletter that cannot be rendered fails the pass, not its deliveries.
    const newsletterIds = [...new Set(rows.map((row) => row.newsletterId))];
    const content = new Map(await Promise.all(newsletterIds.map(async (id) => [id, await contentOf(id)] as const)));
    const result = await sendReserved(DELIVERIES, rows.filter((row) => active.has(row.subscriberId)), reserved, now, (row) => {
      const { from, template } = content.get(row.newsletterId)!;
      const parts = template.forRecipient(subscriberLinks(env, row.subscriberId));
      return transport.sendMail({ from, to: row.email, subject: template.subject, messageId: `<${row.id}@${domain}>`, ...parts });
    });
    if (result.refused.length > 0) {
      await db.subscriber.updateMany({ where: { id: { in: result.refused.map((row) => row.subscriberId) }, status: "confirmed" }, data: { status: "bounced" } });
    }
    return { ...result, reserved: rows.length };
  }

  /**
   * One pass: settle interrupted rows, plan queued newsletters, send due single messages, then a
   * batch of deliveries. Timed by the database's clock (`now` only in tests that move time on), so
   * a worker whose own clock runs ahead never takes rows another still holds.
   */
  async function runPass(at?: Date): Promise<PassResult> {
    const now = at ?? (await databaseTime(db));
    await recoverInterrupted(db, now);
    const planned = await planNewsletters(db, now);
    const mails = await sendMails(now);
    const deliveries = mails.relayDown ? undefined : await sendDeliveries(now);
    await completeNewsletters(db, now);
    const parts = deliveries ? [mails, deliveries] : [mails];
    return {
      busy: planned > 0 || parts.some((p) => p.reserved > 0),
      sent: parts.reduce((sum, p) => sum + p.sent, 0),
      failed: parts.reduce((sum, p) => sum + p.failed, 0),
      retried: parts.reduce((sum, p) => sum + p.retried, 0),
      relayDown: parts.some((p) => p.relayDown),
    };
  }

  /** Passes until nothing is due at `now` (the database's time when not given) or the relay fails; returns the totals. */
  async function drain(at?: Date): Promise<PassResult> {
    const now = at ?? (await databaseTime(db));
    const total: PassResult = { busy: false, sent: 0, failed: 0, retried: 0, relayDown: false };
    for (;;) {
      const pass = await runPass(now);
      total.sent += pass.sent;
      total.failed += pass.failed;
      total.retried += pass.retried;
      total.relayDown = pass.relayDown;
      if (!pass.busy || pass.relayDown) return total;
    }
  }

  return { runPass, drain, close: () => transport.close() };
}

/**
 * Runs the mail worker until stopped: passes back to back while there is work, every `intervalMs`
 * when idle, and with a growing pause (exponential, with jitter) while the relay fails. A failing
 * pass is logged and the loop goes on.
 */
export function startMailWorker(db: Database, env: Env, opts: { intervalMs?: number; log?: (line: string) => void } = {}) {
  const intervalMs = opts.intervalMs ?? 1_000;
  const mailer = createMailer(db, env);
  let relayFailures = 0;
  const loop = runRepeatedly(
    async () => {
      const pass = await mailer.runPass();
      if (pass.sent || pass.failed) opts.log?.(`sent ${pass.sent}, failed ${pass.failed}, to retry ${pass.retried}`);
      relayFailures = pass.relayDown ? relayFailures + 1 : 0;
      if (pass.relayDown) opts.log?.("the SMTP relay is failing; backing off");
      return pass.relayDown ? Math.min(RELAY_DOWN_MAX_MS, retryDelayMs(relayFailures)) : pass.busy ? 0 : intervalMs;
    },
    { intervalMs, onError: (error) => opts.log?.(`mail pass failed: ${error.message}`) },
  );
  return {
    async stop() {
      await loop.stop();
      mailer.close();
    },
  };
}
