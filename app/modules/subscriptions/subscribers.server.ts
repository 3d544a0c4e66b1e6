import type { Database } from "~/db.server";
import type { Env } from "~/env.server";
import { UserError } from "~/modules/errors.server";
import { READABLE } from "~/modules/entries/import-review.server";
import { confirmationMail, welcomeMail, type MailContent } from "~/modules/mail/templates.server";
import { normalizeEmail } from "./email.server";
import { allowRequest, type Limit } from "./rate-limit.server";
import { STATUSES, type SubscriberStatus } from "./statuses";
import { issueConfirmToken, manageToken, readConfirmToken, readManageToken } from "./tokens.server";
import { entryPath } from "~/modules/reading/entry-urls.server";

const HOUR = 60 * 60 * 1000;
/** Subscription requests one client (IP address) may make in an hour, across all writers. */
export const PER_CLIENT: Limit = { limit: 20, windowMs: HOUR };
/** Subscription requests for one address in an hour, across all writers: the most mail a stranger can make it receive. */
export const PER_ADDRESS: Limit = { limit: 3, windowMs: HOUR };

/** Statuses in which a wallet on the row counts as following. */
export const FOLLOWING: SubscriberStatus[] = ["confirmed", "bounced"];

type Tx = Parameters<Parameters<Database["$transaction"]>[0]>[0];

export interface WriterRef {
  id: string;
  address: string;
  handle: string | null;
  displayName: string | null;
  ensName: string | null;
}

/** A list's account: its kind must be read, or a publication's mails would speak of one writer. */
export type ListRef = WriterRef & { kind: string };

/** The name and kind a list's mails are written for. */
export const listName = (writer: Omit<ListRef, "id">) => ({ writerName: writerName(writer), publication: writer.kind === "publication" });

/** A list as its pages (subscribe, confirm, preferences) name it. */
export const listShown = (writer: Omit<ListRef, "id">) => ({ handle: writer.handle, name: writerName(writer), publication: writer.kind === "publication" });

export function writerName(writer: Omit<WriterRef, "id">): string {
  return writer.displayName ?? writer.ensName ?? (writer.handle ? `@${writer.handle}` : `${writer.address.slice(0, 6)}…${writer.address.slice(-4)}`);
}

/** The links every message to a subscriber carries: one-click unsubscribe and the preferences page. */
export function subscriberLinks(env: Env, subscriberId: string) {
  const token = encodeURIComponent(manageToken(env, subscriberId));
  return { unsubscribeUrl: `${env.publicUrl}/unsubscribe?token=${token}`, preferencesUrl: `${env.publicUrl}/subscriptions/preferences?token=${token}` };
}

/** Queues one message; the mail worker sends it (with retries) after the transaction commits. */
export function queueMail(tx: Tx, to: string, content: MailContent) {
  return tx.outgoingMail.create({ data: { to, subject: content.subject, text: content.text, html: content.html, headers: JSON.stringify(content.headers) } });
}

/** A fresh confirmation token on the row and the message that carries it, in one transaction. */
export async function queueConfirmation(tx: Tx, env: Env, subscriber: { id: string; email: string }, writer: Omit<ListRef, "id">, now: Date, wallet?: string) {
  const { token, hash, expiresAt } = issueConfirmToken(env, now, wallet);
  await tx.subscriber.update({ where: { id: subscriber.id }, data: { confirmTokenHash: hash, confirmExpiresAt: expiresAt } });
  await queueMail(
    tx,
    subscriber.email,
    confirmationMail({
      ...listName(writer),
      confirmUrl: `${env.publicUrl}/subscriptions/confirm?token=${encodeURIComponent(token)}`,
      unsubscribeUrl: subscriberLinks(env, subscriber.id).unsubscribeUrl,
    }),
  );
}

const isUniqueViolation = (error: unknown) => (error as { code?: string }).code === "P2002";

/**
 * Subscribes an address to a writer, double opt-in: a new or returning address gets a confirmation
 * link and nothing else until it is used. The caller learns nothing about the address's state:
 * a confirmed address gets no mail and the same answer, a pending one a fresh link (the per-address
 * limit bounds how often). A filled-in honeypot field is answered the same and ignored. With `wallet`, a signed-in reader adds an email to their follow: the
 * wallet is linked to the address once the address confirms.
 */
export async function subscribeByEmail(
  db: Database,
  env: Env,
  input: { writer: ListRef; email: string; client: string; wallet?: string; honeypot?: string },
  now = new Date(),
): Promise<{ email: string }> {
  // A form robot fills in the field people never see; it gets the same answer and nothing happens.
  if (input.honeypot) return { email: input.email.trim() };
  const email = normalizeEmail(input.email);
  const allowed = (await allowRequest(db, `subscribe:client:${input.client}`, PER_CLIENT, now)) && (await allowRequest(db, `subscribe:address:${email.toLowerCase()}`, PER_ADDRESS, now));
  if (!allowed) throw new UserError("Too many subscription requests from here or for this address. Try again in an hour.", 429);
  const { writer, wallet } = input;
  try {
    await db.$transaction(async (tx) => {
      const existing = await tx.subscriber.findUnique({ where: { writerId_email: { writerId: writer.id, email } } });
      if (existing) {
        const linked = wallet !== undefined && existing.wallet === wallet;
        const otherWallet = wallet !== undefined && existing.wallet !== null && existing.wallet !== wallet;
        if (otherWallet || (existing.status === "confirmed" && (wallet === undefined || linked))) return;
        await queueConfirmation(tx, env, { id: existing.id, email }, writer, now, linked ? undefined : wallet);
        return;
      }
      const created = await tx.subscriber.create({ data: { writerId: writer.id, email, status: "pending", source: wallet ? "wallet" : "form" } });
      await queueConfirmation(tx, env, { id: created.id, email }, writer, now, wallet);
    });
  } catch (error) {
    // Two requests for one new address at once: the other one created the row and sent the link.
    if (!isUniqueViolation(error)) throw error;
  }
  return { email };
}

const INVALID_LINK = "This confirmation link is not valid. Subscribe again to get a new one.";
const EXPIRED_LINK = "This confirmation link has expired. Subscribe again to get a new one.";
const USED_LINK = "This confirmation link was already used, or a newer one replaced it. If you are not subscribed yet, subscribe again.";

async function subscriberForConfirmation(db: Database, env: Env, token: string, now: Date) {
  const read = readConfirmToken(env, token, now);
  if (!read.valid) throw new UserError(read.reason === "expired" ? EXPIRED_LINK : INVALID_LINK, 400);
  const subscriber = await db.subscriber.findUnique({ where: { confirmTokenHash: read.hash }, include: { writer: true } });
  if (!subscriber || !subscriber.email) throw new UserError(USED_LINK, 409);
  return { subscriber: { ...subscriber, email: subscriber.email }, hash: read.hash, wallet: read.wallet };
}

/** What a confirmation link is for, without using it: link scanners open links, people press the button. */
export async function inspectConfirmation(db: Database, env: Env, token: string, now = new Date()) {
  const { subscriber } = await subscriberForConfirmation(db, env, token, now);
  return { email: subscriber.email, writer: listShown(subscriber.writer) };
}

/**
 * Uses a confirmation link, once: the subscription becomes confirmed and, if it was not already,
 * a welcome message is queued in the same transaction. A wallet carried by the link is linked to
 * this subscription, replacing the reader's wallet-only follow of the same writer.
 */
export async function confirmSubscription(db: Database, env: Env, token: string, now = new Date()) {
  const { subscriber, hash, wallet } = await subscriberForConfirmation(db, env, token, now);
  await db.$transaction(async (tx) => {
    const used = await tx.subscriber.updateMany({
      where: { id: subscriber.id, confirmTokenHash: hash },
      data: { confirmTokenHash: null, confirmExpiresAt: null, status: "confirmed", confirmedAt: subscriber.status === "confirmed" ? undefined : now, unsubscribedAt: null },
    });
    if (used.count !== 1) throw new UserError(USED_LINK, 409);
    if (wallet && subscriber.wallet === null) {
      const follow = await tx.subscriber.findUnique({ where: { writerId_wallet: { writerId: subscriber.writerId, wallet } } });
      // A follow that already has another address keeps it: a subscription holds one address.
      if (!follow || follow.email === null) {
        if (follow) await tx.subscriber.delete({ where: { id: follow.id } });
        await tx.subscriber.update({ where: { id: subscriber.id }, data: { wallet } });
      }
    }
    if (subscriber.status !== "confirmed") {
      const links = subscriberLinks(env, subscriber.id);
      const writerUrl = subscriber.writer.handle ? `${env.publicUrl}/${subscriber.writer.handle}` : env.publicUrl;
      await queueMail(tx, subscriber.email, welcomeMail({ ...listName(subscriber.writer), writerUrl, ...links }));
    }
  });
  return { email: subscriber.email, writer: listShown(subscriber.writer) };
}

/** The subscription a preferences or unsubscribe link is for. */
export async function subscriptionForToken(db: Database, env: Env, token: string) {
  const id = readManageToken(env, token);
  const subscriber = id ? await db.subscriber.findUnique({ where: { id }, include: { writer: true } }) : null;
  if (!subscriber) throw new UserError("This link is not valid: it may have been cut short. Use the link from your latest message.", 404);
  return {
    id: subscriber.id,
    email: subscriber.email,
    wallet: subscriber.wallet,
    status: subscriber.status as SubscriberStatus,
    writer: listShown(subscriber.writer),
  };
}

/**
 * Ends a subscription (by email and by wallet alike), at once and without asking again: the
 * one-click unsubscribe of RFC 8058. Saying it twice changes nothing.
 */
export async function unsubscribe(db: Database, env: Env, token: string, now = new Date()) {
  const subscription = await subscriptionForToken(db, env, token);
  await db.subscriber.updateMany({
    where: { id: subscription.id, status: { not: "unsubscribed" } },
    data: { status: "unsubscribed", unsubscribedAt: now, confirmTokenHash: null, confirmExpiresAt: null },
  });
  return { ...subscription, status: "unsubscribed" as const };
}

/**
 * Takes a subscription back up from a link in a message that reached its address, which proves
 * what a confirmation link would.
 */
export async function resubscribe(db: Database, env: Env, token: string, now = new Date()) {
  const subscription = await subscriptionForToken(db, env, token);
  if (subscription.status !== "confirmed") {
    await db.subscriber.update({ where: { id: subscription.id }, data: { status: "confirmed", confirmedAt: now, unsubscribedAt: null, confirmTokenHash: null, confirmExpiresAt: null } });
  }
  return { ...subscription, status: "confirmed" as const };
}

/**
 * A signed-in reader follows a writer with their wallet: the signature that signed them in is the
 * confirmation. An address on the row that was never confirmed is dropped, since only an
 * address's own confirmation lets us mail it.
 */
export async function follow(db: Database, writer: WriterRef, reader: { id: string; address: string }, now = new Date()) {
  if (reader.id === writer.id) throw new UserError("This is your own page: readers follow you here.", 422);
  const wallet = reader.address.toLowerCase();
  const existing = await db.subscriber.findUnique({ where: { writerId_wallet: { writerId: writer.id, wallet } } });
  if (!existing) {
    try {
      await db.subscriber.create({ data: { writerId: writer.id, wallet, status: "confirmed", source: "wallet", confirmedAt: now } });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
    return;
  }
  if (FOLLOWING.includes(existing.status as SubscriberStatus)) return;
  const unconfirmedEmail = existing.email !== null && existing.confirmedAt === null;
  await db.subscriber.update({
    where: { id: existing.id },
    data: { status: "confirmed", confirmedAt: now, unsubscribedAt: null, ...(unconfirmedEmail ? { email: null, confirmTokenHash: null, confirmExpiresAt: null } : {}) },
  });
}

/** Stops following (and emails from the same subscription). */
export async function unfollow(db: Database, writerId: string, reader: { address: string }, now = new Date()) {
  await db.subscriber.updateMany({
    where: { writerId, wallet: reader.address.toLowerCase(), status: { not: "unsubscribed" } },
    data: { status: "unsubscribed", unsubscribedAt: now, confirmTokenHash: null, confirmExpiresAt: null },
  });
}

/** Keeps following by wallet but stops emails: the address leaves the subscription. */
export async function removeEmail(db: Database, writerId: string, reader: { address: string }) {
  await db.subscriber.updateMany({ where: { writerId, wallet: reader.address.toLowerCase() }, data: { email: null, confirmTokenHash: null, confirmExpiresAt: null } });
}

/** Whether a reader follows a writer by wallet. */
export async function isFollowing(db: Database, writerId: string, reader: { address: string }): Promise<boolean> {
  const row = await db.subscriber.findUnique({ where: { writerId_wallet: { writerId, wallet: reader.address.toLowerCase() } }, select: { status: true } });
  return !!row && FOLLOWING.includes(row.status as SubscriberStatus);
}

/** The reader's page: whom they follow by wallet, and the newest entries of those writers and publications. */
export async function readerFeed(db: Database, reader: { address: string }, limit = 30) {
  const wallet = reader.address.toLowerCase();
  const follows = await db.subscriber.findMany({
    where: { wallet, status: { in: FOLLOWING } },
    orderBy: { createdAt: "desc" },
    include: { writer: true },
  });
  const followed = follows.map((f) => f.writerId);
  const entries = await db.entry.findMany({
    where: { OR: [{ writerId: { in: followed } }, { publicationId: { in: followed } }], ...READABLE },
    orderBy: { publishedAt: "desc" },
    take: limit,
    include: { writer: true, publication: { select: { handle: true } } },
  });
  return {
    follows: follows.map((f) => ({
      writerId: f.writerId,
      handle: f.writer.handle,
      name: writerName(f.writer),
      since: f.confirmedAt ?? f.createdAt,
      email: f.email,
      emailStatus: f.email ? (f.status === "bounced" ? "bounced" : "receiving") : null,
    })),
    entries: entries.map((e) => ({ title: e.title, excerpt: e.excerpt, path: entryPath(e), publishedAt: e.publishedAt, handle: e.writer.handle, name: writerName(e.writer) })),
  };
}

const PAGE_SIZE = 50;

/** The writer's audience: counts by status and one page of subscribers, optionally filtered and searched. */
export async function audience(db: Database, writerId: string, opts: { q?: string; status?: string; page?: number }) {
  const q = opts.q?.trim().slice(0, 100) ?? "";
  const status = STATUSES.includes(opts.status as SubscriberStatus) ? (opts.status as SubscriberStatus) : undefined;
  const page = Math.max(1, Math.floor(opts.page ?? 1));
  const where = {
    writerId,
    ...(status ? { status } : {}),
    ...(q ? { OR: [{ email: { contains: q } }, { email: { contains: q.toLowerCase() } }, { wallet: { contains: q.toLowerCase() } }] } : {}),
  };
  const [groups, matching, rows] = await Promise.all([
    db.subscriber.groupBy({ by: ["status"], where: { writerId }, _count: { _all: true } }),
    db.subscriber.count({ where }),
    db.subscriber.findMany({ where, orderBy: [{ createdAt: "desc" }, { id: "asc" }], skip: (page - 1) * PAGE_SIZE, take: PAGE_SIZE }),
  ]);
  const counts = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<SubscriberStatus, number>;
  for (const group of groups) counts[group.status as SubscriberStatus] = group._count._all;
  return {
    counts,
    q,
    status,
    page,
    pages: Math.max(1, Math.ceil(matching / PAGE_SIZE)),
    matching,
    rows: rows.map((r) => ({ id: r.id, email: r.email, wallet: r.wallet, status: r.status, source: r.source, date: r.confirmedAt ?? r.createdAt })),
  };
}
