/**
 * A reader on the press follows, reads, likes and answers accounts of another server on the social
 * web, through the signed-in /following page. The other server is real ActivityPub built with
 * Fedify (test/support/fediverse.ts), signing what it sends; what the press queues for it is
 * checked as the JSON its worker will deliver.
 */
import crypto from "node:crypto";
import { Accept, Create, Follow, Note, PUBLIC_COLLECTION, Reject, Update } from "@fedify/vocab";
import { Temporal } from "@js-temporal/polyfill";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "~/db.server";
import { getEnv } from "~/env.server";
import { lookupRemoteActor, textToHtml } from "~/modules/federation/remote.server";
import { UserError } from "~/modules/errors.server";
import { freePort } from "../../scripts/local/service";
import { launchBrowser, screenshot } from "../e2e/support/browser";
import { startPeer, type Peer } from "../support/fediverse";
import { runnableScripts, signedInBrowser, startTestServer, type Browser } from "../support/web";

let server: Awaited<ReturnType<typeof startTestServer>>;
let peer: Peer;

beforeAll(async () => {
  const peerPort = await freePort();
  process.env.FEDERATION_TEST_ORIGINS = `http://127.0.0.1:${peerPort}`;
  server = await startTestServer();
  peer = await startPeer(["ana", "noor"], { port: peerPort });
});
afterAll(async () => {
  await server?.stop();
  await peer?.stop();
});

const readable = (html: string) => html.replace(/<!-- -->/g, "");
const postForm = (browser: Browser, fields: Record<string, string>) =>
  browser.fetch("/following", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(fields).toString() });

async function reader() {
  const db = getDb();
  const account = privateKeyToAccount(generatePrivateKey());
  const browser = await signedInBrowser(server.url, account);
  const handle = `rd-${crypto.randomBytes(3).toString("hex")}`;
  const { id } = await db.writer.update({ where: { address: account.address.toLowerCase() }, data: { handle } });
  return { browser, id, handle, actor: `${server.url}/ap/users/${id}` };
}

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (error: unknown) => (error instanceof UserError ? { status: error.status, message: error.message } : Promise.reject(error)),
  );

describe("looking an account up", () => {
  it("finds it by @name@host, name@host and its address, and says why when it cannot", async () => {
    const db = getDb();
    const env = getEnv();
    const ana = peer.account("ana");
    const host = new URL(peer.origin).host;
    for (const input of [ana.handle, `ana@${host}`, ` ${ana.handle} `, ana.id.href]) {
      const actor = await lookupRemoteActor(db, env, input);
      expect(actor.id?.href, input).toBe(ana.id.href);
      expect(actor.inboxId?.href).toBe(ana.inbox.href);
    }
    expect(await refusal(lookupRemoteActor(db, env, `@nobody@${host}`))).toEqual({ status: 404, message: `No account @nobody@${host} was found on the social web. Check the spelling: an account looks like @name@example.social.` });
    expect(await refusal(lookupRemoteActor(db, env, "@ana@127.0.0.1:1"))).toMatchObject({ status: 422, message: "The press does not contact 127.0.0.1:1: it is not a public address on the internet." });
    expect(await refusal(lookupRemoteActor(db, env, "http://192.168.1.1/users/ana"))).toMatchObject({ status: 422 });
    expect(await refusal(lookupRemoteActor(db, env, "@ana@no-such-host.invalid"))).toMatchObject({ status: 404, message: "No server named no-such-host.invalid was found." });
    expect(await refusal(lookupRemoteActor(db, env, "ana"))).toMatchObject({ status: 400 });
    expect(await refusal(lookupRemoteActor(db, env, "@ana@exa mple.org"))).toMatchObject({ status: 400 });
    expect(await refusal(lookupRemoteActor(db, env, "ftp://example.org/ana"))).toMatchObject({ status: 400 });
    expect(await refusal(lookupRemoteActor(db, env, ""))).toMatchObject({ status: 400 });
    expect(await refusal(lookupRemoteActor(db, env, `https://example.org/${"a".repeat(3000)}`))).toMatchObject({ status: 400 });
  });
});

describe("replies as HTML", () => {
  it("escapes the text and makes paragraphs of it", () => {
    expect(textToHtml("One <b>line</b> & more")).toBe("<p>One &lt;b&gt;line&lt;/b&gt; &amp; more</p>");
    expect(textToHtml("First\r\nstill first\r\n\r\n\r\nSecond\n")).toBe("<p>First<br>still first</p><p>Second</p>");
  });
});

describe("following an account elsewhere, from /following", () => {
  it("follows, is accepted, reads, likes and replies, sees an edit, and unfollows; a refusal shows as declined", async () => {
    const db = getDb();
    const me = await reader();
    const ana = peer.account("ana");
    const noor = peer.account("noor");

    const followed = await postForm(me.browser, { intent: "social-follow", account: ana.handle });
    expect(followed.status, readable(await followed.clone().text())).toBe(302);
    expect(followed.headers.get("location")).toBe("/following#social");
    const row = await db.remoteFollow.findUniqueOrThrow({ where: { writerId_actorId: { writerId: me.id, actorId: ana.id.href } } });
    expect(row).toMatchObject({ status: "pending", handle: ana.handle, name: "Ana Remote", inbox: ana.inbox.href, url: `${peer.origin}/@ana` });
    const queued = await db.fediActivity.findUniqueOrThrow({ where: { id: row.followId } });
    expect(queued).toMatchObject({ type: "Follow", audience: ana.inbox.href, status: "queued", objectId: ana.id.href });
    expect(JSON.parse(queued.json)).toMatchObject({ type: "Follow", id: row.followId, actor: me.actor, object: ana.id.href });
    const page = async () => readable(await (await me.browser.fetch("/following")).text());
    expect(await page()).toMatch(new RegExp(`${ana.handle}</a><span class="muted"> Ana Remote</span> · <span class="follow-status" data-status="pending">waiting for them</span>`));

    // Nothing from Ana counts until she accepts: a post now is not kept.
    const early = new Note({ id: new URL(`${ana.id.href}/posts/0`), attribution: ana.id, content: "<p>Before you followed.</p>", to: PUBLIC_COLLECTION });
    await peer.send("ana", `${server.url}/ap/inbox`, new Create({ id: new URL(`${early.id!.href}#create`), actor: ana.id, object: early, to: PUBLIC_COLLECTION }));
    expect(await db.remotePost.findUnique({ where: { id: early.id!.href } })).toBeNull();

    await peer.send("ana", new URL(`${me.actor}/inbox`), new Accept({ id: new URL(`${ana.id.href}#accepts/1`), actor: ana.id, object: new Follow({ id: new URL(row.followId), actor: new URL(me.actor), object: ana.id }) }));
    expect(await page()).toMatch(/data-status="accepted">following</);

    // Ana posts a note with no title; the page shows its first words and only safe HTML.
    const words = "A note with no title, but words enough to stand in for one on a reading list of posts";
    const note = new Note({
      id: new URL(`${ana.id.href}/posts/1`),
      attribution: ana.id,
      content: `<p>${words}.</p><script>alert(1)</script><p><a href="javascript:alert(2)">trap</a> <a href="https://example.org/${"x".repeat(200)}">https://example.org/${"x".repeat(200)}</a></p>`,
      url: new URL(`${peer.origin}/@ana/1`),
      published: Temporal.Instant.from("2026-05-01T10:00:00Z"),
      to: PUBLIC_COLLECTION,
    });
    await peer.send("ana", `${server.url}/ap/inbox`, new Create({ id: new URL(`${note.id!.href}#create`), actor: ana.id, object: note, to: PUBLIC_COLLECTION }));
    const html = await page();
    expect(html).toContain(`<h4 class="untitled">A note with no title, but words enough to stand in for…</h4>`);
    expect(html).toContain(`<p>${words}.</p>`);
    expect(html).not.toContain("<script>alert");
    expect(html).not.toContain("javascript:");
    expect(html).toContain(`<a href="${peer.origin}/@ana/1" rel="nofollow noopener">Read it on ${new URL(peer.origin).host}</a>`);
    expect(html).toContain("1 May 2026");
    expect(runnableScripts(html)).toEqual([]);

    // A message for the reader alone, or for some of Ana's followers, is no post for the reading list, which everyone here who follows her sees.
    for (const [n, to] of [[2, new URL(me.actor)], [3, new URL(`${ana.id.href}/followers`)]] as const) {
      const note = new Note({ id: new URL(`${ana.id.href}/posts/${n}`), attribution: ana.id, content: "<p>Just between us.</p>", to });
      await peer.send("ana", `${server.url}/ap/inbox`, new Create({ id: new URL(`${note.id!.href}#create`), actor: ana.id, object: note, to }));
      expect(await db.remotePost.findUnique({ where: { id: note.id!.href } })).toBeNull();
    }
    expect(await page()).not.toContain("Just between us.");

    // Like, twice: one Like, to Ana's inbox; the page says so.
    for (let i = 0; i < 2; i++) expect((await postForm(me.browser, { intent: "social-like", postId: note.id!.href })).status).toBe(302);
    const likes = await db.fediActivity.findMany({ where: { writerId: me.id, type: "Like" } });
    expect(likes).toHaveLength(1);
    expect(likes[0]).toMatchObject({ audience: ana.inbox.href, objectId: note.id!.href });
    expect(JSON.parse(likes[0]!.json)).toMatchObject({ type: "Like", actor: me.actor, object: note.id!.href });
    expect(await page()).toContain(`<p class="liked">Liked</p>`);

    // A reply: a public Note in reply to hers, mentioning her, to her inbox.
    const replied = await postForm(me.browser, { intent: "social-reply", postId: note.id!.href, text: "Well said <3\n\nAnd more." });
    expect(replied.status, readable(await replied.clone().text())).toBe(302);
    const create = await db.fediActivity.findFirstOrThrow({ where: { writerId: me.id, type: "Create", objectId: note.id!.href } });
    expect(create.audience).toBe(ana.inbox.href);
    const sent = JSON.parse(create.json) as Record<string, any>;
    expect(sent).toMatchObject({ type: "Create", actor: me.actor, to: expect.arrayContaining([ana.id.href, "as:Public"]), cc: `${me.actor}/followers` });
    expect(sent.object).toMatchObject({
      type: "Note",
      attributedTo: me.actor,
      inReplyTo: note.id!.href,
      content: "<p>Well said &lt;3</p><p>And more.</p>",
      tag: { type: "Mention", href: ana.id.href, name: ana.handle },
    });
    expect(sent.id).toBe(`${sent.object.id}#create`);
    expect(await page()).toContain("<p>Well said &lt;3</p><p>And more.</p>");
    // The reply's own address answers with it.
    const fetched = await fetch(sent.object.id, { headers: { accept: "application/activity+json" } });
    expect(fetched.status).toBe(200);
    expect(await fetched.json()).toMatchObject({ id: sent.object.id, type: "Note", content: "<p>Well said &lt;3</p><p>And more.</p>" });
    expect((await fetch(`${me.actor}/notes/${crypto.randomUUID()}`, { headers: { accept: "application/activity+json" } })).status).toBe(404);

    // On a phone nothing is wider than the screen: not the long link in her note, not the addresses.
    const chromium = await launchBrowser();
    try {
      const context = await chromium.newContext({ viewport: { width: 390, height: 844 } });
      await context.addCookies([{ name: "press_session", value: me.browser.cookie("press_session")!, url: server.url }]);
      const tab = await context.newPage();
      expect((await tab.goto(`${server.url}/following`))?.status()).toBe(200);
      const overflowing = await tab.evaluate(() => {
        const screen = document.documentElement.clientWidth;
        return [...document.body.querySelectorAll("*")].filter((element) => element.getBoundingClientRect().right > screen + 0.5).map((element) => `${element.tagName.toLowerCase()}.${String(element.className)}`);
      });
      if (overflowing.length || process.env.SCREENSHOTS) await screenshot(tab, "following-social-phone");
      expect(overflowing, "wider than a 390px screen").toEqual([]);
    } finally {
      await chromium.close();
    }

    // Ana edits her note: the reading list shows the new text.
    const edited = new Note({ id: note.id, attribution: ana.id, content: "<p>Edited: fewer words.</p>", url: note.url, published: note.published, updated: Temporal.Instant.from("2026-05-02T10:00:00Z"), to: PUBLIC_COLLECTION });
    await peer.send("ana", `${server.url}/ap/inbox`, new Update({ id: new URL(`${note.id!.href}#update`), actor: ana.id, object: edited, to: PUBLIC_COLLECTION }));
    const after = await page();
    expect(after).toContain("<p>Edited: fewer words.</p>");
    expect(after).toContain("edited 2 May 2026");
    expect(after).not.toContain(words);

    // Noor declines.
    expect((await postForm(me.browser, { intent: "social-follow", account: noor.id.href })).status).toBe(302);
    const toNoor = await db.remoteFollow.findUniqueOrThrow({ where: { writerId_actorId: { writerId: me.id, actorId: noor.id.href } } });
    await peer.send("noor", new URL(`${me.actor}/inbox`), new Reject({ id: new URL(`${noor.id.href}#rejects/1`), actor: noor.id, object: new Follow({ id: new URL(toNoor.followId), actor: new URL(me.actor), object: noor.id }) }));
    expect(await page()).toMatch(/data-status="rejected">declined</);
    // Asking again after a refusal is a new Follow.
    expect((await postForm(me.browser, { intent: "social-follow", account: noor.handle })).status).toBe(302);
    const again = await db.remoteFollow.findUniqueOrThrow({ where: { id: toNoor.id } });
    expect(again.status).toBe("pending");
    expect(again.followId).not.toBe(toNoor.followId);
    expect(await db.fediActivity.count({ where: { writerId: me.id, type: "Follow", objectId: noor.id.href } })).toBe(2);

    // Unfollowing Ana: Undo of the very Follow she accepted, and her posts leave the list.
    expect((await postForm(me.browser, { intent: "social-unfollow", actorId: ana.id.href })).status).toBe(302);
    const undo = await db.fediActivity.findFirstOrThrow({ where: { writerId: me.id, type: "Undo" } });
    expect(undo.audience).toBe(ana.inbox.href);
    expect(JSON.parse(undo.json)).toMatchObject({ type: "Undo", actor: me.actor, object: { type: "Follow", id: row.followId, object: ana.id.href } });
    const gone = await page();
    expect(gone).not.toContain(ana.handle);
    expect(gone).not.toContain("Edited: fewer words.");
    // Unfollowing someone not followed is no error.
    expect((await postForm(me.browser, { intent: "social-unfollow", actorId: ana.id.href })).status).toBe(302);
  });
});
