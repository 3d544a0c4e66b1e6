/**
 * What arrives from the social web, on the writer's side: replies wait for the writer, who approves,
 * hides, blocks an account or a whole server on /settings/responses; likes and boosts are counted
 * under the entry; followers are listed beside the other subscribers and can be removed. Remote
 * servers are real ActivityPub servers built with Fedify (test/support/fediverse.ts) that sign what
 * they send; the press runs as a server of its own on each database.
 */
import crypto from "node:crypto";
import { Temporal } from "@js-temporal/polyfill";
import { Announce, Create, Follow, Like, Note, Undo, Update, type Activity } from "@fedify/vocab";
import { Window } from "happy-dom";
import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, type Database } from "~/db.server";
import { parseEnv, type Env } from "~/env.server";
import { updateProfile } from "~/modules/writers/profile.server";
import { deployMigrations } from "../../scripts/lib/migrations";
import { freePort } from "../../scripts/local/service";
import { databaseProviders, freshDatabase, type TestDatabase } from "../support/databases";
import { essayDocument, publishEntry, writerOf } from "../support/entries";
import { startPeer, type Peer, type RemoteAccount } from "../support/fediverse";
import { Browser, signedInBrowser, startChildServer } from "../support/web";

const window = new Window();
const parser = new window.DOMParser();
const parse = (html: string) => parser.parseFromString(html, "text/html");
/** React separates adjacent text with empty comments; a browser shows the text as one. */
const text = (html: string) => html.replaceAll("<!-- -->", "");

/** What the hostile reply carries that must never reach a page: scripts, handlers, styles, frames, script links. */
const HOSTILE = ["alert(", "steal()", "onclick", "onmouseover", "onerror", "javascript:", "color:red", "display:none", "evil.example", "<iframe", "<img"];
const HOSTILE_HTML =
  '<p onclick="steal()">A <b style="color:red">lovely</b> essay, thank you.</p><script>alert(1)</script>' +
  '<a href="javascript:alert(2)">click me</a> <a href="https://example.org/more" onmouseover="steal()">read more</a>' +
  '<img src="x" onerror="alert(3)"><style>body{display:none}</style><iframe src="https://evil.example/"></iframe>';

describe.each(databaseProviders())("responses from the social web on %s", (provider) => {
  let database: TestDatabase;
  let db: Database;
  let env: Env;
  let server: { url: string; stop(): Promise<void> };
  let peer: Peer;
  let other: Peer;
  let writer: { id: string; handle: string; account: PrivateKeyAccount; browser: Browser };
  let entry: { id: string; path: string; article: string };
  let rosa: RemoteAccount, ren: RemoteAccount, ada: RemoteAccount, kim: RemoteAccount;
  let rosaReply: string;
  let renReply: string;
  let notes = 0;

  beforeAll(async () => {
    const [peerPort, otherPort, port] = [await freePort(), await freePort(), await freePort()];
    database = await freshDatabase(provider);
    await deployMigrations(database.url);
    db = createDatabase(database.url);
    const settings = {
      DATABASE_URL: database.url,
      PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      FEDERATION_TEST_ORIGINS: `http://127.0.0.1:${peerPort},http://127.0.0.1:${otherPort}`,
    };
    env = parseEnv({ ...process.env, ...settings });
    [server, peer, other] = await Promise.all([startChildServer(settings), startPeer(["rosa", "ren", "ada"], { port: peerPort }), startPeer(["kim"], { port: otherPort })]);
    [rosa, ren, ada, kim] = [peer.account("rosa"), peer.account("ren"), peer.account("ada"), other.account("kim")];
    writer = await newWriter("Wren Writer");
    const published = await publishEntry(db, env, writer.account, { title: "On being answered", document: essayDocument({ words: 80, seed: 11 }) });
    entry = { id: published.entryId, path: `/${writer.handle}/${published.slug}`, article: `${server.url}/ap/entries/${published.entryId}` };
  });
  afterAll(async () => {
    await Promise.all([server?.stop(), peer?.stop(), other?.stop()]);
    await db?.$disconnect();
    await database?.drop();
  });

  async function newWriter(displayName: string) {
    const account = privateKeyToAccount(generatePrivateKey());
    const { id } = await writerOf(db, account);
    const handle = `w${crypto.randomBytes(4).toString("hex")}`;
    await updateProfile(db, id, { handle, displayName, bio: "" });
    return { id, handle, account, browser: await signedInBrowser(server.url, account) };
  }

  /** A reply to the entry from `from` on `on`, signed by its server; resolves with the reply's id. */
  async function reply(on: Peer, from: RemoteAccount, html: string, extra: { url?: URL } = {}): Promise<string> {
    const id = new URL(`${from.id.href}/notes/${++notes}`);
    const note = new Note({ id, attribution: from.id, content: html, replyTarget: new URL(entry.article), url: extra.url ?? new URL(`${on.origin}/@${from.name}/${notes}`), published: Temporal.Instant.from("2026-12-01T09:30:00Z") });
    await on.send(from.name, `${server.url}/ap/inbox`, new Create({ id: new URL(`${id.href}#create`), actor: from.id, object: note }));
    return id.href;
  }

  const send = (on: Peer, from: RemoteAccount, activity: Activity) => on.send(from.name, `${server.url}/ap/inbox`, activity);

  /** The entry page as an anonymous reader gets it, with its ETag. */
  async function entryPage(ifNoneMatch?: string) {
    const response = await fetch(`${server.url}${entry.path}`, { headers: ifNoneMatch ? { "if-none-match": ifNoneMatch } : {} });
    return { status: response.status, etag: response.headers.get("etag")!, html: text(await response.text()) };
  }

  /** The writer's responses page, parsed. */
  async function responsesPage(as: Browser, status = "pending") {
    const response = await as.fetch(`/settings/responses?status=${status}`);
    expect(response.status).toBe(200);
    const html = await response.text();
    return { html, document: parse(html) };
  }

  /**
   * Presses a button of the responses page as a browser does: the form that names `id` and has a
   * button `intent`, posted where its action says. Returns the answer.
   */
  async function press(as: Browser, page: { document: ReturnType<typeof parse> }, id: string, intent: string) {
    const forms = [...page.document.querySelectorAll("form[method=post]")];
    const form = forms.find((f) => f.querySelector(`input[name=id]`)?.getAttribute("value") === id && f.querySelector(`button[name=intent][value="${intent}"]`));
    if (!form) throw new Error(`the page has no ${intent} button for ${id}`);
    return post(as, form.getAttribute("action")!, { id, intent });
  }

  const post = (as: Browser, path: string, fields: Record<string, string>) =>
    as.fetch(path, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", origin: server.url }, body: new URLSearchParams(fields).toString() });

  const status = async (id: string) => (await db.response.findUniqueOrThrow({ where: { id } })).status;

  it("keeps a reply waiting for the writer, shows it sanitized once they approve it on /settings/responses, and the entry page's ETag moves", async () => {
    const before = await entryPage();
    expect(before.status).toBe(200);
    expect(before.html).not.toContain("Responses</h2>");

    rosaReply = await reply(peer, rosa, HOSTILE_HTML, { url: new URL("javascript:alert(4)") });
    expect(await status(rosaReply)).toBe("pending");
    const waiting = await entryPage(before.etag);
    expect(waiting.status).toBe(304);
    expect((await entryPage()).html).not.toContain("lovely");

    // The account links lead to the page, and the writer's own entry page says a reply waits; it lists the reply with the entry it answers.
    expect(await (await writer.browser.fetch("/drafts")).text()).toContain('href="/settings/responses"');
    expect(text(await (await writer.browser.fetch(entry.path)).text())).toContain('<a href="/settings/responses">1 reply waits for you</a>');
    const page = await responsesPage(writer.browser);
    expect(page.document.querySelector('[data-status="pending"]')?.textContent).toBe("1");
    const item = page.document.querySelector('[data-testid="moderated-response"]')!;
    expect(item.textContent).toContain("On being answered");
    expect(item.querySelector(`a[href="${entry.path}"]`)).not.toBeNull();
    expect(item.querySelector(`a[href="${peer.origin}/@rosa"]`)?.textContent).toBe("Rosa Remote");
    expect(item.textContent).toContain(rosa.handle);
    expect(item.querySelector(".response-body")!.innerHTML).toBe(
      '<p>A <b>lovely</b> essay, thank you.</p>click me <a href="https://example.org/more" rel="nofollow ugc noopener" target="_blank">read more</a>',
    );
    for (const bad of HOSTILE) expect(page.html, bad).not.toContain(bad);

    const approved = await press(writer.browser, page, rosaReply, "approve");
    expect(approved.status).toBe(303);
    expect(approved.headers.get("location")).toBe("/settings/responses?status=pending");
    expect(await status(rosaReply)).toBe("approved");

    const after = await entryPage();
    expect(after.etag).not.toBe(before.etag);
    expect((await entryPage(before.etag)).status).toBe(200);
    expect((await entryPage(after.etag)).status).toBe(304);
    const shown = parse(after.html).querySelectorAll('[data-testid="response"]');
    expect(shown).toHaveLength(1);
    expect(shown[0]!.querySelector(`a[href="${peer.origin}/@rosa"]`)?.textContent).toBe("Rosa Remote");
    expect(shown[0]!.textContent).toContain(rosa.handle);
    expect(shown[0]!.textContent).toContain("1 December 2026");
    // Its own link was a script: the reply's id stands in for it.
    expect(shown[0]!.querySelector(`a[href="${rosaReply}"] time`)).not.toBeNull();
    expect(shown[0]!.querySelector(".response-body")!.innerHTML).toContain("<b>lovely</b>");
    for (const bad of HOSTILE) expect(after.html, bad).not.toContain(bad);
  });

  it("counts likes and boosts under the entry, and takes them back on Undo", async () => {
    const reactions = async () => parse((await entryPage()).html).querySelector('[data-testid="reactions"]')?.textContent ?? null;
    expect(await reactions()).toBeNull();
    const etags = [(await entryPage()).etag];
    const like = new Like({ id: new URL(`${rosa.id.href}#likes/1`), actor: rosa.id, object: new URL(entry.article) });
    await send(peer, rosa, like);
    expect(await reactions()).toBe("1 like from the social web");
    etags.push((await entryPage()).etag);
    const boost = new Announce({ id: new URL(`${ren.id.href}#boosts/1`), actor: ren.id, object: new URL(entry.article) });
    await send(peer, ren, boost);
    await send(peer, ren, new Like({ id: new URL(`${ren.id.href}#likes/1`), actor: ren.id, object: new URL(entry.article) }));
    expect(await reactions()).toBe("2 likes · 1 boost from the social web");
    etags.push((await entryPage()).etag);
    await send(peer, ren, new Undo({ id: new URL(`${ren.id.href}#undo/1`), actor: ren.id, object: boost }));
    expect(await reactions()).toBe("2 likes from the social web");
    etags.push((await entryPage()).etag);
    expect(new Set(etags).size).toBe(4);
  });

  it("hides a reply from the page and shows it again when the writer un-hides it", async () => {
    const shown = (await entryPage()).etag;
    expect(await press(writer.browser, await responsesPage(writer.browser, "approved"), rosaReply, "hide")).toHaveProperty("status", 303);
    const hidden = await entryPage();
    expect(hidden.etag).not.toBe(shown);
    expect(hidden.html).not.toContain("lovely");
    const page = await responsesPage(writer.browser, "hidden");
    expect(page.document.querySelector('[data-status="hidden"]')?.textContent).toBe("1");
    expect(page.document.querySelector('button[value="approve"]')?.textContent).toBe("Un-hide");
    await press(writer.browser, page, rosaReply, "approve");
    expect((await entryPage()).html).toContain("lovely");
  });

  it("takes an approved reply its author edits off the page until the writer approves it again", async () => {
    const shown = (await entryPage()).etag;
    const note = new Note({ id: new URL(rosaReply), attribution: rosa.id, content: "<p>Edited: buy my <em>course</em>.</p>", replyTarget: new URL(entry.article), published: Temporal.Instant.from("2026-12-01T09:30:00Z") });
    await send(peer, rosa, new Update({ id: new URL(`${rosaReply}#update/1`), actor: rosa.id, object: note }));
    expect(await status(rosaReply)).toBe("pending");
    const edited = await entryPage();
    expect(edited.etag).not.toBe(shown);
    expect(edited.html).not.toContain("lovely");
    expect(edited.html).not.toContain("course");
    const page = await responsesPage(writer.browser);
    expect(page.document.querySelector(".response-body")!.innerHTML).toBe("<p>Edited: buy my <em>course</em>.</p>");
    await press(writer.browser, page, rosaReply, "approve");
    expect((await entryPage()).html).toContain("buy my <em>course</em>");
  });

  it("does not let another writer approve, hide or block anything of this writer's", async () => {
    renReply = await reply(peer, ren, "<p>Ren waits.</p>");
    const intruder = await newWriter("Ivo Intruder");
    for (const intent of ["approve", "hide", "block-actor", "block-instance"]) {
      const answer = await post(intruder.browser, "/settings/responses?status=pending", { id: renReply, intent });
      expect(answer.status, intent).toBe(404);
      expect(await answer.text()).toContain("There is no such response among the replies to your entries.");
    }
    expect(await status(renReply)).toBe("pending");
    expect(await status(rosaReply)).toBe("approved");
    expect(await db.fediBlock.count()).toBe(0);
    // Their own page lists none of it.
    expect((await responsesPage(intruder.browser)).html).not.toContain("Ren waits");
    expect((await responsesPage(intruder.browser, "approved")).html).not.toContain("course");
  });

  it("answers a form it cannot use with a 4xx and changes nothing", async () => {
    expect((await post(writer.browser, "/settings/responses", { id: renReply, intent: "delete-everything" })).status).toBe(400);
    expect((await post(writer.browser, "/settings/responses", { intent: "approve" })).status).toBe(400);
    expect((await post(writer.browser, "/settings/responses", { id: renReply, intent: "approve", padding: "x".repeat(20_000) })).status).toBe(413);
    const foreign = await writer.browser.fetch("/settings/responses", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", origin: "https://elsewhere.example" }, body: `id=${encodeURIComponent(renReply)}&intent=approve` });
    expect(foreign.status).toBe(403);
    const anonymous = await new Browser(server.url).fetch("/settings/responses", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: `id=${encodeURIComponent(renReply)}&intent=approve` });
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get("location")).toMatch(/^\/signin\?next=/);
    expect(await status(renReply)).toBe("pending");
  });

  it("blocks an account: its replies are hidden, its like no longer counts, it stops following, and what it sends next is ignored", async () => {
    const follow = new Follow({ id: new URL(`${rosa.id.href}#follows/1`), actor: rosa.id, object: new URL(`${server.url}/ap/users/${writer.id}`) });
    await send(peer, rosa, follow);
    expect(await db.follower.count({ where: { writerId: writer.id, actorId: rosa.id.href } })).toBe(1);

    expect((await press(writer.browser, await responsesPage(writer.browser, "approved"), rosaReply, "block-actor")).status).toBe(303);
    expect(await status(rosaReply)).toBe("hidden");
    expect(await status(renReply)).toBe("pending");
    const page = await entryPage();
    expect(page.html).not.toContain("course");
    expect(parse(page.html).querySelector('[data-testid="reactions"]')?.textContent).toBe("1 like from the social web");
    expect(await db.follower.count({ where: { writerId: writer.id, actorId: rosa.id.href } })).toBe(0);
    const reject = await db.fediActivity.findFirstOrThrow({ where: { writerId: writer.id, type: "Reject", audience: rosa.inbox.href } });
    expect(JSON.parse(reject.json)).toMatchObject({ type: "Reject", actor: `${server.url}/ap/users/${writer.id}`, object: { type: "Follow", id: follow.id!.href, actor: rosa.id.href } });

    // What Rosa sends from now on is turned away.
    const ignored = await reply(peer, rosa, "<p>Let me in.</p>");
    expect(await db.response.findUnique({ where: { id: ignored } })).toBeNull();
    await send(peer, rosa, new Like({ id: new URL(`${rosa.id.href}#likes/2`), actor: rosa.id, object: new URL(entry.article) }));
    expect(await db.reaction.count({ where: { entryId: entry.id, actorId: rosa.id.href } })).toBe(0);

    // The block is listed; a blocked account's reply cannot be approved.
    const hidden = await responsesPage(writer.browser, "hidden");
    const blocks = hidden.document.querySelector('[data-testid="blocks"]')!;
    expect(blocks.textContent).toContain(rosa.handle);
    expect(hidden.document.querySelector(`button[value="approve"]`)).toBeNull();
    const refused = await post(writer.browser, "/settings/responses?status=hidden", { id: rosaReply, intent: "approve" });
    expect(refused.status).toBe(409);
    expect(text(await refused.text())).toContain("unblock it before you approve its replies");
  });

  it("blocks a server: every account there is turned away, other servers are not; unblocking lets them in again", async () => {
    expect((await press(writer.browser, await responsesPage(writer.browser), renReply, "block-instance")).status).toBe(303);
    expect(await status(renReply)).toBe("hidden");
    const fromAda = await reply(peer, ada, "<p>Ada, same server.</p>");
    expect(await db.response.findUnique({ where: { id: fromAda } })).toBeNull();
    const fromKim = await reply(other, kim, "<p>Kim, another server.</p>");
    expect(await status(fromKim)).toBe("pending");
    expect(parse((await entryPage()).html).querySelector('[data-testid="reactions"]')).toBeNull();

    const page = await responsesPage(writer.browser);
    const server = [...page.document.querySelectorAll('[data-testid="blocks"] li')].find((li) => li.getAttribute("data-kind") === "instance")!;
    expect(server.textContent).toContain(new URL(peer.origin).host);
    const blockId = server.querySelector("input[name=id]")!.getAttribute("value")!;
    expect((await press(writer.browser, page, blockId, "unblock")).status).toBe(303);
    const afterUnblock = await reply(peer, ada, "<p>Ada again.</p>");
    expect(await status(afterUnblock)).toBe("pending");
    // Ren's reply stays hidden until the writer says otherwise; Rosa's own block still stands.
    expect(await status(renReply)).toBe("hidden");
    expect(await db.response.findUnique({ where: { id: await reply(peer, rosa, "<p>Still me.</p>") } })).toBeNull();
  });

  it("lists followers on the social web beside the other subscribers; removing one rejects their Follow and they get nothing more", async () => {
    const follow = new Follow({ id: new URL(`${kim.id.href}#follows/7`), actor: kim.id, object: new URL(`${server.url}/ap/users/${writer.id}`) });
    await send(other, kim, follow);
    const followers = async () =>
      ((await (await fetch(`${server.url}/ap/users/${writer.id}/followers?cursor=0`, { headers: { accept: "application/activity+json" } })).json()) as { orderedItems?: unknown[] }).orderedItems ?? [];
    expect(await followers()).toEqual([kim.id.href]);
    const page = await writer.browser.fetch("/settings/subscribers");
    expect(page.status).toBe(200);
    const document = parse(await page.text());
    expect(document.querySelector('[data-status="social"]')?.textContent).toBe("1");
    const row = document.querySelector('[data-testid="followers"] tbody tr')!;
    expect(row.querySelector(`a[href="${other.origin}/@kim"]`)?.textContent).toBe(kim.handle);
    expect(row.textContent).toContain("Kim Remote");
    const form = row.querySelector("form")!;
    const followerId = form.querySelector("input[name=follower]")!.getAttribute("value")!;

    // Another writer cannot remove it.
    const intruder = await newWriter("Ivo Again");
    expect((await post(intruder.browser, "/settings/subscribers", { intent: "remove-follower", follower: followerId })).status).toBe(404);
    expect(await db.follower.count({ where: { id: followerId } })).toBe(1);

    const removed = await post(writer.browser, form.getAttribute("action")!, { intent: "remove-follower", follower: followerId });
    expect(removed.status).toBe(303);
    expect(removed.headers.get("location")).toBe("/settings/subscribers#followers");
    expect(await db.follower.count({ where: { writerId: writer.id } })).toBe(0);
    const reject = await db.fediActivity.findFirstOrThrow({ where: { writerId: writer.id, type: "Reject", audience: kim.inbox.href } });
    expect(JSON.parse(reject.json)).toMatchObject({
      type: "Reject",
      actor: `${server.url}/ap/users/${writer.id}`,
      to: kim.id.href,
      object: { type: "Follow", id: follow.id!.href, actor: kim.id.href, object: `${server.url}/ap/users/${writer.id}` },
    });
    // The followers collection every delivery is planned from no longer names them, nor does the page.
    expect(await followers()).toEqual([]);
    const after = parse(await (await writer.browser.fetch("/settings/subscribers")).text());
    expect(after.querySelector('[data-status="social"]')?.textContent).toBe("0");
    expect(after.querySelector('[data-testid="followers"]')).toBeNull();
    // Removing it again says it is gone.
    expect((await post(writer.browser, "/settings/subscribers", { intent: "remove-follower", follower: followerId })).status).toBe(404);
  });
});
