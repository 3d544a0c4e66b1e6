/**
 * A publication's readers: subscribing to it by email (double opt-in, through the web server) and
 * by wallet, its newsletter sent once per subscriber under its name with the author in the body,
 * and its list (page, CSV import and export) managed by its owner alone.
 */
import crypto from "node:crypto";
import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "~/db.server";
import { parseEnv, type Env } from "~/env.server";
import { createMailer } from "~/modules/mail/outbox.server";
import { manageToken } from "~/modules/subscriptions/tokens.server";
import { freePort } from "../../scripts/local/service";
import { databaseProviders, useMigratedDatabase } from "../support/databases";
import { essayDocument, publishEntry, writerOf } from "../support/entries";
import { createPublication, signMembership } from "../support/publications";
import { startTestSmtp, type ReceivedMessage, type TestSmtp } from "../support/smtp";
import { Browser, signedInBrowser, startChildServer } from "../support/web";

const unique = () => crypto.randomBytes(4).toString("hex");
const account = () => privateKeyToAccount(generatePrivateKey());

/** A header as it arrived, unfolded. */
const header = (message: ReceivedMessage, name: string) =>
  message.parsed.headerLines.find((h) => h.key === name.toLowerCase())?.line.replace(/^[^:]+:\s*/, "").replace(/\r?\n\s+/g, " ");

/** The page's main text, as a reader sees it. */
const mainText = async (response: Response) =>
  (/<main>([\s\S]*?)<\/main>/.exec(await response.text())?.[1] ?? "")
    .replace(/<!--.*?-->/g, "")
    .replace(/<[^>]+>/g, " ")
    .replace(/&#x27;/g, "'")
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ");

describe.each(databaseProviders())("a publication's subscribers on %s", (provider) => {
  let db: Database;
  let dbUrl: string;
  useMigratedDatabase(provider, (database, url) => {
    db = database;
    dbUrl = url;
  });
  let server: { url: string; stop(): Promise<void> };
  let smtp: TestSmtp;
  let env: Env;
  let mailer: ReturnType<typeof createMailer>;

  beforeAll(async () => {
    const port = await freePort();
    const settings = { DATABASE_URL: dbUrl, PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` };
    smtp = await startTestSmtp();
    env = parseEnv({ ...process.env, ...settings, SMTP_URL: smtp.url });
    server = await startChildServer(settings);
    mailer = createMailer(db, env);
  });
  afterAll(async () => {
    mailer?.close();
    await server?.stop();
    await smtp?.stop();
  });

  /** Sends what is queued (mails and newsletters) and returns what arrived meanwhile. */
  async function deliver(): Promise<ReceivedMessage[]> {
    const before = smtp.messages.length;
    const pass = await mailer.drain();
    await smtp.waitFor(before + pass.sent);
    return smtp.messages.slice(before);
  }

  const post = (browser: Browser, path: string, fields: Record<string, string>) =>
    browser.fetch(path, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(fields).toString() });

  const linkIn = (message: ReceivedMessage, path: string) => {
    const match = new RegExp(`${server.url.replace(/[.:/]/g, "\\$&")}${path}\\?token=([A-Za-z0-9._~%-]+)`).exec(message.parsed.text ?? "");
    expect(match, `a ${path} link in:\n${message.parsed.text}`).not.toBeNull();
    return { url: match![0], token: decodeURIComponent(match![1]!) };
  };

  /** A writer with a handle and a name, as readers see them. */
  async function namedWriter(wallet: PrivateKeyAccount, displayName: string) {
    const { id } = await writerOf(db, wallet);
    return db.writer.update({ where: { id }, data: { handle: `w-${unique()}`, displayName } });
  }

  /** A publication with an owner, an editor and a writer, each with their own wallet. */
  async function staffedPublication(name = "The Quarterly") {
    const owner = account();
    const editor = account();
    const writer = account();
    await namedWriter(owner, "Olive Owner");
    const publication = await createPublication(db, env, owner, { name, handle: `pub-${unique()}` });
    await signMembership(db, env, owner, publication.id, editor.address, "editor");
    await signMembership(db, env, owner, publication.id, writer.address, "writer");
    return { owner, editor, writer, publication };
  }

  /** An entry by `author` published into the publication, as the author signs it. */
  const publishInto = (author: PrivateKeyAccount, publicationAccountId: string, title: string) =>
    publishEntry(db, env, author, { title, document: essayDocument({ words: 60, seed: crypto.randomInt(1e6) }), publicationId: publicationAccountId });

  it("subscribes an address to a publication by double opt-in, in mails that name the publication, and one click unsubscribes it", async () => {
    const { publication } = await staffedPublication("Field Notes");
    const visitor = new Browser(server.url);
    const form = await visitor.fetch(`/subscribe/${publication.handle}`);
    expect(form.status).toBe(200);
    const formText = await mainText(form);
    expect(formText).toContain("Subscribe to Field Notes");
    expect(formText).toContain("New essays in Field Notes, in your inbox");

    const email = `reader-${unique()}@example.com`;
    const asked = await post(visitor, `/subscribe/${publication.handle}`, { intent: "email", email });
    expect(asked.status).toBe(200);
    expect(await mainText(asked)).toContain(`If ${email} is not subscribed to Field Notes yet, a link to confirm is on its way.`);
    expect(await db.subscriber.findUniqueOrThrow({ where: { writerId_email: { writerId: publication.id, email } } })).toMatchObject({ status: "pending" });

    const [confirmation, ...more] = await deliver();
    expect(more).toHaveLength(0);
    expect(confirmation!.to).toBe(email);
    expect(confirmation!.parsed.subject).toBe("Confirm your subscription to Field Notes");
    expect(confirmation!.parsed.text).toContain("asked to get the essays published in Field Notes by email.");
    expect(confirmation!.parsed.from?.text).toBe('"Permanent Press" <press@localhost>');
    expect(header(confirmation!, "List-Unsubscribe")).toMatch(new RegExp(`^<${server.url.replace(/[.:/]/g, "\\$&")}/unsubscribe\\?token=[^>]+>$`));

    // Opening the link (as a link scanner does) confirms nothing; pressing the button does.
    const link = linkIn(confirmation!, "/subscriptions/confirm");
    const opened = await visitor.fetch(link.url);
    expect(await mainText(opened)).toContain(`Get new essays in Field Notes at ${email} ?`);
    expect(await db.subscriber.count({ where: { writerId: publication.id, status: "confirmed" } })).toBe(0);
    const confirmed = await post(visitor, "/subscriptions/confirm", { token: link.token });
    expect(await mainText(confirmed)).toContain(`New essays in Field Notes will arrive at ${email} .`);

    const [welcome] = await deliver();
    expect(welcome!.parsed.subject).toBe("You're subscribed to Field Notes");
    expect(welcome!.parsed.text).toContain("every new essay published in Field Notes, by any of its writers, arrives here, whole.");
    expect(welcome!.parsed.text).toContain(`${server.url}/${publication.handle}`);

    const subscriber = await db.subscriber.findUniqueOrThrow({ where: { writerId_email: { writerId: publication.id, email } } });
    expect(subscriber.status).toBe("confirmed");
    const unsubscribeUrl = header(welcome!, "List-Unsubscribe")!.slice(1, -1);
    expect(unsubscribeUrl).toBe(`${server.url}/unsubscribe?token=${encodeURIComponent(manageToken(env, subscriber.id))}`);
    const left = await fetch(unsubscribeUrl, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "List-Unsubscribe=One-Click" });
    expect(left.status).toBe(200);
    expect(await db.subscriber.findUniqueOrThrow({ where: { id: subscriber.id } })).toMatchObject({ status: "unsubscribed" });
  });

  it("sends an entry in a publication once per subscriber, from the publication's name, by its author, and not again to the author's own list", async () => {
    const { writer: author, publication } = await staffedPublication("The Quarterly");
    const authorRow = await namedWriter(author, "Wren Writer");
    const onlyPublication = `pub-only-${unique()}@example.com`;
    const both = `both-${unique()}@example.com`;
    const onlyWriter = `writer-only-${unique()}@example.com`;
    const subscribe = (writerId: string, email: string) => db.subscriber.create({ data: { writerId, email, status: "confirmed", confirmedAt: new Date() } });
    const [pubOnly, pubBoth] = [await subscribe(publication.id, onlyPublication), await subscribe(publication.id, both)];
    await subscribe(authorRow.id, both);
    await subscribe(authorRow.id, onlyWriter);
    await db.subscriber.create({ data: { writerId: publication.id, email: `pending-${unique()}@example.com`, status: "pending" } });

    // A reader follows the publication with their wallet and finds its entries on their reading list.
    const follower = account();
    const followerBrowser = await signedInBrowser(server.url, follower);
    expect((await post(followerBrowser, `/subscribe/${publication.handle}`, { intent: "follow" })).status).toBe(302);
    expect(await mainText(await followerBrowser.fetch(`/subscribe/${publication.handle}`))).toContain(`You follow The Quarterly with ${follower.address.toLowerCase()}`);

    const published = await publishInto(author, publication.id, "Notes from the Margin");
    const messages = await deliver();
    expect(messages.map((m) => m.to).sort()).toEqual([both, onlyPublication].sort());
    const entryUrl = `${env.publicUrl}/${publication.handle}/${published.slug}`;
    for (const message of messages) {
      const { parsed } = message;
      expect(parsed.subject).toBe("Notes from the Margin");
      expect(parsed.from?.text).toBe('"The Quarterly via Permanent Press" <press@localhost>');
      expect(parsed.text).toContain("Notes from the Margin\nby Wren Writer, in The Quarterly\n");
      expect(parsed.html).toContain(">by Wren Writer</p>");
      expect(parsed.html).toContain(`href="${entryUrl}"`);
      expect(parsed.text).toContain(`Read it on the web: ${entryUrl}`);
      expect(parsed.text).toContain("You get this because you subscribed to The Quarterly.");
      // Unsubscribing from this letter leaves the publication's list, not the author's.
      const subscriber = message.to === both ? pubBoth : pubOnly;
      expect(header(message, "List-Unsubscribe")).toBe(`<${env.publicUrl}/unsubscribe?token=${encodeURIComponent(manageToken(env, subscriber.id))}>`);
    }
    expect(await deliver()).toHaveLength(0);
    expect(await db.delivery.count({ where: { newsletter: { entryId: published.entryId } } })).toBe(2);

    const feed = await followerBrowser.fetch("/following");
    expect(await feed.clone().text()).toContain(`href="/${publication.handle}/${published.slug}"`);
    expect(await mainText(feed)).toContain("Notes from the Margin by Wren Writer,");
  });

  const importCsv = (browser: Browser, path: string, csv: string, consent: boolean) => {
    const form = new FormData();
    form.set("file", new Blob([csv], { type: "text/csv" }), "list.csv");
    if (consent) form.set("consent", "yes");
    return browser.fetch(path, { method: "POST", body: form });
  };

  it("lets the owner import and export a publication's list on its own, round trip", async () => {
    const owner = account();
    await namedWriter(owner, "Olive Owner");
    const first = await createPublication(db, env, owner, { name: "First Light", handle: `pub-${unique()}` });
    const second = await createPublication(db, env, owner, { name: "Second Wind", handle: `pub-${unique()}` });
    const browser = await signedInBrowser(server.url, owner);

    const own = await browser.fetch("/settings/subscribers");
    const ownPage = await own.text();
    expect(ownPage).toContain(`href="/settings/subscribers?publication=${first.id}"`);
    expect(ownPage).toContain(`href="/settings/subscribers?publication=${second.id}"`);

    const page = await browser.fetch(`/settings/subscribers?publication=${first.id}`);
    expect(page.status).toBe(200);
    const text = await mainText(page);
    expect(text).toContain("Subscribers of First Light");
    expect(text).toContain("First Light's list");

    const wallet = account().address.toLowerCase();
    const csv = ["email,wallet,date", "ada@example.com,,2026-01-02T00:00:00.000Z", `,${wallet},2026-03-04T05:06:07.000Z`, ""].join("\r\n");
    const imported = await importCsv(browser, `/settings/subscribers?publication=${first.id}`, csv, true);
    expect(imported.status).toBe(200);
    expect(await mainText(imported)).toContain("Imported 2; 0 already on the list were left as they are.");
    expect(await db.subscriber.count({ where: { writerId: first.id, source: "import", status: "confirmed" } })).toBe(2);
    expect(await db.subscriber.count({ where: { writer: { address: owner.address.toLowerCase() } } })).toBe(0);

    const exported = await browser.fetch(`/settings/subscribers.csv?publication=${first.id}`);
    expect(exported.status).toBe(200);
    expect(exported.headers.get("content-disposition")).toContain(`subscribers-${first.handle}-`);
    const body = await exported.text();
    expect(body.trimEnd().split("\r\n").slice(1).sort()).toEqual(["ada@example.com,,2026-01-02T00:00:00.000Z", `,${wallet},2026-03-04T05:06:07.000Z`].sort());
    // The owner's own list is another list.
    expect(await (await browser.fetch("/settings/subscribers.csv")).text()).toBe("email,wallet,date\r\n");

    // The export imports into the other publication and comes out the same.
    expect((await importCsv(browser, `/settings/subscribers?publication=${second.id}`, body, true)).status).toBe(200);
    expect(await (await browser.fetch(`/settings/subscribers.csv?publication=${second.id}`)).text()).toBe(body);

    // Without the consent box each address gets a confirmation that names the publication.
    const pending = `pending-${unique()}@example.com`;
    await importCsv(browser, `/settings/subscribers?publication=${second.id}`, `email\r\n${pending}\r\n`, false);
    const [confirmation] = await deliver();
    expect(confirmation!.to).toBe(pending);
    expect(confirmation!.parsed.subject).toBe("Confirm your subscription to Second Wind");
  });

  it("refuses the list, its export and its import to editors, writers and outsiders (403), and a publication that does not exist (404)", async () => {
    const { editor, writer, publication } = await staffedPublication();
    await db.subscriber.create({ data: { writerId: publication.id, email: `kept-${unique()}@example.com`, status: "confirmed", confirmedAt: new Date() } });
    const csv = `email\r\nintruder-${unique()}@example.com\r\n`;
    for (const who of [editor, writer, account()]) {
      const browser = await signedInBrowser(server.url, who);
      const page = await browser.fetch(`/settings/subscribers?publication=${publication.id}`);
      expect(page.status).toBe(403);
      expect(await page.text()).not.toContain("@example.com");
      const exported = await browser.fetch(`/settings/subscribers.csv?publication=${publication.id}`);
      expect(exported.status).toBe(403);
      expect(await exported.text()).not.toContain("@example.com");
      expect((await importCsv(browser, `/settings/subscribers?publication=${publication.id}`, csv, true)).status).toBe(403);
      // Their own page offers no other list.
      expect(await (await browser.fetch("/settings/subscribers")).text()).not.toContain(`publication=${publication.id}`);
    }
    expect(await db.subscriber.count({ where: { writerId: publication.id } })).toBe(1);
    const browser = await signedInBrowser(server.url, editor);
    expect((await browser.fetch("/settings/subscribers.csv?publication=nosuchpublication")).status).toBe(404);
    expect((await browser.fetch(`/settings/subscribers?publication=${"x".repeat(65)}`)).status).toBe(404);
    // Signed out: sent to sign in, nothing shown.
    const signedOut = await new Browser(server.url).fetch(`/settings/subscribers.csv?publication=${publication.id}`);
    expect(signedOut.status).toBe(302);
    expect(signedOut.headers.get("location")).toContain("/signin?next=");
  });
});
