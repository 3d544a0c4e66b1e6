import net from "node:net";
import nodemailer from "nodemailer";
import { parseConnectionUrl } from "nodemailer/lib/shared";
import type SMTPPool from "nodemailer/lib/smtp-pool";
import type { Database } from "~/db.server";
import type { Env } from "~/env.server";
import { Prisma } from "~/generated/prisma/sqlite/client";
import { retryDelayMs } from "~/modules/jobs/backoff.server";
import { databaseTime } from "~/modules/jobs/clock.server";
import { runRepeatedly } from "~/modules/jobs/loop.server";
import { createNewsletterSender } from "~/modules/newsletters/newsletters.server";
import { createLanes, settleInterrupted, type QueueSpec } from "./queue.server";
import { sender } from "./templates.server";

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

/** Single messages (confirmations, welcomes) sent per pass, ahead of newsletter deliveries. */
const MAILS_PER_PASS = 50;

/** Single messages: a lost confirmation link blocks a reader, so one interrupted mid-SMTP is sent again. */
const MAILS: QueueSpec = {
  table: Prisma.raw('"OutgoingMail"'),
  columns: Prisma.raw('"id", "to", "subject", "text", "html", "headers"'),
  stampMessageId: false,
  interrupted: "resend",
};

export interface PassResult {
  /** Rows reserved or planned: there may be more to do at once. */
  busy: boolean;
  sent: number;
  failed: number;
  retried: number;
  /** The relay failed: stop and back off instead of working through the list into it. */
  relayDown: boolean;
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
 * The mail worker's work: the outbox of single messages (OutgoingMail, kept here) and the
 * newsletters' deliveries (app/modules/newsletters), sent through one set of SMTP lanes
 * (./queue.server.ts), on SQLite or PostgreSQL, in one process or many.
 */
export function createMailer(db: Database, env: Env, transport: MailTransport = createPooledTransport(env.mail.smtpUrl, env.mail.concurrency)) {
  const domain = new URL(env.publicUrl).hostname;
  const lanes = createLanes(db, { domain, concurrency: env.mail.concurrency });
  const newsletters = createNewsletterSender(db, env, lanes, transport);

  async function sendMails(now: Date) {
    const { reserved, rows } = await lanes.claim<MailRow>(MAILS, now, MAILS_PER_PASS);
    const from = sender(env);
    const result = await lanes.sendReserved(MAILS, rows, reserved, now, (row) =>
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

  /**
   * One pass: settle interrupted rows, plan queued newsletters, send due single messages, then a
   * batch of deliveries. Timed by the database's clock (`now` only in tests that move time on), so
   * a worker whose own clock runs ahead never takes rows another still holds.
   */
  async function runPass(at?: Date): Promise<PassResult> {
    const now = at ?? (await databaseTime(db));
    await settleInterrupted(db, MAILS, now);
    await newsletters.settle(now);
    const planned = await newsletters.plan(now);
    const mails = await sendMails(now);
    const deliveries = mails.relayDown ? undefined : await newsletters.send(now);
    await newsletters.complete(now);
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
