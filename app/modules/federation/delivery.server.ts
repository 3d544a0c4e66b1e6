/**
 * The outgoing side of the social web: activities queued in FediActivity (a published version for
 * the writer's followers, or one activity for one inbox) are planned into one FediDelivery per
 * inbox, then sent, signed by the writer's keys, with retries and backoff, by any number of worker
 * processes on SQLite or PostgreSQL. An inbox that keeps failing is given up ("dead") until its
 * server is heard from again. This module alone writes FediDelivery and RemoteInbox rows.
 */
import crypto from "node:crypto";
import { SendActivityError } from "@fedify/fedify";
import { Activity } from "@fedify/vocab";
import { FetchError } from "@fedify/vocab-runtime";
import { isPostgres, type Database } from "~/db.server";
import type { Env } from "~/env.server";
import { Prisma } from "~/generated/prisma/sqlite/client";
import { retryDelayMs } from "~/modules/jobs/backoff.server";
import { databaseTime } from "~/modules/jobs/clock.server";
import { runRepeatedly } from "~/modules/jobs/loop.server";
import { getFederation, type PressFederation } from "./federation.server";
import { blockList } from "./blocks.server";
import { entryActivityVersion } from "./ids.server";
import { entryActivity } from "./objects.server";
export { reviveHost } from "./inbox-health.server";

/** The audience of an activity for all of a writer's followers (any other audience is one inbox URL). */
const FOLLOWERS = "followers";

/** Activities planned per pass, and how long a planner holds one before another may take it over. */
const ACTIVITIES_PER_PASS = 10;
const PLAN_LOCK_MS = 60_000;
/** Followers read per query while planning, and delivery rows written per statement. */
const FOLLOWERS_PER_READ = 5_000;
const DELIVERIES_PER_INSERT = 500;
/** Deliveries claimed per pass, per concurrent request. */
const CLAIM_PER_LANE = 8;
/**
 * How long a claimed delivery belongs to its worker. A delivery still "sending" after this belonged
 * to a worker that died (or hung): it is sent again. Comfortably longer than a batch can take, as
 * each lane sends CLAIM_PER_LANE requests of at most SEND_TIMEOUT_MS (twice, when double-knocking).
 */
export const SEND_LOCK_MS = 10 * 60_000;
/** How long an inbox may take to answer before the attempt counts as failed. */
const SEND_TIMEOUT_MS = 30_000;
/** Retries of a failing inbox: the jobs' backoff, up to an hour apart (a server down for days is tried about hourly). */
const BACKOFF = { baseMs: 2_000, maxMs: 60 * 60_000 };
/** Answers a lane records in one go. */
const RECORD_EVERY = 20;
/** Parsed activities kept between passes (the batches of one big delivery share a few). */
const ACTIVITY_CACHE = 50;

const text = (value: string, max = 1000) => (value.length > max ? `${value.slice(0, max)}…` : value);

/** The inboxes a writer's followers are reached at (their server's shared inbox where it offers one), with how many followers each stands for. */
async function followerInboxes(db: Database, writerId: string): Promise<Map<string, number>> {
  const blocked = await blockList(db, writerId);
  const inboxes = new Map<string, number>();
  let cursor = "";
  for (;;) {
    const rows = await db.follower.findMany({
      where: { writerId, id: { gt: cursor } },
      orderBy: { id: "asc" },
      take: FOLLOWERS_PER_READ,
      select: { id: true, actorId: true, inbox: true, sharedInbox: true },
    });
    if (rows.length === 0) return inboxes;
    for (const row of rows) {
      if (blocked(row.actorId)) continue;
      const inbox = row.sharedInbox ?? row.inbox;
      inboxes.set(inbox, (inboxes.get(inbox) ?? 0) + 1);
    }
    cursor = rows[rows.length - 1]!.id;
  }
}

/** Which of these inboxes are dead (not tried until their server is heard from), and since when. */
async function deadInboxes(db: Database, urls: string[]): Promise<Map<string, Date>> {
  const dead = new Map<string, Date>();
  for (let i = 0; i < urls.length; i += DELIVERIES_PER_INSERT) {
    const rows = await db.remoteInbox.findMany({ where: { url: { in: urls.slice(i, i + DELIVERIES_PER_INSERT) }, deadAt: { not: null } }, select: { url: true, deadAt: true } });
    for (const row of rows) dead.set(row.url, row.deadAt!);
  }
  return dead;
}

const deadError = (since: Date) => `not tried: the inbox failed for too long and was given up on ${since.toISOString()}; it is tried again once its server is heard from`;

/**
 * Writes one delivery per inbox for an activity this worker holds, then marks it planned. Built
 * here, once, for a published version: the Article as it is now, stored as the JSON every inbox
 * gets. Idempotent: a delivery is unique per activity and inbox and a second insert of the pair
 * does nothing, so a planner that died half-way is simply run again once its claim runs out.
 * Returns how many deliveries it wrote, or null when another worker took the activity over.
 */
async function planActivity(db: Database, fed: PressFederation, activity: { id: string; writerId: string; entryId: string | null; audience: string; json: string }, lock: Date, now: Date): Promise<number | null> {
  const started = performance.now();
  let holds = lock;
  const finish = async () => {
    const done = await db.fediActivity.updateMany({ where: { id: activity.id, lockedUntil: holds }, data: { status: "planned", plannedAt: now, lockedUntil: null } });
    return done.count === 1;
  };

  let targets: Map<string, number>;
  if (activity.audience === FOLLOWERS) {
    if (!activity.json) {
      const version = entryActivityVersion(activity.id);
      const ctx = fed.context();
      // Gone (or hidden for review) since it was queued, or its writer has no handle: nothing to send.
      const built = activity.entryId && version !== null ? await entryActivity(ctx, db, fed.site, activity.entryId, version) : null;
      if (!built) return (await finish()) ? 0 : null;
      const json = JSON.stringify(await built.toJsonLd({ format: "compact", contextLoader: ctx.contextLoader }));
      const stored = await db.fediActivity.updateMany({ where: { id: activity.id, lockedUntil: holds }, data: { json } });
      if (stored.count !== 1) return null;
    }
    targets = await followerInboxes(db, activity.writerId);
  } else {
    targets = new Map([[activity.audience, 1]]);
  }

  const inboxes = [...targets.keys()];
  const dead = await deadInboxes(db, inboxes);
  let written = 0;
  for (let i = 0; i < inboxes.length; i += DELIVERIES_PER_INSERT) {
    const values = inboxes.slice(i, i + DELIVERIES_PER_INSERT).map((inbox) => {
      const since = dead.get(inbox);
      return Prisma.sql`(${crypto.randomUUID()}, ${activity.id}, ${inbox}, ${targets.get(inbox)!}, ${since ? "dead" : "pending"}, 0, ${now}, ${since ? deadError(since) : null})`;
    });
    written += await db.$executeRaw`
      INSERT INTO "FediDelivery" ("id", "activityId", "inbox", "recipients", "status", "attempts", "nextAttemptAt", "lastError")
      VALUES ${Prisma.join(values)}
      ON CONFLICT ("activityId", "inbox") DO NOTHING`;
    // Still ours? A planner slower than its claim stops, and the one that took over finishes.
    const renewed = new Date(now.getTime() + (performance.now() - started) + PLAN_LOCK_MS);
    const kept = await db.fediActivity.updateMany({ where: { id: activity.id, lockedUntil: holds }, data: { lockedUntil: renewed } });
    if (kept.count !== 1) return null;
    holds = renewed;
  }
  return (await finish()) ? written : null;
}

/**
 * Plans the queued activities no other worker holds, claimed by a conditional update timed by the
 * database's clock (`now`). Returns how many it planned and how many deliveries that wrote.
 */
export async function planFederation(db: Database, env: Env, at?: Date): Promise<{ activities: number; deliveries: number }> {
  const now = at ?? (await databaseTime(db));
  const fed = getFederation(db, env);
  const queued = await db.fediActivity.findMany({
    where: { status: "queued", OR: [{ lockedUntil: null }, { lockedUntil: { lt: now } }] },
    orderBy: { createdAt: "asc" },
    take: ACTIVITIES_PER_PASS,
    select: { id: true, writerId: true, entryId: true, audience: true, json: true, lockedUntil: true },
  });
  const result = { activities: 0, deliveries: 0 };
  for (const activity of queued) {
    const lock = new Date(now.getTime() + PLAN_LOCK_MS);
    const claimed = await db.fediActivity.updateMany({ where: { id: activity.id, status: "queued", lockedUntil: activity.lockedUntil }, data: { lockedUntil: lock } });
    if (claimed.count !== 1) continue;
    const written = await planActivity(db, fed, activity, lock, now);
    if (written === null) continue;
    result.activities++;
    result.deliveries += written;
  }
  return result;
}

interface DeliveryRow {
  id: string;
  activityId: string;
  inbox: string;
  attempts: number | bigint;
}

/** Due deliveries: pending ones whose time has come, and those a dead worker left "sending". */
const DUE = (now: Date) => Prisma.sql`(("status" = 'pending' AND "nextAttemptAt" <= ${now}) OR ("status" = 'sending' AND "lockedUntil" < ${now}))`;

/**
 * Claims up to `limit` due deliveries for this worker: one conditional update moves them to
 * "sending" until `lock`, so a delivery is sent by one worker at a time. A delivery left "sending"
 * by a worker that died is claimed again and sent a second time: whether the inbox got it before
 * the worker died is unknown, and a second copy is harmless, as receivers handle an activity id
 * once (Fedify and Mastodon both keep the ids they have seen). On PostgreSQL the candidates are
 * picked once, in a CTE, with FOR UPDATE SKIP LOCKED, so racing workers take different rows.
 */
async function claimDeliveries(db: Database, now: Date, lock: Date, limit: number): Promise<DeliveryRow[]> {
  if (isPostgres(db)) {
    return db.$queryRaw<DeliveryRow[]>`
      WITH "picked" AS (
        SELECT "id" AS "pickedId" FROM "FediDelivery" WHERE ${DUE(now)}
        ORDER BY "nextAttemptAt" LIMIT ${limit} FOR UPDATE SKIP LOCKED)
      UPDATE "FediDelivery" SET "status" = 'sending', "lockedUntil" = ${lock}, "attempts" = "attempts" + 1
      FROM "picked" WHERE "id" = "picked"."pickedId" AND ${DUE(now)}
      RETURNING "id", "activityId", "inbox", "attempts"`;
  }
  return db.$queryRaw<DeliveryRow[]>`
    UPDATE "FediDelivery" SET "status" = 'sending', "lockedUntil" = ${lock}, "attempts" = "attempts" + 1
    WHERE "id" IN (SELECT "id" FROM "FediDelivery" WHERE ${DUE(now)} ORDER BY "nextAttemptAt" LIMIT ${limit})
    AND ${DUE(now)}
    RETURNING "id", "activityId", "inbox", "attempts"`;
}

type Outcome =
  | { kind: "sent" }
  /** Not now (a 5xx, 401, 408, 429, no answer, no connection): retry with backoff; `inboxFailing` counts towards the inbox's death. */
  | { kind: "retry"; error: string; inboxFailing: boolean; retryAfterMs?: number }
  /** Refused for good (other 4xx, 501) or never to be sent (an address the press may not reach). */
  | { kind: "failed"; error: string }
  /** 410 Gone: the account is no more. */
  | { kind: "gone"; error: string };

/** Seconds or an HTTP date from a Retry-After header, in milliseconds from now. */
function retryAfterMs(headers: Headers | undefined): number | undefined {
  const value = headers?.get("retry-after")?.trim();
  if (!value) return undefined;
  const ms = /^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value) - Date.now();
  return Number.isFinite(ms) && ms > 0 ? Math.min(ms, BACKOFF.maxMs) : undefined;
}

/**
 * Sorts a failed send by what it says about the inbox. Permanent: 501, and every 4xx but 401 (often
 * passing: the receiver could not fetch our key yet, or the clocks disagree), 408 and 429; 410 also
 * means the account is gone. Everything else, no answer or no connection included, is tried again.
 */
function classify(error: unknown): Exclude<Outcome, { kind: "sent" }> {
  if (error instanceof SendActivityError) {
    const status = error.statusCode;
    const message = text(`${status} from the inbox${error.responseBody ? `: ${error.responseBody.trim()}` : ""}`, 500);
    if (status === 410) return { kind: "gone", error: message };
    if (status === 501 || (status >= 400 && status < 500 && ![401, 408, 429].includes(status))) return { kind: "failed", error: message };
    return { kind: "retry", error: message, inboxFailing: true, retryAfterMs: retryAfterMs(error.responseHeaders) };
  }
  if (error instanceof FetchError || (error as Error)?.name === "TimeoutError") {
    return { kind: "retry", error: text(`no answer: ${(error as Error).message}`, 500), inboxFailing: true };
  }
  // Our side (a key, the JSON): not the inbox's fault.
  return { kind: "retry", error: text(`not sent: ${(error as Error)?.message ?? String(error)}`, 500), inboxFailing: false };
}

/** Rejects with a TimeoutError if `promise` has not settled within `ms` (the request itself runs out in the background). */
async function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`no answer within ${ms / 1000} s`), { name: "TimeoutError" })), ms);
  });
  promise.catch(() => undefined);
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

interface Answer {
  row: DeliveryRow;
  outcome: Outcome;
  /** When the activity was queued: a delivery is not retried for longer than an inbox may fail. */
  queuedAt: Date;
}

const hostOf = (url: string) => (URL.canParse(url) ? new URL(url).host.toLowerCase() : "");

/** Inboxes that answered: not failing (nor dead) any more. */
async function inboxesOk(db: Database, urls: string[], now: Date) {
  if (urls.length === 0) return;
  // In one order, so that two workers writing overlapping sets take their row locks alike and never deadlock.
  const values = [...urls].sort().map((url) => Prisma.sql`(${url}, ${hostOf(url)}, ${now})`);
  await db.$executeRaw`
    INSERT INTO "RemoteInbox" ("url", "host", "lastOkAt") VALUES ${Prisma.join(values)}
    ON CONFLICT ("url") DO UPDATE SET "lastOkAt" = excluded."lastOkAt", "failingSince" = NULL, "lastError" = NULL, "deadAt" = NULL`;
}

/**
 * An inbox that failed: failing since now unless it already was. Once it has failed for longer
 * than `deadAfterMs` it is dead, and so is every delivery still waiting for it. Returns since when
 * it is dead, or null while it is only failing.
 */
async function inboxFailed(db: Database, env: Env, url: string, error: string, now: Date): Promise<Date | null> {
  await db.$executeRaw`
    INSERT INTO "RemoteInbox" ("url", "host", "failingSince", "lastError") VALUES (${url}, ${hostOf(url)}, ${now}, ${error})
    ON CONFLICT ("url") DO UPDATE SET "failingSince" = COALESCE("RemoteInbox"."failingSince", excluded."failingSince"), "lastError" = excluded."lastError"`;
  const cutoff = new Date(now.getTime() - env.federation.deadAfterMs);
  await db.remoteInbox.updateMany({ where: { url, deadAt: null, failingSince: { lte: cutoff } }, data: { deadAt: now } });
  const inbox = await db.remoteInbox.findUnique({ where: { url }, select: { deadAt: true } });
  if (!inbox?.deadAt) return null;
  await db.fediDelivery.updateMany({ where: { inbox: url, status: "pending" }, data: { status: "dead", lastError: deadError(inbox.deadAt), lockedUntil: null } });
  return inbox.deadAt;
}

/**
 * Writes what the inboxes answered: one statement for every delivered row, a few per failure.
 * A failure is retried with the backoff, unless it was final, its inbox has just been given up
 * (dead: tried again when its server is heard from), or its activity is older than an inbox may
 * fail (failed: a delivery is not retried for ever on an inbox that answers other deliveries).
 */
async function record(db: Database, env: Env, answers: Answer[], lock: Date, now: Date) {
  const counts = { sent: 0, failed: 0, retried: 0 };
  if (answers.length === 0) return counts;
  const sent = answers.filter((a) => a.outcome.kind === "sent");
  if (sent.length > 0) {
    await db.$executeRaw`
      UPDATE "FediDelivery" SET "status" = 'sent', "sentAt" = ${now}, "lockedUntil" = NULL, "lastError" = NULL
      WHERE "id" IN (${Prisma.join(sent.map((a) => a.row.id))}) AND "status" = 'sending' AND "lockedUntil" = ${lock}`;
    await inboxesOk(db, [...new Set(sent.map((a) => a.row.inbox))], now);
    counts.sent = sent.length;
  }
  for (const { row, outcome, queuedAt } of answers) {
    if (outcome.kind === "sent") continue;
    const mine = { id: row.id, status: "sending", lockedUntil: lock };
    const deadSince = outcome.kind === "retry" && outcome.inboxFailing ? await inboxFailed(db, env, row.inbox, outcome.error, now) : null;
    if (deadSince) {
      await db.fediDelivery.updateMany({ where: mine, data: { status: "dead", lockedUntil: null, lastError: `${deadError(deadSince)} (last: ${outcome.error})` } });
      counts.failed++;
    } else if (outcome.kind === "retry" && now.getTime() - queuedAt.getTime() <= env.federation.deadAfterMs) {
      const delay = Math.max(retryDelayMs(Number(row.attempts), BACKOFF), outcome.retryAfterMs ?? 0);
      await db.fediDelivery.updateMany({ where: mine, data: { status: "pending", nextAttemptAt: new Date(now.getTime() + delay), lockedUntil: null, lastError: outcome.error } });
      counts.retried++;
    } else {
      let error = outcome.kind === "retry" ? `given up after ${row.attempts} attempts: ${outcome.error}` : outcome.error;
      if (outcome.kind === "gone") {
        // The account behind a personal inbox (or the whole server behind a shared one) is gone: its followers with it.
        const removed = await db.follower.deleteMany({ where: { OR: [{ inbox: row.inbox }, { sharedInbox: row.inbox }] } });
        error = `${error}; the account is gone: ${removed.count} follower(s) at this inbox removed`;
      }
      await db.fediDelivery.updateMany({ where: mine, data: { status: "failed", lockedUntil: null, lastError: text(error, 600) } });
      counts.failed++;
    }
  }
  return counts;
}

/** Activities parsed from their stored JSON, by id, kept between a worker's passes. */
export type ActivityCache = Map<string, Promise<{ activity: Activity; writerId: string; queuedAt: Date }>>;

export interface SendResult {
  claimed: number;
  sent: number;
  failed: number;
  retried: number;
}

/**
 * Claims a batch of due deliveries and sends them, `env.federation.concurrency` at a time, each
 * signed by its writer's keys (HTTP Signatures, RFC 9421 first and draft-cavage where a server
 * asks for it, as Fedify does), with the activity exactly as stored. Every inbox URL is checked
 * first: one on an address the press may not reach fails for good.
 */
export async function sendFederation(db: Database, env: Env, at?: Date, cache: ActivityCache = new Map()): Promise<SendResult> {
  const now = at ?? (await databaseTime(db));
  const fed = getFederation(db, env);
  const ctx = fed.context();
  const lock = new Date(now.getTime() + SEND_LOCK_MS);
  const rows = await claimDeliveries(db, now, lock, env.federation.concurrency * CLAIM_PER_LANE);
  const result: SendResult = { claimed: rows.length, sent: 0, failed: 0, retried: 0 };
  if (rows.length === 0) return result;

  const activityOf = (id: string) => {
    let loaded = cache.get(id);
    if (!loaded) {
      if (cache.size >= ACTIVITY_CACHE) cache.clear();
      loaded = (async () => {
        const row = await db.fediActivity.findUniqueOrThrow({ where: { id }, select: { writerId: true, json: true, createdAt: true } });
        const activity = await Activity.fromJsonLd(JSON.parse(row.json), { documentLoader: ctx.documentLoader, contextLoader: ctx.contextLoader });
        return { activity, writerId: row.writerId, queuedAt: row.createdAt };
      })();
      cache.set(id, loaded);
      loaded.catch(() => cache.delete(id));
    }
    return loaded;
  };

  async function deliver(row: DeliveryRow): Promise<Answer> {
    let queuedAt = now;
    try {
      const { activity, writerId, queuedAt: queued } = await activityOf(row.activityId);
      queuedAt = queued;
      // The inbox URL came from a remote server: only public addresses (or a configured test origin).
      // (Fedify follows an inbox's redirects itself and does not ask this again for where they lead.)
      try {
        await fed.addresses.check(row.inbox);
      } catch (error) {
        return { row, queuedAt, outcome: { kind: "failed", error: `not sent: ${(error as Error).message}` } };
      }
      const inbox = new URL(row.inbox);
      // Fedify leaves out a recipient without an id; the inbox stands in for the followers behind it.
      await within(ctx.sendActivity({ identifier: writerId }, { id: inbox, inboxId: inbox }, activity, { immediate: true, preferSharedInbox: false }), SEND_TIMEOUT_MS);
      return { row, queuedAt, outcome: { kind: "sent" } };
    } catch (error) {
      return { row, queuedAt, outcome: classify(error) };
    }
  }

  let next = 0;
  const lane = async () => {
    const answers: Answer[] = [];
    while (next < rows.length) {
      answers.push(await deliver(rows[next++]!));
      if (answers.length >= RECORD_EVERY) count(await record(db, env, answers.splice(0), lock, now));
    }
    count(await record(db, env, answers, lock, now));
  };
  const count = (counts: Omit<SendResult, "claimed">) => {
    result.sent += counts.sent;
    result.failed += counts.failed;
    result.retried += counts.retried;
  };
  await Promise.all(Array.from({ length: Math.min(env.federation.concurrency, rows.length) }, lane));
  return result;
}

export interface FederationPass extends SendResult {
  planned: number;
  /** Something was planned or claimed: there may be more to do at once. */
  busy: boolean;
}

/** One pass of the federation worker: plan queued activities, then send one batch of due deliveries. `now` only in tests that move time on. */
export async function runFederationOnce(db: Database, env: Env, opts: { now?: Date; cache?: ActivityCache } = {}): Promise<FederationPass> {
  const now = opts.now ?? (await databaseTime(db));
  const planned = await planFederation(db, env, now);
  const sent = await sendFederation(db, env, now, opts.cache);
  return { ...sent, planned: planned.activities, busy: planned.activities > 0 || sent.claimed > 0 };
}

/**
 * Runs the federation worker until stopped: passes back to back while there is work, every
 * `intervalMs` when idle. A failing pass is logged and the loop goes on; `stop()` lets the pass in
 * hand finish.
 */
export function startFederationWorker(db: Database, env: Env, opts: { intervalMs?: number; log?: (line: string) => void } = {}) {
  const intervalMs = opts.intervalMs ?? 1_000;
  const cache: ActivityCache = new Map();
  return runRepeatedly(
    async () => {
      const pass = await runFederationOnce(db, env, { cache });
      if (pass.sent || pass.failed) opts.log?.(`delivered ${pass.sent}, failed ${pass.failed}, to retry ${pass.retried}`);
      return pass.busy ? 0 : intervalMs;
    },
    { intervalMs, onError: (error) => opts.log?.(`federation pass failed: ${error.message}`) },
  );
}

