import crypto from "node:crypto";
import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb, type Database } from "~/db.server";
import { getEnv, parseEnv } from "~/env.server";
import { createMailer } from "~/modules/mail/outbox.server";
import { exportSubscribers, importSubscribers } from "~/modules/subscriptions/csv.server";
import { allowRequest } from "~/modules/subscriptions/rate-limit.server";
import { confirmSubscription, follow, readerFeed, subscribeByEmail, unsubscribe } from "~/modules/subscriptions/subscribers.server";
import { manageToken, tokenHash } from "~/modules/subscriptions/tokens.server";
import { databaseProviders, useMigratedDatabase } from "../support/databases";
import { startTestSmtp, type ReceivedMessage, type TestSmtp } from "../support/smtp";
import { Browser, signedInBrowser, startTestServer } from "../support/web";

let server: Awaited<ReturnType<typeof startTestServer>>;
let smtp: TestSmtp;
let mailer: ReturnType<typeof createMailer>;
let db: Database;

// The tests stand for a proxy in front of the server: each visitor's address arrives in X-Forwarded-For.
process.env.TRUST_PROXY = "1";

beforeAll(async () => {
  server = await startTestServer();
  smtp = await startTestSmtp();
  db = getDb();
  mailer = createMailer(db, parseEnv({ ...process.env, SMTP_URL: smtp.url }));
});
afterAll(async () => {
  mailer?.close();
  await smtp?.stop();
  await server?.stop();
});

const unique = () => crypto.randomBytes(4).toString("hex");

async function newWriter(fields: { displayName?: string } = {}) {
  const account = privateKeyToAccount(generatePrivateKey());
  const handle = `w-${unique()}`;
  const writer = await db.writer.create({ data: { address: account.address.toLowerCase(), handle, displayName: fields.displayName ?? `Writer ${handle}` } });
  return { account, writer, handle };
}

/** A browser at its own client address, so per-client limits of one test do not touch another. */
function visitor() {
  const browser = new Browser(server.url);
  const ip = `203.0.113.${crypto.randomInt(1, 255)}-${unique()}`;
  return {
    browser,
    post: (path: string, fields: Record<string, string>) =>
      browser.fetch(path, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", "x-forwarded-for": ip }, body: new URLSearchParams(fields).toString() }),
  };
}

const signIn = (account: PrivateKeyAccount) => signedInBrowser(server.url, account);

/** Sends what is queued and returns the messages that arrived at the SMTP server meanwhile. */
async function deliver(): Promise<ReceivedMessage[]> {
  const before = smtp.messages.length;
  const pass = await mailer.drain();
  await smtp.waitFor(before + pass.sent);
  return smtp.messages.slice(before);
}

/** A header as it arrived, unfolded. */
const header = (message: ReceivedMessage, name: string) =>
  message.parsed.headerLines.find((h) => h.key === name.toLowerCase())?.line.replace(/^[^:]+:\s*/, "").replace(/\r?\n\s+/g, " ");

const linkIn = (message: ReceivedMessage, path: string) => {
  const match = new RegExp(`${server.url.replace(/[.:/]/g, "\\$&")}${path}\\?token=([A-Za-z0-9._~%-]+)`).exec(message.parsed.text ?? "");
  expect(match, `a ${path} link in:\n${message.parsed.text}`).not.toBeNull();
  return { url: match![0], token: decodeURIComponent(match![1]!) };
};

/** The page's main text, as a reader sees it. */
const mainText = async (response: Response) =>
  (/<main>([\s\S]*?)<\/main>/.exec(await response.text())?.[1] ?? "")
    .replace(/<!--.*?-->/g, "")
    .replace(/<[^>]+>/g, " ")
    .replace(/&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ")
    .replace(/ ([?.,;:!])/g, "$1")
    .trim();

describe("subscribing by email", () => {
  it("is double opt-in: one confirmation link (only its hash stored), confirmed by a button not by opening, then a welcome", async () => {
    const { writer, handle } = await newWriter({ displayName: "Ada Lovelace" });
    const { post } = visitor();
    const email = `reader-${unique()}@example.com`;

    const page = await visitor().browser.fetch(`/${handle}`);
    expect(await page.text()).toContain(`action="/subscribe/${handle}"`);

    const answer = await post(`/subscribe/${handle}`, { intent: "email", email, website: "" });
    expect(answer.status).toBe(200);
    expect(await mainText(answer)).toContain(`Check your inbox If ${email} is not subscribed to Ada Lovelace yet, a link to confirm is on its way.`);
    const pending = await db.subscriber.findUniqueOrThrow({ where: { writerId_email: { writerId: writer.id, email } } });
    expect(pending).toMatchObject({ status: "pending", wallet: null, confirmedAt: null });

    const [confirmation, ...others] = await deliver();
    expect(others).toHaveLength(0);
    expect(confirmation!.to).toBe(email);
    expect(confirmation!.parsed.subject).toBe("Confirm your subscription to Ada Lovelace");
    const { url, token } = linkIn(confirmation!, "/subscriptions/confirm");
    expect(confirmation!.parsed.html).toContain(url.replace(/&/g, "&amp;"));
    expect(pending.confirmTokenHash).toBe(tokenHash(token));
    expect(JSON.stringify(await db.subscriber.findMany({ where: { writerId: writer.id } }))).not.toContain(token);

    // Opening the link (as a mail scanner does) confirms nothing.
    const opened = await visitor().browser.fetch(url);
    expect(opened.status).toBe(200);
    expect(await mainText(opened)).toContain(`Get new essays by Ada Lovelace at ${email}?`);
    expect((await db.subscriber.findUniqueOrThrow({ where: { id: pending.id } })).status).toBe("pending");
    expect(await deliver()).toHaveLength(0);

    const confirmed = await post("/subscriptions/confirm", { token });
    expect(confirmed.status).toBe(200);
    expect(await mainText(confirmed)).toContain("You're subscribed");
    expect(await db.subscriber.findUniqueOrThrow({ where: { id: pending.id } })).toMatchObject({ status: "confirmed", confirmTokenHash: null });

    const reused = await post("/subscriptions/confirm", { token });
    expect(reused.status).toBe(409);
    expect(await mainText(reused)).toContain("This confirmation link was already used");

    const [welcome, ...more] = await deliver();
    expect(more).toHaveLength(0);
    expect(welcome!.to).toBe(email);
    expect(welcome!.parsed.subject).toBe("You're subscribed to Ada Lovelace");
    expect(welcome!.parsed.text).toContain(`${server.url}/${handle}`);
  });

  it("answers the same for a new, pending or confirmed address, never duplicates it, and rate-limits per address", async () => {
    const { writer, handle } = await newWriter();
    const email = `again-${unique()}@example.com`;
    const subscribe = () => visitor().post(`/subscribe/${handle}`, { intent: "email", email });

    const first = await subscribe();
    const firstText = await mainText(first);
    const [firstLink] = await deliver();
    const second = await subscribe();
    expect(second.status).toBe(first.status);
    expect(await mainText(second)).toBe(firstText);
    const [secondLink] = await deliver();
    expect(secondLink!.to).toBe(email);
    const fresh = linkIn(secondLink!, "/subscriptions/confirm").token;
    expect(fresh).not.toBe(linkIn(firstLink!, "/subscriptions/confirm").token);

    // The newer link replaced the older one.
    const stale = await visitor().post("/subscriptions/confirm", { token: linkIn(firstLink!, "/subscriptions/confirm").token });
    expect(stale.status).toBe(409);
    const used = await visitor().post("/subscriptions/confirm", { token: fresh });
    expect(used.status, await mainText(used)).toBe(200);
    await deliver();

    const third = await subscribe();
    expect(third.status).toBe(200);
    expect(await mainText(third)).toBe(firstText);
    expect(await deliver()).toHaveLength(0);
    expect(await db.subscriber.count({ where: { writerId: writer.id } })).toBe(1);

    const fourth = await subscribe();
    expect(fourth.status).toBe(429);
    expect(await mainText(fourth)).toContain("Too many subscription requests from here or for this address. Try again in an hour.");
  });

  it("limits one client to 20 requests an hour in the shared RateLimit table", async () => {
    const key = `test:${unique()}`;
    const now = new Date("2026-11-26T10:15:00Z");
    const results = await Promise.all(Array.from({ length: 25 }, () => allowRequest(db, key, { limit: 20, windowMs: 3_600_000 }, now)));
    expect(results.filter(Boolean)).toHaveLength(20);
    expect(await allowRequest(db, key, { limit: 20, windowMs: 3_600_000 }, new Date("2026-11-26T11:00:00Z"))).toBe(true);

    const { handle } = await newWriter();
    const { post } = visitor();
    for (let i = 0; i < 20; i++) expect((await post(`/subscribe/${handle}`, { intent: "email", email: `many-${i}-${unique()}@example.com` })).status).toBe(200);
    expect((await post(`/subscribe/${handle}`, { intent: "email", email: `many-last-${unique()}@example.com` })).status).toBe(429);

    // A request that came through no proxy counts against the address its connection came from.
    const direct = await new Browser(server.url).fetch(`/subscribe/${handle}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ intent: "email", email: `direct-${unique()}@example.com` }).toString(),
    });
    expect(direct.status).toBe(200);
    expect(await db.rateLimit.findFirst({ where: { key: "subscribe:client:127.0.0.1" } })).not.toBeNull();
    await deliver();
  });

  it("ignores a form whose hidden honeypot field is filled in, with the same answer", async () => {
    const { writer, handle } = await newWriter();
    const email = `robot-${unique()}@example.com`;
    const answer = await visitor().post(`/subscribe/${handle}`, { intent: "email", email, website: "http://spam.example" });
    expect(answer.status).toBe(200);
    expect(await mainText(answer)).toContain(`Check your inbox If ${email} is not subscribed`);
    expect(await db.subscriber.count({ where: { writerId: writer.id } })).toBe(0);
    expect(await deliver()).toHaveLength(0);
  });

  it("normalizes addresses, refuses malformed ones, and no line break reaches a header", async () => {
    const { writer, handle } = await newWriter({ displayName: "Eve\r\nBcc: victim@example.net" });
    const { post } = visitor();
    const local = `Ada.Lovelace+${unique()}`;
    expect((await post(`/subscribe/${handle}`, { intent: "email", email: `  ${local}@Example.ORG ` })).status).toBe(200);
    expect(await db.subscriber.findFirst({ where: { writerId: writer.id } })).toMatchObject({ email: `${local}@example.org` });

    for (const bad of ["nobody", "a@b", "x@example.com\r\nBcc: victim@example.net", '"a b"@example.com', "a..b@example.com", "a@-example.com"]) {
      const refused = await post(`/subscribe/${handle}`, { intent: "email", email: bad });
      expect(refused.status, bad).toBe(422);
    }
    expect(await db.subscriber.count({ where: { writerId: writer.id } })).toBe(1);

    const recipientsBefore = smtp.stats().recipients;
    const [message, ...others] = await deliver();
    expect(others).toHaveLength(0);
    expect(smtp.stats().recipients - recipientsBefore).toBe(1);
    expect(message!.to).toBe(`${local}@example.org`);
    expect(message!.parsed.subject).toBe("Confirm your subscription to Eve Bcc: victim@example.net");
    expect(message!.parsed.headers.has("bcc")).toBe(false);
    expect(message!.parsed.headerLines.map((h) => h.key)).not.toContain("bcc");
    expect(message!.raw.toString()).not.toMatch(/^Bcc:/im);
  });
});

describe("unsubscribing", () => {
  async function confirmedSubscriber() {
    const { writer, handle } = await newWriter();
    const email = `leaver-${unique()}@example.com`;
    await visitor().post(`/subscribe/${handle}`, { intent: "email", email });
    const [confirmation] = await deliver();
    await visitor().post("/subscriptions/confirm", { token: linkIn(confirmation!, "/subscriptions/confirm").token });
    const [welcome] = await deliver();
    const subscriber = await db.subscriber.findUniqueOrThrow({ where: { writerId_email: { writerId: writer.id, email } } });
    return { writer, email, welcome: welcome!, subscriber };
  }

  it("takes one POST to the List-Unsubscribe URL, without cookies or a page (RFC 8058)", async () => {
    const { welcome, subscriber } = await confirmedSubscriber();
    const listUnsubscribe = header(welcome, "List-Unsubscribe")!;
    expect(listUnsubscribe).toMatch(new RegExp(`^<${server.url.replace(/[.:/]/g, "\\$&")}/unsubscribe\\?token=[^>]+>$`));
    expect(header(welcome, "List-Unsubscribe-Post")).toBe("List-Unsubscribe=One-Click");
    const url = listUnsubscribe.slice(1, -1);
    expect(linkIn(welcome, "/unsubscribe").url).toBe(url);

    const response = await fetch(url, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "List-Unsubscribe=One-Click", redirect: "manual" });
    expect(response.status).toBe(200);
    expect(await db.subscriber.findUniqueOrThrow({ where: { id: subscriber.id } })).toMatchObject({ status: "unsubscribed" });
    const again = await fetch(url, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "List-Unsubscribe=One-Click" });
    expect(again.status).toBe(200);

    const forged = await fetch(url.replace(/token=([^.]+)\.[^&]+/, "token=$1.forged"), { method: "POST", body: "List-Unsubscribe=One-Click" });
    expect(forged.status).toBe(404);
  });

  it("from the link in the body: opening it shows a button, pressing it unsubscribes, preferences bring it back", async () => {
    const { welcome, subscriber } = await confirmedSubscriber();
    const link = linkIn(welcome, "/unsubscribe");
    const opened = await visitor().browser.fetch(link.url);
    expect(opened.status).toBe(200);
    const html = await opened.text();
    expect(html).toContain(">Unsubscribe</button>");
    expect((await db.subscriber.findUniqueOrThrow({ where: { id: subscriber.id } })).status).toBe("confirmed");

    const pressed = await visitor().browser.fetch(link.url, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "" });
    expect(pressed.status).toBe(200);
    expect(await mainText(pressed)).toContain("You're unsubscribed");
    expect((await db.subscriber.findUniqueOrThrow({ where: { id: subscriber.id } })).status).toBe("unsubscribed");

    const preferences = linkIn(welcome, "/subscriptions/preferences");
    expect(await mainText(await visitor().browser.fetch(preferences.url))).toContain("Status unsubscribed");
    const back = await visitor().post(`/subscriptions/preferences?token=${encodeURIComponent(preferences.token)}`, { intent: "return" });
    expect(back.status).toBe(200);
    expect(await mainText(back)).toContain("Status subscribed");
    expect(await db.subscriber.findUniqueOrThrow({ where: { id: subscriber.id } })).toMatchObject({ status: "confirmed", unsubscribedAt: null });
  });
});

describe("following by wallet", () => {
  it("follows the signed-in reader's wallet, lists it with the newest entries, adds an email by double opt-in, and unfollows", async () => {
    const { writer, handle } = await newWriter({ displayName: "Grace Hopper" });
    const reader = privateKeyToAccount(generatePrivateKey());
    const wallet = reader.address.toLowerCase();

    const signedOut = await visitor().post(`/subscribe/${handle}`, { intent: "follow" });
    expect(signedOut.status).toBe(302);
    expect(signedOut.headers.get("location")).toBe(`/signin?next=${encodeURIComponent(`/subscribe/${handle}`)}`);

    const browser = await signIn(reader);
    const post = (path: string, fields: Record<string, string>) =>
      browser.fetch(path, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", "x-forwarded-for": `198.51.100.${crypto.randomInt(1, 255)}` }, body: new URLSearchParams(fields).toString() });
    const followed = await post(`/subscribe/${handle}`, { intent: "follow" });
    expect(followed.status).toBe(302);
    expect(await db.subscriber.findUniqueOrThrow({ where: { writerId_wallet: { writerId: writer.id, wallet } } })).toMatchObject({ status: "confirmed", email: null, source: "wallet" });
    expect(await mainText(await browser.fetch(`/subscribe/${handle}`))).toContain(`You follow Grace Hopper with ${wallet}`);

    const publishedAt = new Date("2026-11-20T09:00:00Z");
    await db.entry.create({
      data: { writerId: writer.id, originalDigest: `digest-${unique()}`, slug: "on-compilers", latestVersion: 1, title: "On compilers", excerpt: "Machines that write programs.", wordCount: 4, publishedAt, updatedAt: publishedAt },
    });
    const following = await browser.fetch("/following");
    expect(following.status).toBe(200);
    const listed = await following.text();
    expect(listed).toContain(`href="/${handle}/on-compilers">On compilers</a>`);
    expect(listed).toContain(`href="/${handle}">Grace Hopper</a>`);
    expect(listed).toContain('href="/following">Following</a>');

    const email = `grace-reader-${unique()}@example.com`;
    const added = await post("/following", { intent: "add-email", writerId: writer.id, email });
    expect(added.status).toBe(200);
    const [confirmation] = await deliver();
    expect(confirmation!.to).toBe(email);
    await visitor().post("/subscriptions/confirm", { token: linkIn(confirmation!, "/subscriptions/confirm").token });
    const rows = await db.subscriber.findMany({ where: { writerId: writer.id } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ wallet, email, status: "confirmed" });
    const [welcome] = await deliver();
    expect(welcome!.to).toBe(email);
    expect(await mainText(await browser.fetch("/following"))).toContain(`emails to ${email}`);

    expect((await post("/following", { intent: "unfollow", writerId: writer.id })).status).toBe(200);
    expect((await db.subscriber.findFirstOrThrow({ where: { writerId: writer.id } })).status).toBe("unsubscribed");
    expect(await (await browser.fetch("/following")).text()).not.toContain("On compilers");

    const own = await db.writer.update({ where: { address: wallet }, data: { handle: `own-${unique()}` } });
    const refused = await post(`/subscribe/${own.handle}`, { intent: "follow" });
    expect(refused.status).toBe(422);
  });
});

describe("the writer's audience", () => {
  async function writerBrowser() {
    const account = privateKeyToAccount(generatePrivateKey());
    const browser = await signIn(account);
    const writer = await db.writer.update({ where: { address: account.address.toLowerCase() }, data: { handle: `aud-${unique()}`, displayName: "Audience Writer" } });
    return { browser, writer };
  }

  const importCsv = (browser: Browser, csv: string, consent: boolean) => {
    const form = new FormData();
    form.set("file", new Blob([csv], { type: "text/csv" }), "list.csv");
    if (consent) form.set("consent", "yes");
    return browser.fetch("/settings/subscribers", { method: "POST", body: form });
  };

  it("refuses a CSV with bad rows by line number and imports nothing; imports and exports a clean one, round trip", async () => {
    const { browser, writer } = await writerBrowser();
    const wallet = privateKeyToAccount(generatePrivateKey()).address;
    const bad = [
      "email,wallet,date",
      "ok@example.com,,2026-01-02",
      "not-an-email,,",
      `,${wallet},2026-03-04T05:06:07Z`,
      ",0x1234,",
      "ok@example.com,,",
      "late@example.com,,2031-01-01",
      '"quoted,comma@example.com",,',
      "two,cells",
    ].join("\r\n");
    const refused = await importCsv(browser, bad, true);
    expect(refused.status).toBe(422);
    const page = await refused.text();
    expect(page).toContain("6 problems in the file; nothing was imported.");
    for (const line of [3, 5, 6, 7, 8, 9]) expect(page).toContain(`line ${line}: `);
    expect(page).toContain("line 6: ok@example.com is already on line 2.");
    expect(page).toContain("line 9: 2 cells where the header has 3.");
    expect(await db.subscriber.count({ where: { writerId: writer.id } })).toBe(0);

    const formula = `=cmd-${unique()}@example.com`;
    const good = ["Email,Wallet,Date", "ada@example.com,,2026-01-02T00:00:00.000Z", `,${wallet},2026-03-04T05:06:07.000Z`, `"${formula}",,2026-05-06T00:00:00.000Z`, ""].join("\n");
    const imported = await importCsv(browser, good, true);
    expect(imported.status).toBe(200);
    expect(await mainText(imported)).toContain("Imported 3; 0 already on the list were left as they are.");
    expect(await db.subscriber.count({ where: { writerId: writer.id, status: "confirmed", source: "import" } })).toBe(3);
    expect(await deliver()).toHaveLength(0);

    const exported = await browser.fetch("/settings/subscribers.csv");
    expect(exported.status).toBe(200);
    expect(exported.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    const csv = await exported.text();
    const lines = csv.trimEnd().split("\r\n");
    expect(lines[0]).toBe("email,wallet,date");
    expect(lines.slice(1).sort()).toEqual(
      [`,${wallet.toLowerCase()},2026-03-04T05:06:07.000Z`, "ada@example.com,,2026-01-02T00:00:00.000Z", `'${formula},,2026-05-06T00:00:00.000Z`].sort(),
    );

    // The export is a valid import: into another writer's list, the same rows come out.
    const other = await writerBrowser();
    expect((await importCsv(other.browser, csv, true)).status).toBe(200);
    expect(await (await other.browser.fetch("/settings/subscribers.csv")).text()).toBe(csv);
    // Importing it again changes nothing.
    expect(await mainText(await importCsv(other.browser, csv, true))).toContain("Imported 0; 3 already on the list were left as they are.");

    const listPage = await browser.fetch(`/settings/subscribers?q=${encodeURIComponent("ada@")}`);
    const listed = await listPage.text();
    expect(listed).toContain("ada@example.com");
    expect(listed).not.toContain(formula);
    expect(listed).toMatch(/data-status="confirmed">3</);
  });

  it("imports without the consent box as pending, each address with its own confirmation link", async () => {
    const { browser, writer } = await writerBrowser();
    const emails = [`p1-${unique()}@example.com`, `p2-${unique()}@example.com`];
    const response = await importCsv(browser, `email\n${emails.join("\n")}\n`, false);
    expect(response.status).toBe(200);
    expect(await mainText(response)).toContain("Imported 2; 0 already on the list were left as they are; 2 confirmation links are on their way.");
    expect(await db.subscriber.count({ where: { writerId: writer.id, status: "pending" } })).toBe(2);
    const mails = await deliver();
    expect(mails.map((m) => m.to).sort()).toEqual([...emails].sort());
    expect(mails.every((m) => m.parsed.subject === "Confirm your subscription to Audience Writer")).toBe(true);
    await visitor().post("/subscriptions/confirm", { token: linkIn(mails[0]!, "/subscriptions/confirm").token });
    expect(await db.subscriber.findUniqueOrThrow({ where: { writerId_email: { writerId: writer.id, email: mails[0]!.to } } })).toMatchObject({ status: "confirmed" });
    await deliver();
  });
});

describe.each(databaseProviders())("the subscription functions on %s", (provider) => {
  let other: Database;
  useMigratedDatabase(provider, (created) => (other = created));

  it("count requests, opt in, confirm and merge a wallet, import and export the same way", async () => {
    const env = getEnv();
    const now = new Date("2026-11-26T10:00:00Z");
    const limit = { limit: 3, windowMs: 3_600_000 };
    const counted = await Promise.all(Array.from({ length: 5 }, () => allowRequest(other, "key", limit, now)));
    expect(counted.filter(Boolean)).toHaveLength(3);

    const writer = await other.writer.create({ data: { address: `0x${"a".repeat(40)}`, handle: "functions", displayName: "Functions" } });
    const reader = await other.writer.create({ data: { address: `0x${"c".repeat(40)}` } });
    await follow(other, writer, reader, now);
    await subscribeByEmail(other, env, { writer, email: "Reader@Example.com", client: "c1", wallet: reader.address }, now);
    const mail = await other.outgoingMail.findFirstOrThrow({ where: { to: "Reader@example.com" } });
    const token = decodeURIComponent(/confirm\?token=([^\s]+)/.exec(mail.text)![1]!);
    await confirmSubscription(other, env, token, now);
    expect(await other.subscriber.findMany({ where: { writerId: writer.id }, select: { email: true, wallet: true, status: true } })).toEqual([
      { email: "Reader@example.com", wallet: reader.address, status: "confirmed" },
    ]);
    expect((await readerFeed(other, reader)).follows).toMatchObject([{ name: "Functions", email: "Reader@example.com", emailStatus: "receiving" }]);

    const result = await importSubscribers(other, env, writer, "email,wallet,date\nimported@example.com,,2026-02-03\nReader@example.com,,\n", { consent: true }, now);
    expect(result).toEqual({ imported: 1, skipped: 1, confirmationsSent: 0 });
    let csv = "";
    for await (const chunk of exportSubscribers(other, writer.id)) csv += chunk;
    expect(csv.split("\r\n").slice(1, -1).sort()).toEqual(["Reader@example.com,0xcccccccccccccccccccccccccccccccccccccccc,2026-11-26T10:00:00.000Z", "imported@example.com,,2026-02-03T00:00:00.000Z"]);

    const subscriber = await other.subscriber.findFirstOrThrow({ where: { email: "imported@example.com" } });
    await unsubscribe(other, env, manageToken(env, subscriber.id), now);
    expect(await other.subscriber.findUniqueOrThrow({ where: { id: subscriber.id } })).toMatchObject({ status: "unsubscribed", unsubscribedAt: now });
  });
});
