/**
 * Federation against a real peer: two presses, each its own web and worker processes, database and
 * data folder, on two loopback addresses (127.0.0.1 and 127.0.0.2), each allowed to reach the other
 * as a test origin. A reader on press B follows a writer on press A through B's own page, reads
 * the essay A's worker delivers, likes it and replies to it; the writer's edit arrives as an
 * Update; the reader unfollows. Everything is done as users do it (signed-in pages, forms) and
 * checked where it lands: B's /following page, A's database.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, type Database } from "~/db.server";
import { DEV_PLATFORM_KEY, getEnv } from "~/env.server";
import { factoryAddress } from "~/modules/editions/deployment.server";
import { parseDocument } from "~/modules/entries/document.server";
import { MAX_REPLY_CHARS, REPLY_FORM } from "~/modules/body-limits";
import { deployMigrations } from "../../scripts/lib/migrations";
import { launchBrowser } from "../e2e/support/browser";
import { databaseProviders, freshDatabase, type TestDatabase } from "../support/databases";
import { launchRole, type Launched } from "../support/launch";
import { Browser, runnableScripts, signedInBrowser } from "../support/web";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** A page's text as a reader reads it: React's markers between adjacent text nodes taken out. */
const readable = (html: string) => html.replace(/<!-- -->/g, "");
/** Generous: each step crosses two workers' polls and a signature check on each side. */
const DELIVERY_MS = 60_000;
const PHONE = { width: 390, height: 844 };

/** A free port on one loopback address. */
function freePortOn(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, host, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

interface Press {
  name: string;
  url: string;
  host: string;
  db: Database;
  database: TestDatabase;
  dataDir: string;
  roles: Array<Launched & { name: string }>;
}

/** An essay as the editor saves it: a paragraph, and a link whose text is one long unbroken address. */
const essay = (title: string, text: string) => ({
  title,
  document: parseDocument({
    type: "doc",
    content: [
      { type: "paragraph", content: [{ type: "text", text }] },
      { type: "paragraph", content: [{ type: "text", text: `https://example.com/${"long-address-".repeat(12)}end`, marks: [{ type: "link", attrs: { href: `https://example.com/${"long-address-".repeat(12)}end` } }] }] },
    ],
  }),
});

/** Publishes over HTTP as the editor does (draft, save, prepare, sign, publish); with `draftPath`, the entry's next version. */
async function publishOverHttp(press: Press, writer: Browser, account: PrivateKeyAccount, content: ReturnType<typeof essay>, draftPath?: string) {
  draftPath ??= (await writer.fetch("/drafts/new", { method: "POST" })).headers.get("location")!;
  const { revision } = await press.db.draft.findUniqueOrThrow({ where: { id: draftPath.split("/").pop()! } });
  const saved = await writer.postJson(`${draftPath}/save`, { ...content, baseRevision: revision });
  expect(saved.status, await saved.clone().text()).toBe(200);
  const prepared = (await (await writer.postJson(`${draftPath}/publish`, { intent: "prepare" })).json()) as { revision: number; timestamp: number; typedData: Parameters<typeof account.signTypedData>[0] };
  const signature = await account.signTypedData(prepared.typedData);
  const answer = await writer.postJson(`${draftPath}/publish`, { intent: "publish", revision: prepared.revision, timestamp: prepared.timestamp, signature });
  expect(answer.status, await answer.clone().text()).toBe(200);
  return { ...((await answer.json()) as { url: string; entryId: string; version: number }), draftPath };
}

/** Signs in on a press and picks a handle on the profile page. */
async function signUp(press: Press, prefix: string) {
  const account = privateKeyToAccount(generatePrivateKey());
  const browser = await signedInBrowser(press.url, account);
  const handle = `${prefix}-${crypto.randomBytes(3).toString("hex")}`;
  const profile = new FormData();
  for (const [name, value] of Object.entries({ handle, displayName: `${prefix} on ${press.name}`, bio: "" })) profile.set(name, value);
  const saved = await browser.fetch("/settings/profile", { method: "POST", body: profile });
  expect(saved.status, await saved.clone().text()).toBe(302);
  const { id } = await press.db.writer.findUniqueOrThrow({ where: { address: account.address.toLowerCase() } });
  return { account, browser, handle, id };
}

/** A form posted from the /following page, as a browser without JavaScript posts it. */
const postForm = (browser: Browser, fields: Record<string, string>, headers: Record<string, string> = {}) =>
  browser.fetch("/following", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", ...headers }, body: new URLSearchParams(fields).toString() });

describe.each(databaseProviders())("two presses on the social web (%s)", (provider) => {
  const presses: Press[] = [];
  let A: Press;
  let B: Press;

  /** Every role's log, for a failure's message. */
  const logs = () => presses.flatMap((press) => press.roles.map((role) => `--- ${role.name} (pid ${role.child.pid}) ---\n${role.output()}`)).join("\n");

  /** Polls `check` until it answers something truthy, or fails naming `what` and showing every log. */
  async function until<T>(what: string, check: () => Promise<T> | T, timeoutMs = DELIVERY_MS): Promise<NonNullable<T>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const answer = await check();
      if (answer) return answer;
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${logs()}`);
      await sleep(200);
    }
  }

  beforeAll(async () => {
    const local = getEnv();
    const [portA, portB] = [await freePortOn("127.0.0.1"), await freePortOn("127.0.0.2")];
    const origins = [`http://127.0.0.1:${portA}`, `http://127.0.0.2:${portB}`];
    // The global stack's chain, gateway, bundler and mail relay, shared by both presses.
    const shared = {
      CHAIN_RPC_URL: local.chain.rpcUrl,
      CHAIN_ID: String(local.chain.id),
      FACTORY_ADDRESS: factoryAddress(local)!,
      IRYS_URL: local.storage.irysUrl,
      ARWEAVE_GATEWAY_URL: local.storage.gatewayUrl,
      SMTP_URL: local.mail.smtpUrl,
      FEDERATION_TEST_ORIGINS: origins.join(","),
      // Neither press is the local development one: each has its own secrets.
      PLATFORM_PRIVATE_KEY: DEV_PLATFORM_KEY,
    };
    for (const [name, host, port] of [["A", "127.0.0.1", portA], ["B", "127.0.0.2", portB]] as const) {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `press-peer-${name}-`));
      const database = await freshDatabase(provider);
      await deployMigrations(database.url);
      const url = `http://${host}:${port}`;
      const press: Press = { name, url, host, db: createDatabase(database.url), database, dataDir, roles: [] };
      presses.push(press);
      const settings = { ...shared, DATABASE_URL: database.url, DATA_DIR: dataDir, PUBLIC_URL: url, SESSION_SECRET: crypto.randomBytes(24).toString("hex") };
      press.roles.push({ ...launchRole("web", { ...settings, HOST: host, PORT: String(port) }), name: `web ${name}` });
      press.roles.push({ ...launchRole("worker", settings), name: `worker ${name}` });
    }
    [A, B] = presses as [Press, Press];
    await Promise.all(presses.flatMap((press) => [press.roles[0]!.waitFor(/^web +pid \d+, serving /m, 60_000), press.roles[1]!.waitFor(/^worker +pid \d+, running /m, 60_000)]));
  });

  afterAll(async () => {
    const roles = presses.flatMap((press) => press.roles);
    for (const role of roles) if (role.child.exitCode === null && role.child.signalCode === null) role.child.kill("SIGTERM");
    await Promise.all(roles.map((role) => Promise.race([role.exited, sleep(10_000).then(() => role.child.kill("SIGKILL"))])));
    for (const press of presses) {
      await press.db.$disconnect();
      await press.database.drop();
      fs.rmSync(press.dataDir, { recursive: true, force: true });
    }
  });

  let shared: { writer: Awaited<ReturnType<typeof signUp>>; reader: Awaited<ReturnType<typeof signUp>>; entryId: string; entryUrl: string; title: string } | undefined;

  it("a reader on one press follows a writer on the other, reads the essay, likes and answers it, gets its new version, and unfollows", async () => {
    const writer = await signUp(A, "writer");
    const reader = await signUp(B, "reader");
    const hostA = new URL(A.url).host;
    const readerActor = `${B.url}/ap/users/${reader.id}`;
    const writerActor = `${A.url}/ap/users/${writer.id}`;

    // The reader follows the writer by handle from B's page: WebFinger on A, then A's actor.
    const followed = await postForm(reader.browser, { intent: "social-follow", account: `@${writer.handle}@${hostA}` });
    expect(followed.status, readable(await followed.clone().text())).toBe(302);
    expect(followed.headers.get("location")).toBe("/following#social");
    const follow = await B.db.remoteFollow.findUniqueOrThrow({ where: { writerId_actorId: { writerId: reader.id, actorId: writerActor } } });
    expect(follow).toMatchObject({ handle: `@${writer.handle}@${hostA}`, inbox: `${writerActor}/inbox` });
    expect(follow.followId.startsWith(`${readerActor}#follows/`)).toBe(true);
    // Following again changes nothing: the same follow, the same Follow activity.
    expect((await postForm(reader.browser, { intent: "social-follow", account: `${A.url}/${writer.handle}` })).status).toBe(302);
    expect(await B.db.remoteFollow.count({ where: { writerId: reader.id } })).toBe(1);
    expect(await B.db.fediActivity.count({ where: { writerId: reader.id, type: "Follow" } })).toBe(1);

    // A's worker answers with Accept: B's page says "following".
    const followingPage = async () => readable(await (await reader.browser.fetch("/following")).text());
    const status = (html: string) => /data-status="(\w+)"/.exec(html)?.[1];
    await until("B's page to show the follow accepted", async () => status(await followingPage()) === "accepted");
    expect(await followingPage()).toMatch(/data-status="accepted">following</);
    const follower = await A.db.follower.findUniqueOrThrow({ where: { writerId_actorId: { writerId: writer.id, actorId: readerActor } } });
    expect(follower).toMatchObject({ handle: `@${reader.handle}@${new URL(B.url).host}`, followId: follow.followId });

    // The writer publishes on A; A's worker delivers the Create to B.
    const first = essay(`Letters across servers ${crypto.randomBytes(2).toString("hex")}`, "A reader on another press reads this where they read everything else.");
    const published = await publishOverHttp(A, writer.browser, writer.account, first);
    const articleId = `${A.url}/ap/entries/${published.entryId}`;
    const page = await until("the essay on B's reading list", async () => {
      const html = await followingPage();
      return html.includes(first.title) ? html : null;
    });
    expect(page).toContain("A reader on another press reads this where they read everything else.");
    expect(page).toContain(`@${writer.handle}@${hostA}`);
    expect(page).toContain(`href="${A.url}${published.url}"`);
    // The reading list is server-rendered forms: no script at all.
    expect(runnableScripts(await (await reader.browser.fetch("/following")).text())).toEqual([]);

    // On a phone, nothing on the page is wider than the screen: not the essay's long link, not the addresses.
    const chromium = await launchBrowser();
    try {
      const context = await chromium.newContext({ viewport: PHONE });
      await context.addCookies([{ name: "press_session", value: reader.browser.cookie("press_session")!, url: B.url }]);
      const tab = await context.newPage();
      expect((await tab.goto(`${B.url}/following`))?.status()).toBe(200);
      await tab.getByText(first.title).waitFor();
      const overflowing = await tab.evaluate(() => {
        const screen = document.documentElement.clientWidth;
        return [...document.body.querySelectorAll("*")].filter((element) => element.getBoundingClientRect().right > screen + 0.5).map((element) => `${element.tagName.toLowerCase()}.${String(element.className)}`);
      });
      expect(overflowing, `wider than a ${PHONE.width}px screen`).toEqual([]);
    } finally {
      await chromium.close();
    }

    // The reader likes it and replies, from B's page.
    const liked = await postForm(reader.browser, { intent: "social-like", postId: articleId });
    expect(liked.status).toBe(302);
    expect(liked.headers.get("location")).toMatch(/^\/following#post-[0-9a-f]{16}$/);
    expect((await postForm(reader.browser, { intent: "social-like", postId: articleId })).status).toBe(302);
    expect(await B.db.fediActivity.count({ where: { writerId: reader.id, type: "Like", objectId: articleId } })).toBe(1);
    const replyText = "Thank you <b>for</b> this & more.\n\nA second paragraph.";
    const replied = await postForm(reader.browser, { intent: "social-reply", postId: articleId, text: replyText });
    expect(replied.status, readable(await replied.clone().text())).toBe(302);
    const afterwards = await followingPage();
    expect(afterwards).toContain(">Liked<");
    expect(afterwards).toContain("<p>Thank you &lt;b&gt;for&lt;/b&gt; this &amp; more.</p><p>A second paragraph.</p>");

    // A has the like and the reply, the reply waiting for the writer's approval, its HTML sanitized.
    const reaction = await until("the Like on A", () => A.db.reaction.findFirst({ where: { entryId: published.entryId, actorId: readerActor } }));
    expect(reaction.type).toBe("like");
    const response = await until("the reply on A", () => A.db.response.findFirst({ where: { entryId: published.entryId, actorId: readerActor } }));
    expect(response).toMatchObject({ status: "pending", writerId: writer.id, handle: `@${reader.handle}@${new URL(B.url).host}`, html: "<p>Thank you &lt;b&gt;for&lt;/b&gt; this &amp; more.</p><p>A second paragraph.</p>" });
    expect(response.id.startsWith(`${readerActor}/notes/`)).toBe(true);
    // The writer finds the reply waiting on A's responses page and approves it; A's entry page then
    // shows every reader the like and the reply.
    const replyHtml = "<p>Thank you &lt;b&gt;for&lt;/b&gt; this &amp; more.</p><p>A second paragraph.</p>";
    const waiting = readable(await (await writer.browser.fetch("/settings/responses")).text());
    expect(waiting).toContain(`<span class="muted">@${reader.handle}@${new URL(B.url).host}</span>`);
    expect(waiting).toContain(replyHtml);
    const approved = await writer.browser.fetch("/settings/responses", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ intent: "approve", id: response.id }).toString() });
    expect(approved.status).toBe(303);
    const entryPage = await until("the like and the approved reply on A's entry page", async () => {
      const html = readable(await (await fetch(`${A.url}${published.url}`)).text());
      return html.includes("1 like from the social web") && html.includes(replyHtml) ? html : null;
    });
    expect(entryPage).toContain(`reader on B</a> <span class="muted">@${reader.handle}@${new URL(B.url).host}</span>`);

    // The reply's address answers with the reply itself, as another server fetching it gets it.
    const note = (await (await fetch(response.id, { headers: { accept: "application/activity+json" } })).json()) as Record<string, unknown>;
    expect(note).toMatchObject({ id: response.id, type: "Note", attributedTo: readerActor, inReplyTo: articleId });

    // The writer publishes a new version: B gets the Update, with the new title and text.
    const second = essay(`${first.title}, revised`, "The second version travels as an Update to every follower.");
    const revised = await publishOverHttp(A, writer.browser, writer.account, second, published.draftPath);
    expect(revised.version).toBe(2);
    const updated = await until("the new version on B's reading list", async () => {
      const html = await followingPage();
      return html.includes(second.title) ? html : null;
    });
    expect(updated).toContain("The second version travels as an Update to every follower.");
    expect(updated).not.toContain("A reader on another press reads this where they read everything else.");
    expect(await B.db.remotePost.count({ where: { actorId: writerActor } })).toBe(1);

    shared = { writer, reader, entryId: published.entryId, entryUrl: `${A.url}${published.url}`, title: second.title };

    // The reader unfollows: A forgets them as a follower, B's page no longer lists the writer.
    const unfollowed = await postForm(reader.browser, { intent: "social-unfollow", actorId: writerActor });
    expect(unfollowed.status).toBe(302);
    expect(await B.db.remoteFollow.count({ where: { writerId: reader.id } })).toBe(0);
    await until("A to forget the follower", async () => (await A.db.follower.count({ where: { writerId: writer.id, actorId: readerActor } })) === 0);
    const gone = await followingPage();
    expect(gone).not.toContain(`@${writer.handle}@${hostA}`);
    expect(gone).not.toContain(second.title);
  }, 300_000);

  it("refuses on the page, with a 4xx and what was typed kept, what it cannot do", async () => {
    const { writer, reader } = shared!;
    const hostA = new URL(A.url).host;
    const refused = async (fields: Record<string, string>, status: number, message: string | RegExp, headers: Record<string, string> = {}) => {
      const answer = await postForm(reader.browser, fields, headers);
      const html = readable(await answer.text());
      expect(answer.status, html.slice(0, 400)).toBe(status);
      if (typeof message === "string") expect(html).toContain(message);
      else expect(html).toMatch(message);
      return html;
    };
    const activities = await B.db.fediActivity.count({ where: { writerId: reader.id } });

    const typed = await refused({ intent: "social-follow", account: "not an account" }, 400, "is neither an account (@name@example.social) nor the address of a profile");
    expect(typed).toMatch(/<input[^>]*name="account"[^>]*value="not an account"/);
    await refused({ intent: "social-follow", account: `@nobody-here@${hostA}` }, 404, `No account @nobody-here@${hostA} was found`);
    await refused({ intent: "social-follow", account: "@someone@127.0.0.3:9" }, 422, "The press does not contact 127.0.0.3:9: it is not a public address on the internet.");
    await refused({ intent: "social-follow", account: "http://10.1.2.3/users/someone" }, 422, "The press does not contact 10.1.2.3");
    await refused({ intent: "social-follow", account: shared!.entryUrl }, 422, "That address is a post or a page, not an account");
    await refused({ intent: "social-follow", account: `@${reader.handle}@${new URL(B.url).host}` }, 422, "That account is on this press");

    // Replies: not to a post off the reading list, never empty, never longer than the limit; the text stays in the form.
    const articleId = `${A.url}/ap/entries/${shared!.entryId}`;
    await refused({ intent: "social-like", postId: articleId }, 404, "That post is not on your reading list any more.");
    await refused({ intent: "social-reply", postId: articleId, text: "Hello" }, 404, "That post is not on your reading list any more.");
    expect((await postForm(reader.browser, { intent: "social-follow", account: `@${writer.handle}@${hostA}` })).status).toBe(302);
    await until("the follow accepted again", async () => (await B.db.remoteFollow.findFirst({ where: { writerId: reader.id, status: "accepted" } })) !== null);
    const following = await B.db.fediActivity.count({ where: { writerId: reader.id } });
    expect(following).toBe(activities + 1);
    // The essay B received before is on the reading list again.
    expect(readable(await (await reader.browser.fetch("/following")).text())).toContain(`${shared!.title}`);
    await refused({ intent: "social-reply", postId: articleId, text: "   \n  " }, 422, "Write something to reply with.");
    const long = "é".repeat(MAX_REPLY_CHARS) + "!";
    const tooLong = await refused({ intent: "social-reply", postId: articleId, text: long }, 422, "A reply can be at most 5,000 characters; this one is 5,001.");
    expect(tooLong).toContain(long);
    expect(await B.db.fediActivity.count({ where: { writerId: reader.id } })).toBe(following);

    // A form larger than the page takes, another site's form, an unknown action.
    const huge = await postForm(reader.browser, { intent: "social-reply", postId: articleId, text: "x".repeat(REPLY_FORM.urlencoded!) });
    expect(huge.status).toBe(413);
    await refused({ intent: "social-follow", account: `@${writer.handle}@${hostA}` }, 403, "This request came from another site and was refused.", { origin: "https://elsewhere.example" });
    await refused({ intent: "social-dance" }, 400, "Unknown action.");

    // Someone without a handle is told to choose one: it is their name on the social web.
    const someone = privateKeyToAccount(generatePrivateKey());
    const nameless = await signedInBrowser(B.url, someone);
    expect(readable(await (await nameless.fetch("/following")).text())).toContain("choose a handle</a> first");
    const answer = await postForm(nameless, { intent: "social-follow", account: `@${writer.handle}@${hostA}` });
    expect(answer.status).toBe(409);
    expect(readable(await answer.text())).toContain("Choose a handle in your profile first");
    const { id: namelessId } = await B.db.writer.findUniqueOrThrow({ where: { address: someone.address.toLowerCase() } });
    expect(await B.db.remoteFollow.count({ where: { writerId: namelessId } })).toBe(0);
    expect(await B.db.fediActivity.count({ where: { writerId: namelessId } })).toBe(0);
  }, 120_000);
});
