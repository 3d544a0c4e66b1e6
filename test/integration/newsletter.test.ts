import { spawn } from "node:child_process";
import crypto from "node:crypto";
import path from "node:path";
import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createDatabase, type Database } from "~/db.server";
import { getEnv, parseEnv } from "~/env.server";
import { createDraft, getDraft, saveDraft } from "~/modules/entries/drafts.server";
import { preparePublication, publishDraft } from "~/modules/entries/publish.server";
import { createMailer } from "~/modules/mail/outbox.server";
import { SEND_LOCK_MS } from "~/modules/mail/queue.server";
import { newsletterStats, planNewsletters } from "~/modules/newsletters/newsletters.server";
import { manageToken } from "~/modules/subscriptions/tokens.server";
import { deployMigrations } from "../../scripts/lib/migrations";
import { databaseProviders, freshDatabase, type TestDatabase } from "../support/databases";
import { editionRow } from "../support/editions";
import { launchRole } from "../support/launch";
import { startTestSmtp, type ReceivedMessage, type TestSmtp } from "../support/smtp";

const ROOT = path.resolve(__dirname, "../..");
const unique = () => crypto.randomBytes(4).toString("hex");
const later = (minutes: number) => new Date(Date.now() + minutes * 60_000);

const essay = {
  type: "doc" as const,
  content: [
    { type: "heading", attrs: { level: 2 }, content: [{ type: "text", text: "First principles" }] },
    { type: "paragraph", content: [{ type: "text", text: "Words that stay where they are put, " }, { type: "text", text: "forever", marks: [{ type: "bold" }] }, { type: "text", text: "." }] },
  ],
};

/**
 * Publishes as the writer's wallet does: saves the draft, prepares, signs the typed data, publishes.
 * A new draft makes version 1; the draft of a published entry makes its next version.
 */
async function publish(db: Database, account: PrivateKeyAccount, writer: { id: string; address: string }, title: string, draftId?: string) {
  const id = draftId ?? (await createDraft(db, writer.id)).id;
  const { revision } = await getDraft(db, writer.id, id);
  await saveDraft(db, writer.id, id, { title, document: essay, baseRevision: revision });
  const prepared = await preparePublication(db, writer, id);
  const signature = await account.signTypedData(prepared.typedData);
  const published = await publishDraft(db, getEnv(), writer, { draftId: id, revision: prepared.revision, timestamp: prepared.timestamp, signature });
  return { ...published, draftId: id };
}

/** A header as it arrived, unfolded. */
const header = (message: ReceivedMessage, name: string) =>
  message.parsed.headerLines.find((h) => h.key === name.toLowerCase())?.line.replace(/^[^:]+:\s*/, "").replace(/\r?\n\s+/g, " ");

/** Each recipient got exactly one message. */
function expectOneEach(smtp: TestSmtp, emails: string[]) {
  const received = smtp.byRecipient();
  expect([...received.keys()].sort()).toEqual([...emails].sort());
  for (const [to, messages] of received) expect(messages.length, to).toBe(1);
}

describe.each(databaseProviders())("newsletters on %s", (provider) => {
  const databases: TestDatabase[] = [];
  const clients: Database[] = [];
  let db: Database;
  let url: string;

  beforeAll(async () => {
    const database = await freshDatabase(provider);
    databases.push(database);
    url = database.url;
    await deployMigrations(url);
    db = createDatabase(url);
    clients.push(db);
  });
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.$disconnect()));
    await Promise.all(databases.map((database) => database.drop()));
  });

  async function writerWith(subscribers: Array<{ email?: string; wallet?: string; status: string }>, displayName = "Ada Lovelace") {
    const account = privateKeyToAccount(generatePrivateKey());
    const writer = await db.writer.create({ data: { address: account.address.toLowerCase(), handle: `nl-${unique()}`, displayName } });
    for (const s of subscribers) await db.subscriber.create({ data: { writerId: writer.id, email: s.email ?? null, wallet: s.wallet ?? null, status: s.status } });
    return { account, writer };
  }

  const emails = (count: number, tag: string) => Array.from({ length: count }, (_, i) => `${tag}-${i}-${unique()}@example.com`);

  it("enqueues one newsletter per entry at version 1, and sends the essay to confirmed email subscribers only, once", async () => {
    const confirmed = emails(3, "confirmed");
    const { account, writer } = await writerWith([
      ...confirmed.map((email) => ({ email, status: "confirmed" })),
      { email: `pending-${unique()}@example.com`, status: "pending" },
      { email: `left-${unique()}@example.com`, status: "unsubscribed" },
      { email: `bounced-${unique()}@example.com`, status: "bounced" },
      { wallet: privateKeyToAccount(generatePrivateKey()).address.toLowerCase(), status: "confirmed" },
    ]);
    const published = await publish(db, account, writer, "On Permanence");
    expect(await db.newsletter.count({ where: { entryId: published.entryId } })).toBe(1);

    const smtp = await startTestSmtp();
    const env = parseEnv({ ...process.env, SMTP_URL: smtp.url });
    const mailer = createMailer(db, env);
    try {
      expect(await mailer.drain()).toMatchObject({ sent: 3, failed: 0, retried: 0 });
      await smtp.waitFor(3);
      expectOneEach(smtp, confirmed);

      const deliveries = await db.delivery.findMany({ where: { newsletter: { entryId: published.entryId } } });
      expect(deliveries.map((d) => d.status)).toEqual(["sent", "sent", "sent"]);
      const entryUrl = `${env.publicUrl}/${writer.handle}/${published.slug}`;
      for (const message of smtp.messages) {
        const delivery = deliveries.find((d) => d.email === message.to)!;
        const { parsed } = message;
        expect(parsed.subject).toBe("On Permanence");
        expect(parsed.from?.text).toBe('"Ada Lovelace via Permanent Press" <press@localhost>');
        expect(parsed.messageId).toBe(`<${delivery.id}@${new URL(env.publicUrl).hostname}>`);
        expect(delivery.messageId).toBe(parsed.messageId);
        expect(parsed.html).toContain("<h2>First principles</h2><p>Words that stay where they are put, <strong>forever</strong>.</p>");
        expect(parsed.text).toContain("## First principles\n\nWords that stay where they are put, **forever**.");
        expect(parsed.html).toContain(`href="${entryUrl}"`);
        // Nothing to collect yet: an edition is made from a published entry, after this mail.
        expect(parsed.html).not.toContain("#collect");
        expect(parsed.text).not.toContain("Collect it");
        const unsubscribeUrl = `${env.publicUrl}/unsubscribe?token=${encodeURIComponent(manageToken(env, delivery.subscriberId))}`;
        expect(header(message, "List-Unsubscribe")).toBe(`<${unsubscribeUrl}>`);
        expect(header(message, "List-Unsubscribe-Post")).toBe("List-Unsubscribe=One-Click");
        expect(parsed.text).toContain(`Unsubscribe: ${unsubscribeUrl}`);
        expect(parsed.html).toContain(`href="${unsubscribeUrl}"`);
      }

      // A second version of the entry is not a second newsletter, and nothing is sent again.
      const revised = await publish(db, account, writer, "On Permanence, revised", published.draftId);
      expect(revised).toMatchObject({ entryId: published.entryId, version: 2 });
      expect(await db.newsletter.count({ where: { writerId: writer.id } })).toBe(1);
      expect(await mailer.drain(later(60))).toMatchObject({ sent: 0 });
      expect(smtp.accepted()).toBe(3);
      expect(await newsletterStats(db, writer.id)).toMatchObject([{ title: "On Permanence, revised", status: "done", sent: 3, failed: 0, pending: 0 }]);
    } finally {
      mailer.close();
      await smtp.stop();
    }
  });

  it("ends with exactly one copy each when the relay defers the first recipients (4xx) and drops connections mid-batch", async () => {
    const list = emails(24, "flaky");
    const { account, writer } = await writerWith(list.map((email) => ({ email, status: "confirmed" })));
    await publish(db, account, writer, "Through the storm");
    const smtp = await startTestSmtp({ deferFirst: 4, dropAt: [6, 13, 14] });
    const mailer = createMailer(db, parseEnv({ ...process.env, SMTP_URL: smtp.url, MAIL_CONCURRENCY: "3", MAIL_BATCH_SIZE: "10" }));
    try {
      for (let minutes = 0; minutes <= 120 && (await db.newsletter.findFirstOrThrow({ where: { writerId: writer.id } })).status !== "done"; minutes += 5) {
        await mailer.drain(later(minutes));
      }
      await smtp.waitFor(24);
      expect(smtp.stats()).toMatchObject({ dropped: 3 });
      expectOneEach(smtp, list);
      const deliveries = await db.delivery.findMany({ where: { newsletter: { writerId: writer.id } } });
      expect(deliveries.every((d) => d.status === "sent" && d.lastError === null)).toBe(true);
      // Every attempt is counted once: 4 deferred at RCPT, 3 cut off in DATA, 24 accepted.
      expect(smtp.stats().transfers).toBe(24 + 3);
      expect(deliveries.reduce((sum, d) => sum + d.attempts, 0)).toBe(4 + 3 + 24);
      expect(await newsletterStats(db, writer.id)).toMatchObject([{ status: "done", sent: 24, failed: 0, pending: 0 }]);
    } finally {
      mailer.close();
      await smtp.stop();
    }
  });

  it("waits out a relay that is down, then delivers each message once", async () => {
    const list = emails(6, "outage");
    const { account, writer } = await writerWith(list.map((email) => ({ email, status: "confirmed" })));
    await publish(db, account, writer, "After the outage");
    const smtp = await startTestSmtp();
    await smtp.stop();
    const down = createMailer(db, parseEnv({ ...process.env, SMTP_URL: smtp.url }));
    try {
      expect(await down.drain()).toMatchObject({ sent: 0, relayDown: true });
    } finally {
      down.close();
    }
    const deliveries = await db.delivery.findMany({ where: { newsletter: { writerId: writer.id } } });
    expect(deliveries.every((d) => d.status === "pending" && d.lockedUntil === null)).toBe(true);
    expect(deliveries.some((d) => d.attempts === 1 && d.lastError !== null && d.nextAttemptAt > new Date())).toBe(true);

    const back = await startTestSmtp();
    const mailer = createMailer(db, parseEnv({ ...process.env, SMTP_URL: back.url }));
    try {
      expect(await mailer.drain(later(1))).toMatchObject({ sent: 6, relayDown: false });
      await back.waitFor(6);
      expectOneEach(back, list);
    } finally {
      mailer.close();
      await back.stop();
    }
  });

  it("sends a single message again, with the same Message-ID, when its worker died mid-send", async () => {
    const smtp = await startTestSmtp();
    const env = parseEnv({ ...process.env, SMTP_URL: smtp.url });
    const to = `single-${unique()}@example.com`;
    const mail = await db.outgoingMail.create({ data: { to, subject: "Confirm", text: "A link.", status: "sending", attempts: 1, lockedUntil: new Date(Date.now() - 1000) } });
    const mailer = createMailer(db, env);
    try {
      expect(await mailer.drain()).toMatchObject({ sent: 1 });
      await smtp.waitFor(1);
      expect(smtp.messages[0]!.to).toBe(to);
      expect(smtp.messages[0]!.parsed.messageId).toBe(`<${mail.id}@${new URL(env.publicUrl).hostname}>`);
      expect(await db.outgoingMail.findUniqueOrThrow({ where: { id: mail.id } })).toMatchObject({ status: "sent", attempts: 2, lastError: null });
    } finally {
      mailer.close();
      await smtp.stop();
    }
  });

  it("records a permanent refusal (5xx), marks the subscriber bounced, and does not try again", async () => {
    const list = emails(5, "refused");
    const gone = list[2]!;
    const { account, writer } = await writerWith(list.map((email) => ({ email, status: "confirmed" })));
    await publish(db, account, writer, "Into the void");
    const smtp = await startTestSmtp({ refuse: (address) => address === gone });
    const mailer = createMailer(db, parseEnv({ ...process.env, SMTP_URL: smtp.url }));
    try {
      expect(await mailer.drain()).toMatchObject({ sent: 4, failed: 1 });
      await mailer.drain(later(60));
      await smtp.waitFor(4);
      expectOneEach(smtp, list.filter((email) => email !== gone));
      const refused = await db.delivery.findFirstOrThrow({ where: { email: gone } });
      expect(refused).toMatchObject({ status: "failed", attempts: 1 });
      expect(refused.lastError).toMatch(/550 No such mailbox here/);
      expect(await db.subscriber.findFirstOrThrow({ where: { email: gone } })).toMatchObject({ status: "bounced" });
      expect(smtp.stats().recipients).toBe(5);
      expect(await newsletterStats(db, writer.id)).toMatchObject([{ status: "done", sent: 4, failed: 1, pending: 0 }]);
    } finally {
      mailer.close();
      await smtp.stop();
    }
  });

  it("offers Collect only while the entry's edition can be collected when the mail is sent", async () => {
    const [reader] = emails(1, "collector");
    const { account, writer } = await writerWith([{ email: reader!, status: "confirmed" }]);
    const smtp = await startTestSmtp();
    const env = parseEnv({ ...process.env, SMTP_URL: smtp.url });
    const mailer = createMailer(db, env);
    const sendWith = async (title: string, edition: { status: string; supplyLimit: number; minted: number; deadline: number | null }) => {
      const published = await publish(db, account, writer, title);
      await editionRow(db, { entryId: published.entryId, author: writer.address, name: title, contentId: published.arweaveId, terms: edition });
      const before = smtp.accepted();
      await mailer.drain();
      await smtp.waitFor(before + 1);
      const { parsed } = smtp.messages.find((message) => message.parsed.subject === title)!;
      return { entryUrl: `${env.publicUrl}/${writer.handle}/${published.slug}`, html: String(parsed.html), text: parsed.text ?? "" };
    };
    const inAnHour = Math.floor(Date.now() / 1000) + 3600;
    try {
      const offered = await sendWith("Signed for the first collector", { status: "signed", supplyLimit: 10, minted: 0, deadline: inAnHour });
      expect(offered.html).toContain(`href="${offered.entryUrl}#collect"`);
      expect(offered.text).toContain(`Collect it (free, 10 of 10 left): ${offered.entryUrl}#collect`);
      expect(offered.html).toContain(`Collect it</a> (free, 10 of 10 left)`);
      const live = await sendWith("Live and open", { status: "live", supplyLimit: 0, minted: 7, deadline: null });
      expect(live.text).toContain(`Collect it (free, open edition): ${live.entryUrl}#collect`);
      for (const [title, edition] of [
        ["Sold out before the mail", { status: "live", supplyLimit: 2, minted: 2, deadline: null }],
        ["An offer that lapsed", { status: "signed", supplyLimit: 10, minted: 0, deadline: Math.floor(Date.now() / 1000) - 60 }],
        ["Waiting on the writer's transaction", { status: "prepared", supplyLimit: 10, minted: 0, deadline: null }],
      ] as const) {
        const mail = await sendWith(title, edition);
        expect(mail.text, title).toContain(`Read it on the web: ${mail.entryUrl}`);
        expect(mail.text, title).not.toContain("Collect it");
        expect(mail.html, title).not.toContain("#collect");
      }
    } finally {
      mailer.close();
      await smtp.stop();
    }
  });

  it("plans idempotently, and skips a subscriber who left after the newsletter was planned", async () => {
    const list = emails(3, "leaving");
    const { account, writer } = await writerWith(list.map((email) => ({ email, status: "confirmed" })));
    const published = await publish(db, account, writer, "Goodbyes");
    const smtp = await startTestSmtp();
    const mailer = createMailer(db, parseEnv({ ...process.env, SMTP_URL: smtp.url }));
    try {
      // Planned (twice over: planning again adds nothing), then one subscriber leaves before anything is sent.
      expect(await planNewsletters(db)).toBe(3);
      await db.newsletter.updateMany({ where: { entryId: published.entryId }, data: { status: "queued" } });
      expect(await planNewsletters(db)).toBe(0);
      expect(await db.delivery.count({ where: { newsletter: { entryId: published.entryId } } })).toBe(3);
      await db.subscriber.updateMany({ where: { email: list[0] }, data: { status: "unsubscribed" } });
      await mailer.drain();
      await smtp.waitFor(2);
      expectOneEach(smtp, list.slice(1));
      expect(await db.delivery.count({ where: { newsletter: { entryId: published.entryId } } })).toBe(2);
    } finally {
      mailer.close();
      await smtp.stop();
    }
  });

  it("resumes after the worker is killed mid-send, without sending anything twice", async () => {
    const list = emails(40, "killed");
    const { account, writer } = await writerWith(list.map((email) => ({ email, status: "confirmed" })));
    await publish(db, account, writer, "Interrupted");
    // The relay accepts 10 messages, then keeps the next ones without ever answering: the worker
    // is killed while they are in flight, after the relay has them (the case that duplicates).
    const smtp = await startTestSmtp({ holdAfter: 10 });
    const child = spawn(path.join(ROOT, "node_modules/.bin/tsx"), ["test/support/mail-worker-child.ts"], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: url, SMTP_URL: smtp.url, MAIL_CONCURRENCY: "2", MAIL_BATCH_SIZE: "30" },
      stdio: "ignore",
    });
    const exited = new Promise((resolve) => child.once("exit", resolve));
    try {
      const deadline = Date.now() + 30_000;
      while (smtp.stats().held < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(smtp.stats().held).toBe(2);
      child.kill("SIGKILL");
      await exited;

      // In flight: the two held messages (one per connection) and answered ones not yet recorded.
      const rows = await db.delivery.findMany({ where: { newsletter: { writerId: writer.id } } });
      const inFlight = rows.filter((d) => d.status === "sending").map((d) => d.id);
      const sent = rows.filter((d) => d.status === "sent").length;
      expect(inFlight.length).toBeGreaterThanOrEqual(2);
      expect(inFlight.length + sent).toBe(12);
      expect(rows.filter((d) => d.status === "pending")).toHaveLength(40 - 12);

      // The relay is back; the next worker runs once the dead one's claims have run out.
      smtp.behave({});
      const mailer = createMailer(db, parseEnv({ ...process.env, SMTP_URL: smtp.url }));
      try {
        await mailer.drain(new Date(Date.now() + SEND_LOCK_MS + 60_000));
      } finally {
        mailer.close();
      }
      await smtp.waitFor(40);
      expectOneEach(smtp, list);

      const after = await db.delivery.findMany({ where: { newsletter: { writerId: writer.id } } });
      const interrupted = after.filter((d) => d.status === "failed");
      expect(interrupted.map((d) => d.id).sort()).toEqual(inFlight.sort());
      for (const d of interrupted) expect(d.lastError).toMatch(/^interrupted: .* not sent again/);
      expect(after.filter((d) => d.status === "sent")).toHaveLength(40 - inFlight.length);
      expect((await db.newsletter.findFirstOrThrow({ where: { writerId: writer.id } })).status).toBe("done");
    } finally {
      child.kill("SIGKILL");
      await smtp.stop();
    }
  });

  it("lets two workers share one newsletter, and each delivery is sent once", async () => {
    const list = emails(300, "shared");
    const { account, writer } = await writerWith(list.map((email) => ({ email, status: "confirmed" })));
    await publish(db, account, writer, "Shared work");
    const smtp = await startTestSmtp();
    const env = parseEnv({ ...process.env, SMTP_URL: smtp.url, MAIL_CONCURRENCY: "3", MAIL_BATCH_SIZE: "20" });
    const second = createDatabase(url);
    clients.push(second);
    const workers = [createMailer(db, env), createMailer(second, env)];
    try {
      // Planned first, so both workers find the deliveries. Then both run their passes at the same
      // time, round after round, until the newsletter is done: each pass reserves at most one batch,
      // so while there is more than one batch left each worker gets rows of its own, whichever
      // starts first (a worker racing alone could send all 300 before the other has connected).
      await planNewsletters(db);
      const done = async () => (await db.newsletter.findFirstOrThrow({ where: { writerId: writer.id } })).status === "done";
      const results = [0, 0];
      while (!(await done())) {
        const passes = await Promise.all(workers.map((worker) => worker.runPass()));
        passes.forEach((pass, i) => (results[i]! += pass.sent));
        // A pass takes one batch (MAIL_BATCH_SIZE), never more, whatever plan the database picks.
        for (const pass of passes) expect(pass.sent).toBeLessThanOrEqual(20);
      }
      await smtp.waitFor(300);
      expectOneEach(smtp, list);
      expect(results[0]! + results[1]!).toBe(300);
      expect(results[0]).toBeGreaterThan(0);
      expect(results[1]).toBeGreaterThan(0);
      expect(await db.delivery.count({ where: { newsletter: { writerId: writer.id }, status: "sent" } })).toBe(300);
    } finally {
      for (const worker of workers) worker.close();
      await smtp.stop();
    }
  });
  it("times a worker's claims by the database's clock: a worker whose clock runs ten minutes ahead takes nothing another holds", async () => {
    const list = emails(5, "skew");
    const { account, writer } = await writerWith(list.map((email) => ({ email, status: "confirmed" })));
    await publish(db, account, writer, "Clocks disagree");
    await planNewsletters(db);
    // Another worker reserved every delivery a minute ago, for the minute to come (by the database's clock).
    const held = await db.$executeRaw`UPDATE "Delivery" SET "lockedUntil" = ${new Date(Date.now() + 60_000)} WHERE "newsletterId" IN (SELECT "id" FROM "Newsletter" WHERE "writerId" = ${writer.id})`;
    expect(held).toBe(5);
    const smtp = await startTestSmtp();
    const mailer = createMailer(db, parseEnv({ ...process.env, SMTP_URL: smtp.url }));
    try {
      vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + 10 * 60_000 });
      const ahead = await mailer.runPass();
      vi.useRealTimers();
      expect(ahead.sent).toBe(0);
      expect(smtp.messages).toHaveLength(0);
      // Once the other worker's claim runs out by the database's clock, the rows are anyone's.
      await db.$executeRaw`UPDATE "Delivery" SET "lockedUntil" = ${new Date(Date.now() - 1_000)} WHERE "newsletterId" IN (SELECT "id" FROM "Newsletter" WHERE "writerId" = ${writer.id})`;
      expect((await mailer.runPass()).sent).toBe(5);
      await smtp.waitFor(5);
      expectOneEach(smtp, list);
    } finally {
      vi.useRealTimers();
      mailer.close();
      await smtp.stop();
    }
  });

  it("is delivered once to each of 10,000 subscribers by three worker processes, one killed mid-send, but for what it had in flight", async () => {
    const count = 10_000;
    const account = privateKeyToAccount(generatePrivateKey());
    const writer = await db.writer.create({ data: { address: account.address.toLowerCase(), handle: `nl-${unique()}`, displayName: "Many Readers" } });
    const list = emails(count, "three");
    for (let i = 0; i < count; i += 1_000) {
      await db.subscriber.createMany({ data: list.slice(i, i + 1_000).map((email) => ({ writerId: writer.id, email, status: "confirmed" })) });
    }
    await publish(db, account, writer, "Three workers");
    const smtp = await startTestSmtp({ countOnly: true });
    // Three worker roles as `npm run start:worker` runs them, on this database and this relay.
    const workers = Array.from({ length: 3 }, () => {
      const worker = launchRole("worker", { DATABASE_URL: url, SMTP_URL: smtp.url, MAIL_CONCURRENCY: "3", MAIL_BATCH_SIZE: "100" }, { inherit: true });
      const sent = () => [...worker.output().matchAll(/^mail +sent (\d+),/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
      return { ...worker, sent };
    });
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    const waitUntil = async (what: string, done: () => boolean | Promise<boolean>, timeoutMs = 120_000) => {
      for (const deadline = Date.now() + timeoutMs; !(await done()); await sleep(50)) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; ${smtp.accepted()} accepted\n${workers.map((w) => w.output()).join("\n---\n")}`);
      }
    };
    try {
      await waitUntil("a third of the newsletter", () => smtp.accepted() >= count / 3);
      const [killed, ...survivors] = workers;
      killed!.child.kill("SIGKILL");
      await killed!.exited;
      // The two others go on until all that is left is what the killed worker held.
      let last = -1;
      await waitUntil("the survivors to finish", async () => {
        const now = smtp.accepted();
        const settled = now === last;
        last = now;
        if (!settled) await sleep(1_500);
        return settled;
      });
      for (const survivor of survivors) survivor.child.kill("SIGTERM");
      expect(await Promise.all(survivors.map((survivor) => survivor.exited))).toEqual([0, 0]);
      for (const survivor of survivors) expect(survivor.sent()).toBeGreaterThan(0);
      expect([...smtp.acceptedPerRecipient().values()].every((n) => n === 1)).toBe(true);

      // Once the killed worker's claims have run out, a worker finishes: its reserved deliveries go
      // out; the ones it was sending when it died are recorded as interrupted and never sent again.
      const mailer = createMailer(db, parseEnv({ ...process.env, SMTP_URL: smtp.url }));
      try {
        await mailer.drain(new Date(Date.now() + SEND_LOCK_MS + 60_000));
      } finally {
        mailer.close();
      }
      const deliveries = await db.delivery.findMany({ where: { newsletter: { writerId: writer.id } }, select: { email: true, status: true, lastError: true } });
      expect(deliveries).toHaveLength(count);
      const interrupted = deliveries.filter((d) => d.status === "failed");
      for (const d of interrupted) expect(d.lastError).toMatch(/^interrupted: .* not sent again/);
      expect(interrupted.length).toBeLessThanOrEqual(100); // at most the batch the killed worker was sending
      expect(deliveries.filter((d) => d.status === "sent")).toHaveLength(count - interrupted.length);
      const received = smtp.acceptedPerRecipient();
      const maybe = new Set(interrupted.map((d) => d.email));
      for (const email of list) {
        const copies = received.get(email) ?? 0;
        if (maybe.has(email)) expect(copies, email).toBeLessThanOrEqual(1);
        else expect(copies, email).toBe(1);
      }
      expect((await db.newsletter.findFirstOrThrow({ where: { writerId: writer.id } })).status).toBe("done");
    } finally {
      for (const worker of workers) worker.child.kill("SIGKILL");
      await smtp.stop();
    }
  }, 240_000);
});
