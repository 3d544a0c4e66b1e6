import { execFileSync } from "node:child_process";
import { createPublicKey } from "node:crypto";
import path from "node:path";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "~/db.server";
import { getEnv } from "~/env.server";
import { updateProfile } from "~/modules/writers/profile.server";
import { essayDocument, publishEntry, writerOf } from "../support/entries";
import { startPeer, type Peer } from "../support/fediverse";
import { startTestServer } from "../support/web";
import { freePort } from "../../scripts/local/service";
import { Follow, Like } from "@fedify/vocab";

let server: Awaited<ReturnType<typeof startTestServer>>;
let peer: Peer;
beforeAll(async () => {
  const peerPort = await freePort();
  process.env.FEDERATION_TEST_ORIGINS = `http://127.0.0.1:${peerPort}`;
  server = await startTestServer();
  peer = await startPeer(["rosa"], { port: peerPort });
});
afterAll(async () => {
  await server?.stop();
  await peer?.stop();
});

const AS = "application/activity+json";

describe("a writer on the social web", () => {
  it("is found by WebFinger, and their page and essay answer as ActivityStreams when asked", async () => {
    const db = getDb();
    const env = getEnv();
    const account = privateKeyToAccount(generatePrivateKey());
    const writer = await writerOf(db, account);
    const handle = `fedi${writer.id.slice(-6)}`;
    await updateProfile(db, writer.id, { handle, displayName: "Ada Fedi", bio: "Writes about the web." });
    const published = await publishEntry(db, env, account, { title: "On permanence", document: essayDocument({ words: 120, seed: 3 }) });
    const host = new URL(server.url).host;

    const finger = await fetch(`${server.url}/.well-known/webfinger?resource=acct:${handle}@${host}`);
    expect(finger.status).toBe(200);
    const jrd = (await finger.json()) as { subject: string; links: Array<{ rel: string; type?: string; href?: string }> };
    expect(jrd.subject).toBe(`acct:${handle}@${host}`);
    const self = jrd.links.find((link) => link.rel === "self" && link.type === AS)!;
    expect(self.href).toBe(`${server.url}/ap/users/${writer.id}`);

    const actor = (await (await fetch(self.href!, { headers: { accept: AS } })).json()) as Record<string, any>;
    expect(actor["@context"]).toContain("https://www.w3.org/ns/activitystreams");
    expect(actor).toMatchObject({ type: "Person", preferredUsername: handle, name: "Ada Fedi", url: `${server.url}/${handle}`, inbox: `${self.href}/inbox`, endpoints: { sharedInbox: `${server.url}/ap/inbox` } });
    expect(actor.publicKey.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    // 2048-bit RSA, as Mastodon's own keys: every delivery is signed with it.
    expect(createPublicKey(actor.publicKey.publicKeyPem).asymmetricKeyDetails?.modulusLength).toBe(2048);

    const page = await fetch(`${server.url}/${handle}`, { headers: { accept: 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"' } });
    expect(page.headers.get("content-type")).toMatch(/application\/activity\+json|application\/ld\+json/);
    expect(((await page.json()) as { id: string }).id).toBe(self.href);
    const html = await fetch(`${server.url}/${handle}`, { headers: { accept: "text/html" } });
    expect(html.headers.get("content-type")).toMatch(/text\/html/);

    const article = (await (await fetch(`${server.url}/${handle}/${published.slug}`, { headers: { accept: AS } })).json()) as Record<string, any>;
    expect(article).toMatchObject({ type: "Article", name: "On permanence", attributedTo: self.href });
    expect(article.content).toContain(`/verify/${published.arweaveId}`);

    const outbox = (await (await fetch(`${self.href}/outbox`, { headers: { accept: AS } })).json()) as Record<string, any>;
    expect(outbox.totalItems).toBe(1);
    const nodeinfo = await fetch(`${server.url}/.well-known/nodeinfo`);
    expect(nodeinfo.status).toBe(200);
  });
});

describe("a follower on another server", () => {
  it("follows with a signed Follow, is stored with its shared inbox and answered with a queued Accept; a Like is counted once", async () => {
    const db = getDb();
    const env = getEnv();
    const account = privateKeyToAccount(generatePrivateKey());
    const writer = await writerOf(db, account);
    await updateProfile(db, writer.id, { handle: `peer${writer.id.slice(-6)}`, displayName: "Peer Writer", bio: "" });
    const published = await publishEntry(db, env, account, { title: "Followed", document: essayDocument({ words: 50, seed: 5 }) });
    const rosa = peer.account("rosa");
    const actorUri = new URL(`${server.url}/ap/users/${writer.id}`);
    const follow = new Follow({ id: new URL(`${rosa.id.href}#follows/1`), actor: rosa.id, object: actorUri });
    await peer.send("rosa", `${actorUri.href}/inbox`, follow);
    const follower = await db.follower.findUniqueOrThrow({ where: { writerId_actorId: { writerId: writer.id, actorId: rosa.id.href } } });
    expect(follower).toMatchObject({ handle: rosa.handle, inbox: rosa.inbox.href, sharedInbox: `${peer.origin}/inbox`, followId: follow.id!.href });
    const accept = await db.fediActivity.findFirstOrThrow({ where: { writerId: writer.id, type: "Accept" } });
    expect(accept.audience).toBe(rosa.inbox.href);
    expect(JSON.parse(accept.json)).toMatchObject({ type: "Accept", object: { type: "Follow", id: follow.id!.href } });

    const article = new URL(`${server.url}/ap/entries/${published.entryId}`);
    const like = new Like({ id: new URL(`${rosa.id.href}#likes/1`), actor: rosa.id, object: article });
    await peer.send("rosa", `${server.url}/ap/inbox`, like);
    await peer.send("rosa", `${server.url}/ap/inbox`, like);
    expect(await db.reaction.count({ where: { entryId: published.entryId, type: "like" } })).toBe(1);
  });
});

describe("the web role's memory", () => {
  it("loads Fedify and its vocabulary (about 55 MB) with the first request from the social web, not at start", () => {
    const root = path.resolve(__dirname, "../..");
    const script = `require(${JSON.stringify(path.join(root, "build/server/index.js"))}); process.stdout.write(String(Object.keys(require.cache).filter((file) => file.includes("@fedify")).length))`;
    expect(execFileSync(process.execPath, ["-e", script], { cwd: root, env: { ...process.env, NODE_ENV: "production" } }).toString()).toBe("0");
  });
});
