/**
 * A publication on the social web, seen from another server (a real Fedify server that verifies
 * every signature before it keeps an activity): it finds the publication by WebFinger, gets a
 * Group, follows it and is answered; its members' essays arrive as Create(Article) from the
 * publication's actor, attributed to their authors, and new versions as Update; the owner lists and
 * removes the publication's followers; a like and a reply to a member's essay are counted and held
 * for the essay's author and the publication's owner.
 */
import crypto from "node:crypto";
import { Temporal } from "@js-temporal/polyfill";
import { Create, Follow, Group, Like, Note } from "@fedify/vocab";
import { Window } from "happy-dom";
import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "~/db.server";
import { parseEnv, type Env } from "~/env.server";
import { runFederationOnce } from "~/modules/federation/delivery.server";
import { freePort } from "../../scripts/local/service";
import { databaseProviders, useMigratedDatabase } from "../support/databases";
import { essayDocument, publishEntry, publishRevision, writerOf } from "../support/entries";
import { startPeer, type Peer, type RemoteAccount } from "../support/fediverse";
import { createPublication, signMembership } from "../support/publications";
import { signedInBrowser, startChildServer, type Browser } from "../support/web";

const AS = "application/activity+json";
const unique = () => crypto.randomBytes(4).toString("hex");
const window = new Window();
const parse = (html: string) => new window.DOMParser().parseFromString(html, "text/html");

describe.each(databaseProviders())("a publication on the social web on %s", (provider) => {
  let db: Database;
  let dbUrl: string;
  useMigratedDatabase(provider, (database, url) => {
    db = database;
    dbUrl = url;
  });
  let server: { url: string; stop(): Promise<void> };
  let peer: Peer;
  let env: Env;
  let rosa: RemoteAccount;
  const owner = privateKeyToAccount(generatePrivateKey());
  const member = privateKeyToAccount(generatePrivateKey());
  let publication: { id: string; handle: string; actor: string };
  let people: { owner: { id: string; actor: string; browser: Browser }; member: { id: string; actor: string; browser: Browser } };
  const essays: Array<{ entryId: string; slug: string; draftId: string; author: "owner" | "member" }> = [];

  beforeAll(async () => {
    const [port, peerPort] = [await freePort(), await freePort()];
    const settings = { DATABASE_URL: dbUrl, PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, FEDERATION_TEST_ORIGINS: `http://127.0.0.1:${peerPort}` };
    env = parseEnv({ ...process.env, ...settings });
    [server, peer] = await Promise.all([startChildServer(settings), startPeer(["rosa"], { port: peerPort })]);
    rosa = peer.account("rosa");

    const named = async (wallet: PrivateKeyAccount, displayName: string) => {
      const { id } = await writerOf(db, wallet);
      await db.writer.update({ where: { id }, data: { handle: `w-${unique()}`, displayName } });
      return { id, actor: `${server.url}/ap/users/${id}`, browser: await signedInBrowser(server.url, wallet) };
    };
    people = { owner: await named(owner, "Olive Owner"), member: await named(member, "Wren Writer") };
    const made = await createPublication(db, env, owner, { name: "The Quarterly", handle: `pub-${unique()}` });
    await signMembership(db, env, owner, made.id, member.address, "writer");
    publication = { id: made.id, handle: made.handle, actor: `${server.url}/ap/users/${made.id}` };
  });
  afterAll(async () => {
    await Promise.all([server?.stop(), peer?.stop()]);
  });

  /** Runs the worker until nothing is left to send. */
  async function deliver() {
    for (let i = 0; i < 5 && (await runFederationOnce(db, env)).busy; i++);
  }

  const post = (as: { browser: Browser }, path: string, fields: Record<string, string>) =>
    as.browser.fetch(path, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", origin: server.url }, body: new URLSearchParams(fields).toString() });

  /** Rosa's reply to `article`, signed by her server; resolves with the reply's id. */
  async function reply(article: URL, html: string): Promise<string> {
    const id = new URL(`${rosa.id.href}/notes/${unique()}`);
    const note = new Note({ id, attribution: rosa.id, content: html, replyTarget: article, published: Temporal.Now.instant() });
    await peer.send("rosa", `${server.url}/ap/inbox`, new Create({ id: new URL(`${id.href}#create`), actor: rosa.id, object: note }));
    return id.href;
  }

  const follow = () => peer.send("rosa", `${publication.actor}/inbox`, new Follow({ id: new URL(`${rosa.id.href}#follows/${unique()}`), actor: rosa.id, object: new URL(publication.actor) }));

  /** What arrived at Rosa's inboxes (her own or the shared one), by type and object. */
  const arrived = (type: string, objectId?: string) =>
    peer.received.filter(({ activity }) => activity.type === type && (objectId === undefined || (activity.object as { id?: string } | undefined)?.id === objectId)).map(({ activity }) => activity);

  it("is found by WebFinger as a Group with an inbox, followers, a shared inbox and keys, and answers a Follow with an Accept", async () => {
    const host = new URL(server.url).host;
    const finger = await fetch(`${server.url}/.well-known/webfinger?resource=acct:${publication.handle}@${host}`);
    expect(finger.status).toBe(200);
    const jrd = (await finger.json()) as { subject: string; links: Array<{ rel: string; type?: string; href?: string }> };
    expect(jrd.subject).toBe(`acct:${publication.handle}@${host}`);
    expect(jrd.links.find((link) => link.rel === "self" && link.type === AS)?.href).toBe(publication.actor);

    // The peer's own Fedify reads the actor document as a Group, with what it needs to follow and to check signatures.
    const group = await peer.context().lookupObject(publication.actor);
    expect(group).toBeInstanceOf(Group);
    const actor = group as Group;
    expect(actor.preferredUsername).toBe(publication.handle);
    expect(String(actor.name)).toBe("The Quarterly");
    expect(actor.inboxId?.href).toBe(`${publication.actor}/inbox`);
    expect(actor.followersId?.href).toBe(`${publication.actor}/followers`);
    expect(actor.endpoints?.sharedInbox?.href).toBe(`${server.url}/ap/inbox`);
    const key = await actor.getPublicKey();
    expect(key?.id?.href).toBe(`${publication.actor}#main-key`);
    expect(key?.ownerId?.href).toBe(publication.actor);

    const follow = new Follow({ id: new URL(`${rosa.id.href}#follows/${unique()}`), actor: rosa.id, object: new URL(publication.actor) });
    await peer.send("rosa", actor.inboxId!, follow);
    expect(await db.follower.count({ where: { writerId: publication.id, actorId: rosa.id.href } })).toBe(1);
    await deliver();
    const accept = await peer.waitFor((activity) => activity.type === "Accept");
    expect(accept).toMatchObject({ actor: publication.actor, object: { type: "Follow", id: follow.id!.href, object: publication.actor } });
  });

  it("delivers each member's essay as a Create(Article) from the publication's actor, attributed to its author, at the publication's address", async () => {
    for (const [author, wallet, title] of [["owner", owner, "The owner's essay"], ["member", member, "The member's essay"]] as const) {
      const published = await publishEntry(db, env, wallet, { title, document: essayDocument({ words: 60, seed: crypto.randomInt(1e6) }), publicationId: publication.id });
      essays.push({ entryId: published.entryId, slug: published.slug, draftId: published.draftId, author });
    }
    await deliver();
    for (const essay of essays) {
      const article = `${server.url}/ap/entries/${essay.entryId}`;
      const creates = arrived("Create", article);
      expect(creates, essay.author).toHaveLength(1);
      // The peer kept it only after checking its signature against the key of its actor: the publication's.
      expect(creates[0]).toMatchObject({ actor: publication.actor, object: { type: "Article", attributedTo: people[essay.author].actor, audience: publication.actor } });
      const urls = (creates[0]!.object as { url: Array<{ href: string; rel?: string }> }).url;
      expect(urls[0]).toMatchObject({ href: `${server.url}/${publication.handle}/${essay.slug}` });
      // The author's own Person did not send it.
      expect(peer.received.filter(({ activity }) => activity.actor === people[essay.author].actor)).toEqual([]);
    }
  });

  it("delivers a new version as an Update from the publication's actor", async () => {
    const essay = essays.find((e) => e.author === "member")!;
    await publishRevision(db, env, member, essay.draftId, { title: "The member's essay, revised", document: essayDocument({ words: 70, seed: 7 }) });
    await deliver();
    const updates = arrived("Update", `${server.url}/ap/entries/${essay.entryId}`);
    expect(updates).toHaveLength(1);
    expect(updates[0]).toMatchObject({ actor: publication.actor, object: { type: "Article", name: "The member's essay, revised", attributedTo: people.member.actor } });
  });

  it("counts a like of a member's essay under it, and holds a reply for its author and the publication's owner", async () => {
    const essay = essays.find((e) => e.author === "member")!;
    const article = new URL(`${server.url}/ap/entries/${essay.entryId}`);
    await peer.send("rosa", `${server.url}/ap/inbox`, new Like({ id: new URL(`${rosa.id.href}#likes/${unique()}`), actor: rosa.id, object: article }));
    const page = parse(await (await fetch(`${server.url}/${publication.handle}/${essay.slug}`)).text());
    expect(page.querySelector('[data-testid="reactions"]')?.textContent).toBe("1 like from the social web");

    const noteId = await reply(article, "<p>A fine essay for the Quarterly.</p>");
    expect((await db.response.findUniqueOrThrow({ where: { id: noteId } })).status).toBe("pending");
    // A reply to the owner's essay is the owner's alone to moderate: a writer there moderates only their own.
    const toOwner = await reply(new URL(`${server.url}/ap/entries/${essays.find((e) => e.author === "owner")!.entryId}`), "<p>And one for the owner.</p>");

    const waiting = async (who: "owner" | "member") =>
      [...parse(await (await people[who].browser.fetch("/settings/responses?status=pending")).text()).querySelectorAll('[data-testid="moderated-response"]')];
    const [forMember, forOwner] = [await waiting("member"), await waiting("owner")];
    expect(forMember.map((item) => item.querySelector(".response-body")?.textContent)).toEqual(["A fine essay for the Quarterly."]);
    expect(forOwner.map((item) => item.querySelector(".response-body")?.textContent).sort()).toEqual(["A fine essay for the Quarterly.", "And one for the owner."]);
    const item = forOwner.find((item) => item.textContent?.includes("A fine essay"))!;
    expect(item.querySelector(`a[href="/${publication.handle}/${essay.slug}"]`)).not.toBeNull();
    expect((await post(people.member, "/settings/responses?status=pending", { id: toOwner, intent: "approve" })).status).toBe(404);
    // The owner approves it: it shows under the essay.
    expect((await post(people.owner, "/settings/responses?status=pending", { id: noteId, intent: "approve" })).status).toBe(303);
    const shown = parse(await (await fetch(`${server.url}/${publication.handle}/${essay.slug}`)).text());
    expect(shown.querySelector('[data-testid="response"] .response-body')?.textContent).toBe("A fine essay for the Quarterly.");
  });

  it("lists the publication's followers on its owner's subscribers page; removing one sends it a Reject", async () => {
    const path = `/settings/subscribers?publication=${publication.id}`;
    const page = parse(await (await people.owner.browser.fetch(path)).text());
    expect(page.querySelector('[data-status="social"]')?.textContent).toBe("1");
    const row = page.querySelector('[data-testid="followers"] tbody tr')!;
    expect(row.textContent).toContain(rosa.handle);
    const form = row.querySelector("form")!;
    // The member, who is no owner, cannot see or change the list.
    expect((await people.member.browser.fetch(path)).status).toBe(403);

    const removed = await post(people.owner, form.getAttribute("action")!, { intent: "remove-follower", follower: form.querySelector("input[name=follower]")!.getAttribute("value")! });
    expect(removed.status).toBe(303);
    expect(await db.follower.count({ where: { writerId: publication.id } })).toBe(0);
    await deliver();
    const reject = await peer.waitFor((activity) => activity.type === "Reject");
    expect(reject).toMatchObject({ actor: publication.actor, object: { type: "Follow", actor: rosa.id.href, object: publication.actor } });
    expect(parse(await (await people.owner.browser.fetch(path)).text()).querySelector('[data-status="social"]')?.textContent).toBe("0");
  });

  it("lets the owner block an account from a reply to a member's essay: the publication turns it away as the owner's own entries do", async () => {
    await follow();
    expect(await db.follower.count({ where: { writerId: publication.id, actorId: rosa.id.href } })).toBe(1);
    const essay = essays.find((e) => e.author === "member")!;
    const replyId = (await db.response.findFirstOrThrow({ where: { entryId: essay.entryId, actorId: rosa.id.href } })).id;
    const rejects = () => arrived("Reject").length;
    const before = rejects();

    expect((await post(people.owner, "/settings/responses?status=approved", { id: replyId, intent: "block-actor" })).status).toBe(303);
    expect((await db.response.findUniqueOrThrow({ where: { id: replyId } })).status).toBe("hidden");
    // The essay's author cannot approve it past the owner's block.
    const approved = await post(people.member, "/settings/responses?status=hidden", { id: replyId, intent: "approve" });
    expect(approved.status).toBe(409);
    expect((await db.response.findUniqueOrThrow({ where: { id: replyId } })).status).toBe("hidden");
    const page = parse(await (await fetch(`${server.url}/${publication.handle}/${essay.slug}`)).text());
    expect(page.querySelector('[data-testid="reactions"]')).toBeNull();
    expect(page.querySelector('[data-testid="response"]')).toBeNull();
    // It no longer follows the publication, and is told so by the publication's actor.
    expect(await db.follower.count({ where: { writerId: publication.id } })).toBe(0);
    await deliver();
    await peer.waitFor(() => rejects() > before);
    expect(arrived("Reject").at(-1)).toMatchObject({ actor: publication.actor, object: { type: "Follow", object: publication.actor } });

    // What it sends next to the publication is turned away: a Follow, a like, a reply.
    await follow();
    expect(await db.follower.count({ where: { writerId: publication.id } })).toBe(0);
    await peer.send("rosa", `${server.url}/ap/inbox`, new Like({ id: new URL(`${rosa.id.href}#likes/${unique()}`), actor: rosa.id, object: new URL(`${server.url}/ap/entries/${essay.entryId}`) }));
    expect(await db.reaction.count({ where: { entryId: essay.entryId } })).toBe(0);
    const ignored = await reply(new URL(`${server.url}/ap/entries/${essay.entryId}`), "<p>Let me in.</p>");
    expect(await db.response.findUnique({ where: { id: ignored } })).toBeNull();
  });
});
