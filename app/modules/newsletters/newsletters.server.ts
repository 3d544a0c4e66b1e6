/**
 * Newsletters: one per entry, queued when version 1 is published, planned into one Delivery per
 * confirmed email subscriber, sent by the mail worker's lanes, and done when nothing is left to
 * send. This module alone writes Newsletter and Delivery rows.
 */
import { formatEther } from "viem";
import type { Database } from "~/db.server";
import type { MailTransport } from "~/modules/mail/outbox.server";
import { settleInterrupted, type Lanes, type QueueSpec } from "~/modules/mail/queue.server";
import { Prisma } from "~/generated/prisma/sqlite/client";
import { currentHtml } from "~/modules/entries/html.server";
import type { Env } from "~/env.server";
import { canBeCollected } from "~/modules/editions/editions.server";
import { databaseTime } from "~/modules/jobs/clock.server";
import { newsletterTemplate, sender } from "~/modules/mail/templates.server";
import { listName, subscriberLinks, writerName } from "~/modules/subscriptions/subscribers.server";
import { ENTRY_PUBLICATION, entryUrl } from "~/modules/reading/entry-urls.server";

/** Subscribers turned into delivery rows per statement while planning. */
const PLAN_BATCH = 5_000;
/** How long a worker holds a newsletter it is planning before another may take it over. */
const PLAN_LOCK_MS = 60_000;

/**
 * Queues the newsletter of a newly published entry. Called inside the publishing transaction for
 * version 1 only, so an entry has its newsletter exactly when it exists; the unique entry id makes
 * a second one impossible. The newsletter's `writerId` is the list it goes to: an entry published
 * into a publication goes to the publication's subscribers only (its author's own list is not
 * sent, so a reader on both lists gets it once, under the name they will see on the page).
 */
export async function enqueueNewsletter(tx: Pick<Database, "newsletter">, entry: { entryId: string; writerId: string }): Promise<void> {
  await tx.newsletter.create({ data: { entryId: entry.entryId, writerId: entry.writerId } });
}

/**
 * Writes one pending delivery per confirmed email subscriber of the writer, in batches, before
 * anything is sent. Idempotent: a delivery's id is `<newsletter>.<subscriber>` and a second insert
 * of the pair does nothing, so a planner that died half-way is simply run again by the next worker
 * once its claim runs out. Sending may start on the first batches while later ones are written.
 */
async function planNewsletter(db: Database, newsletter: { id: string; writerId: string }, lock: Date, now: Date): Promise<number> {
  const started = performance.now();
  let cursor = "";
  let written = 0;
  let holds = lock;
  for (;;) {
    const batch = await db.$queryRaw<Array<{ id: string }>>`
      SELECT "id" FROM "Subscriber"
      WHERE "writerId" = ${newsletter.writerId} AND "status" = 'confirmed' AND "email" IS NOT NULL AND "id" > ${cursor}
      ORDER BY "id" LIMIT ${PLAN_BATCH}`;
    if (batch.length === 0) break;
    const last = batch[batch.length - 1]!.id;
    written += await db.$executeRaw`
      INSERT INTO "Delivery" ("id", "newsletterId", "subscriberId", "email", "status", "attempts", "nextAttemptAt")
      SELECT ${newsletter.id} || '.' || s."id", ${newsletter.id}, s."id", s."email", 'pending', 0, ${now}
      FROM "Subscriber" s
      WHERE s."writerId" = ${newsletter.writerId} AND s."status" = 'confirmed' AND s."email" IS NOT NULL AND s."id" > ${cursor} AND s."id" <= ${last}
      ON CONFLICT ("newsletterId", "subscriberId") DO NOTHING`;
    cursor = last;
    const renewed = new Date(now.getTime() + (performance.now() - started) + PLAN_LOCK_MS);
    const kept = await db.newsletter.updateMany({ where: { id: newsletter.id, lockedUntil: holds }, data: { lockedUntil: renewed } });
    if (kept.count !== 1) return written;
    holds = renewed;
  }
  await db.newsletter.updateMany({ where: { id: newsletter.id, lockedUntil: holds }, data: { status: "planned", plannedAt: now, lockedUntil: null } });
  return written;
}

/** Plans every queued newsletter no other worker holds, timed by the database's clock; returns how many delivery rows it wrote. */
export async function planNewsletters(db: Database, at?: Date): Promise<number> {
  const now = at ?? (await databaseTime(db));
  const queued = await db.newsletter.findMany({
    where: { status: "queued", OR: [{ lockedUntil: null }, { lockedUntil: { lt: now } }] },
    orderBy: { createdAt: "asc" },
    take: 10,
    select: { id: true, writerId: true, lockedUntil: true },
  });
  let written = 0;
  for (const newsletter of queued) {
    const lock = new Date(now.getTime() + PLAN_LOCK_MS);
    const claimed = await db.newsletter.updateMany({
      where: { id: newsletter.id, status: "queued", lockedUntil: newsletter.lockedUntil },
      data: { lockedUntil: lock },
    });
    if (claimed.count === 1) written += await planNewsletter(db, newsletter, lock, now);
  }
  return written;
}

/** Marks planned newsletters with nothing left to send as done. */
export async function completeNewsletters(db: Database, now = new Date()): Promise<number> {
  return db.$executeRaw`
    UPDATE "Newsletter" SET "status" = 'done', "completedAt" = ${now}
    WHERE "status" = 'planned' AND NOT EXISTS (
      SELECT 1 FROM "Delivery" d WHERE d."newsletterId" = "Newsletter"."id" AND d."status" IN ('pending', 'sending'))`;
}

/** What the worker needs to send a newsletter: its sender and its template, made once. */
export async function newsletterContent(db: Database, env: Env, newsletterId: string) {
  const newsletter = await db.newsletter.findUniqueOrThrow({
    where: { id: newsletterId },
    include: { writer: true, entry: { include: { writer: true, edition: true, ...ENTRY_PUBLICATION } } },
  });
  const { entry, writer: list } = newsletter;
  const version = await db.entryVersion.findUniqueOrThrow({ where: { entryId_version: { entryId: entry.id, version: 1 } }, select: { id: true, title: true, html: true, renderer: true, entryJson: true } });
  const { content } = JSON.parse(version.entryJson) as { content: { body: string } };
  // Sent under the name of the list it goes to (a publication's, for an entry published into one).
  const named = listName(list);
  const url = entryUrl(env.publicUrl, entry);
  return {
    from: sender(env, named.writerName),
    template: newsletterTemplate({
      ...named,
      authorName: writerName(entry.writer),
      title: version.title,
      essayHtml: await currentHtml(db, env.storage.gatewayUrl, version),
      essayMarkdown: content.body,
      entryUrl: url,
      // Offered only when a reader could collect it at the time of sending.
      collectUrl: entry.edition && canBeCollected(entry.edition) ? `${url}#collect` : undefined,
      collectTerms: entry.edition ? collectTerms(entry.edition) : undefined,
    }),
  };
}

/** "0.01 ETH, 90 of 100 left" or "free, open edition": what the Collect link offers. */
function collectTerms(edition: { price: string; supplyLimit: number; minted: number }): string {
  const price = edition.price === "0" ? "free" : `${formatEther(BigInt(edition.price))} ETH`;
  return edition.supplyLimit > 0 ? `${price}, ${edition.supplyLimit - edition.minted} of ${edition.supplyLimit} left` : `${price}, open edition`;
}

export type NewsletterContent = Awaited<ReturnType<typeof newsletterContent>>;

/** Per entry newsletter, newest first: how many were sent, failed, and are still to go. */
export async function newsletterStats(db: Database, writerId: string, limit = 20) {
  const newsletters = await db.newsletter.findMany({
    where: { writerId },
    orderBy: { createdAt: "desc" },
    take: limit,
    include: { entry: { select: { title: true, slug: true } } },
  });
  const groups = await db.delivery.groupBy({ by: ["newsletterId", "status"], where: { newsletterId: { in: newsletters.map((n) => n.id) } }, _count: { _all: true } });
  return newsletters.map((n) => {
    const count = (...statuses: string[]) => groups.filter((g) => g.newsletterId === n.id && statuses.includes(g.status)).reduce((sum, g) => sum + g._count._all, 0);
    return { id: n.id, title: n.entry.title, slug: n.entry.slug, status: n.status, createdAt: n.createdAt, sent: count("sent"), failed: count("failed"), pending: count("pending", "sending") };
  });
}

/** Newsletter deliveries as the mail lanes send them: never sent twice (a recorded gap is better than a second copy). */
const DELIVERIES: QueueSpec = {
  table: Prisma.raw('"Delivery"'),
  columns: Prisma.raw('"id", "newsletterId", "subscriberId", "email"'),
  stampMessageId: true,
  interrupted: "give-up",
};

interface DeliveryRow {
  id: string;
  newsletterId: string;
  subscriberId: string;
  email: string;
}

/**
 * The newsletter side of a mail worker's pass: settles deliveries a dead worker left mid-SMTP,
 * plans queued newsletters, sends a batch of due deliveries through `lanes`, and completes what
 * has nothing left. Content is made once per newsletter and kept for the next batches.
 */
export function createNewsletterSender(db: Database, env: Env, lanes: Lanes, transport: MailTransport) {
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

  async function send(now: Date) {
    const { reserved, rows } = await lanes.claim<DeliveryRow>(DELIVERIES, now, env.mail.batchSize);
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
    const result = await lanes.sendReserved(DELIVERIES, rows.filter((row) => active.has(row.subscriberId)), reserved, now, (row) => {
      const { from, template } = content.get(row.newsletterId)!;
      const parts = template.forRecipient(subscriberLinks(env, row.subscriberId));
      return transport.sendMail({ from, to: row.email, subject: template.subject, messageId: `<${row.id}@${domain}>`, ...parts });
    });
    if (result.refused.length > 0) {
      await db.subscriber.updateMany({ where: { id: { in: result.refused.map((row) => row.subscriberId) }, status: "confirmed" }, data: { status: "bounced" } });
    }
    return { ...result, reserved: rows.length };
  }

  return {
    settle: (now: Date) => settleInterrupted(db, DELIVERIES, now),
    plan: (now: Date) => planNewsletters(db, now),
    send,
    complete: (now: Date) => completeNewsletters(db, now),
  };
}
