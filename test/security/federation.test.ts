import crypto from "node:crypto";
import http from "node:http";
import path from "node:path";
import { generateCryptoKeyPair, signRequest, type HttpMessageSignaturesSpec } from "@fedify/fedify";
import { Temporal } from "@js-temporal/polyfill";
import { Window } from "happy-dom";
import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, getDb, type Database } from "~/db.server";
import { getEnv } from "~/env.server";
import { RemoteAddresses } from "~/modules/federation/addresses.server";
import { MAX_ACTIVITY_BYTES } from "~/modules/federation/http.server";
import { MAX_REMOTE_DEPTH, MAX_REMOTE_HTML, remoteText, sanitizeRemoteHtml } from "~/modules/federation/sanitize.server";
import { ARWEAVE_ID, HOSTILE_URLS, UNPUBLISHABLE_TEXT } from "~/modules/entries/hostile-corpus";
import { parseDocument } from "~/modules/entries/document.server";
import { updateProfile } from "~/modules/writers/profile.server";
import { deployMigrations } from "../../scripts/lib/migrations";
import { freePort } from "../../scripts/local/service";
import { databaseProviders, freshDatabase, type TestDatabase } from "../support/databases";
import { essayDocument, publishEntry, publishRevision, writerOf } from "../support/entries";
import { startPeer, type Peer } from "../support/fediverse";
import { startChildServer, startTestServer } from "../support/web";

const AS = "application/activity+json";
const AS_CONTEXT = "https://www.w3.org/ns/activitystreams";
const PER_MINUTE = 20;

/** A listener on every local address of a port no setting names: it counts whoever reaches it. */
interface Trap {
  port: number;
  hits: string[];
  stop(): Promise<void>;
}

async function startTrap(): Promise<Trap> {
  const port = await freePort();
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    res.writeHead(404, { "content-type": "text/plain" }).end("trap\n");
  });
  await new Promise<void>((resolve) => server.listen({ port, host: "::", ipv6Only: false }, resolve));
  return { port, hits, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

let server: Awaited<ReturnType<typeof startTestServer>>;
/** Remote servers, one per concern, so one's activities never count against another's rate. */
let signer: Peer;
let limits: Peer;
let flooder: Peer;
let bystander: Peer;
let replier: Peer;
let follower: Peer;
let elsewhere: Peer;
let trap: Trap;
let writer: { id: string; handle: string; account: PrivateKeyAccount; actor: string; inbox: string };
let entry: { id: string; slug: string; arweaveId: string; draftId: string; url: string; article: string };
let sharedInbox: string;

beforeAll(async () => {
  // A database of its own: "nothing stored" is then every row of every table.
  process.env.DATABASE_URL = `file:${path.join(process.env.DATA_DIR!, `federation-security-${Date.now()}.db`)}`;
  await deployMigrations(process.env.DATABASE_URL);
  // The trap and the peers listen before anything else picks a port, so none can take another's.
  trap = await startTrap();
  const ports: number[] = [];
  while (ports.length < 6) {
    const port = await freePort();
    if (!ports.includes(port)) ports.push(port);
  }
  [signer, limits, flooder, bystander, replier, follower] = await Promise.all([
    startPeer(["rosa", "bruno"], { port: ports[0] }),
    startPeer(["lena"], { port: ports[1] }),
    startPeer(["flood"], { port: ports[2] }),
    startPeer(["calm"], { port: ports[3] }),
    startPeer(["mallory"], { port: ports[4] }),
    // An actor whose documents name inboxes on the trap, for the press to deliver to.
    startPeer(["sneaky"], { port: ports[5], actors: { sneaky: { inbox: `http://127.0.0.1:${trap.port}/inbox` } } }),
  ]);
  // The trap's port is deliberately not a test origin: loopback there must stay out of reach.
  process.env.FEDERATION_TEST_ORIGINS = ports.map((port) => `http://127.0.0.1:${port}`).join(",");
  process.env.FEDERATION_INBOX_PER_MINUTE = String(PER_MINUTE);
  server = await startTestServer();
  // Not a test origin at all: loopback the press must not fetch from.
  elsewhere = await startPeer(["ghost"]);

  const db = getDb();
  const env = getEnv();
  const account = privateKeyToAccount(generatePrivateKey());
  const { id } = await writerOf(db, account);
  const handle = `guarded${id.slice(-6)}`;
  await updateProfile(db, id, { handle, displayName: "Guarded Writer", bio: "Writes behind walls." });
  const actor = `${server.url}/ap/users/${id}`;
  writer = { id, handle, account, actor, inbox: `${actor}/inbox` };
  const document = parseDocument({
    type: "doc",
    content: [
      { type: "paragraph", content: [{ type: "text", text: "An essay with a " }, { type: "text", text: "link", marks: [{ type: "link", attrs: { href: `ar://${ARWEAVE_ID}` } }] }, { type: "text", text: " and a figure." }] },
      { type: "image", attrs: { src: `ar://${ARWEAVE_ID}`, alt: "a figure" } },
      ...essayDocument({ words: 80, seed: 18 }).content!,
    ],
  });
  const published = await publishEntry(db, env, account, { title: "On walls", document });
  entry = { id: published.entryId, slug: published.slug, arweaveId: published.arweaveId, draftId: published.draftId, url: `${server.url}/${handle}/${published.slug}`, article: `${server.url}/ap/entries/${published.entryId}` };
  sharedInbox = `${server.url}/ap/inbox`;
});
afterAll(async () => {
  await server?.stop();
  await Promise.all([signer, limits, flooder, bystander, replier, follower, elsewhere].map((peer) => peer?.stop()));
  await trap?.stop();
});

/** Every row the federation side can write, counted: a refused request changes none of them. */
async function stored() {
  const db = getDb();
  const [followers, responses, reactions, remotePosts, activities, remoteFollows] = await Promise.all([
    db.follower.count(),
    db.response.count(),
    db.reaction.count(),
    db.remotePost.count(),
    db.fediActivity.count(),
    db.remoteFollow.count(),
  ]);
  return { followers, responses, reactions, remotePosts, activities, remoteFollows };
}

let sequence = 0;
/** A fresh activity id under `actor` (Fedify handles one id once). */
const newId = (actor: URL | string, kind: string) => `${String(actor)}#${kind}/${Date.now().toString(36)}-${++sequence}`;

const follow = (actor: URL) => ({ "@context": AS_CONTEXT, id: newId(actor, "follow"), type: "Follow", actor: actor.href, object: writer.actor });
const like = (actor: URL) => ({ "@context": AS_CONTEXT, id: newId(actor, "like"), type: "Like", actor: actor.href, object: entry.article });

interface Signing {
  spec?: HttpMessageSignaturesSpec;
  /** Sign with this account's key while naming the sender's own key id. */
  keyOf?: string;
  /** Sign with this key and name this key id instead of the sender's. */
  key?: { privateKey: CryptoKey; keyId: URL };
  currentTime?: Temporal.Instant;
  contentType?: string;
  /** The body actually sent, when it is not the one signed. */
  sentBody?: string;
}

/** POSTs `body` to `inbox` from `name` on `peer`, signed as Fedify signs (draft-cavage unless told), with the changes `opts` asks for. */
async function signedPost(peer: Peer, name: string, inbox: string, body: unknown, opts: Signing = {}): Promise<Response> {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  const [own] = await peer.context().getActorKeyPairs(name);
  const [other] = opts.keyOf ? await peer.context().getActorKeyPairs(opts.keyOf) : [own];
  const key = opts.key ?? { privateKey: other!.privateKey, keyId: own!.keyId };
  const request = new Request(inbox, { method: "POST", headers: { "content-type": opts.contentType ?? AS, accept: AS }, body: text });
  const signed = await signRequest(request, key.privateKey, key.keyId, { spec: opts.spec ?? "draft-cavage-http-signatures-12", currentTime: opts.currentTime });
  return fetch(opts.sentBody === undefined ? signed : new Request(signed.url, { method: "POST", headers: signed.headers, body: opts.sentBody }));
}

/** Status and text of a response, read whole. */
const answer = async (response: Response) => ({ status: response.status, text: await response.text(), retryAfter: response.headers.get("retry-after") });

describe("requests that are not signed, or not signed by the actor", () => {
  it("refuses an unsigned activity with 401 at a personal inbox and at the shared inbox, and stores nothing", async () => {
    const before = await stored();
    const rosa = signer.account("rosa");
    for (const inbox of [writer.inbox, sharedInbox]) {
      const response = await fetch(inbox, { method: "POST", headers: { "content-type": AS }, body: JSON.stringify(follow(rosa.id)) });
      expect(await answer(response)).toMatchObject({ status: 401, text: "An activity must be signed (HTTP Signatures).\n" });
    }
    expect(await stored()).toEqual(before);
  });

  it("refuses with 401 and stores nothing: a signature by another key, a key of another actor, a body changed after signing, a stale date, a key that does not exist", async () => {
    const before = await stored();
    const rosa = signer.account("rosa");
    const [brunoKey] = await signer.context().getActorKeyPairs("bruno");
    const cases: Array<{ name: string; body: Record<string, unknown>; inbox: string; opts: Signing; text: RegExp }> = [];
    for (const spec of ["draft-cavage-http-signatures-12", "rfc9421"] as const) {
      const changed = follow(rosa.id);
      cases.push(
        { name: `${spec}: rosa's key id, bruno's private key`, body: follow(rosa.id), inbox: writer.inbox, opts: { spec, keyOf: "bruno" }, text: /verify/i },
        { name: `${spec}: bruno's own key, rosa as the actor`, body: follow(rosa.id), inbox: sharedInbox, opts: { spec, key: { privateKey: brunoKey!.privateKey, keyId: brunoKey!.keyId } }, text: /signer and the actor do not match/ },
        { name: `${spec}: the body changed after signing`, body: changed, inbox: writer.inbox, opts: { spec, sentBody: JSON.stringify({ ...changed, object: `${server.url}/ap/users/someone-else` }) }, text: /verify/i },
        { name: `${spec}: signed two hours ago`, body: follow(rosa.id), inbox: writer.inbox, opts: { spec, currentTime: Temporal.Now.instant().subtract({ hours: 2 }) }, text: /verify/i },
        { name: `${spec}: a key id the actor does not have`, body: follow(rosa.id), inbox: sharedInbox, opts: { spec, key: { privateKey: brunoKey!.privateKey, keyId: new URL(`${rosa.id.href}#no-such-key`) } }, text: /verify/i },
      );
    }
    for (const { name, body, inbox, opts, text } of cases) {
      const result = await answer(await signedPost(signer, "rosa", inbox, body, opts));
      expect({ name, status: result.status }).toEqual({ name, status: 401 });
      expect(result.text, name).toMatch(text);
    }
    expect(await stored()).toEqual(before);
    expect(await getDb().follower.count({ where: { actorId: rosa.id.href } })).toBe(0);
  });

  for (const spec of ["draft-cavage-http-signatures-12", "rfc9421"] as const) {
    it(`accepts a Follow signed with ${spec === "rfc9421" ? "RFC 9421" : "draft-cavage"} HTTP Signatures: the follower is stored and an Accept queued`, async () => {
      const name = spec === "rfc9421" ? "bruno" : "rosa";
      const account = signer.account(name);
      const activity = follow(account.id);
      const response = await signedPost(signer, name, spec === "rfc9421" ? sharedInbox : writer.inbox, activity, { spec });
      expect(response.status).toBe(202);
      const db = getDb();
      expect(await db.follower.findUnique({ where: { writerId_actorId: { writerId: writer.id, actorId: account.id.href } } })).toMatchObject({ inbox: account.inbox.href, followId: activity.id });
      const accept = await db.fediActivity.findFirstOrThrow({ where: { writerId: writer.id, type: "Accept", audience: account.inbox.href } });
      expect(JSON.parse(accept.json)).toMatchObject({ type: "Accept", object: { id: activity.id } });
    });
  }
});

describe("bodies an inbox does not take", () => {
  /** `total` bytes of JSON whitespace, produced 64 KB at a time: the test never holds the body it sends. */
  function streamed(total: number): ReadableStream<Uint8Array> {
    const chunk = new TextEncoder().encode(" ".repeat(64 * 1024));
    let sent = 0;
    return new ReadableStream({
      pull(controller) {
        if (sent >= total) return controller.close();
        const piece = chunk.subarray(0, Math.min(chunk.length, total - sent));
        sent += piece.length;
        controller.enqueue(piece);
      },
    });
  }

  it("refuses more than 256 KiB with 413, declared or sent chunked, before reading it", async () => {
    const before = await stored();
    const lena = limits.account("lena");
    const [key] = await limits.context().getActorKeyPairs("lena");
    // Declared: refused on its Content-Length, signed or not.
    const big = JSON.stringify({ ...like(lena.id), content: "x".repeat(MAX_ACTIVITY_BYTES) });
    const declared = await signedPost(limits, "lena", writer.inbox, big);
    expect(await answer(declared)).toMatchObject({ status: 413, text: `An activity may be at most ${MAX_ACTIVITY_BYTES} bytes.\n` });
    const unsigned = await fetch(sharedInbox, { method: "POST", headers: { "content-type": AS }, body: big });
    expect(await answer(unsigned)).toMatchObject({ status: 413, text: `An activity may be at most ${MAX_ACTIVITY_BYTES} bytes.\n` });
    // Chunked, with no length: refused once the 256 KiB are read, whatever follows.
    const signedHead = await signRequest(new Request(sharedInbox, { method: "POST", headers: { "content-type": AS }, body: "{}" }), key!.privateKey, key!.keyId);
    const headers = new Headers(signedHead.headers);
    headers.delete("content-length");
    const chunked = await fetch(sharedInbox, { method: "POST", headers, body: streamed(8 * MAX_ACTIVITY_BYTES), duplex: "half" } as RequestInit);
    expect(await answer(chunked)).toMatchObject({ status: 413, text: `An activity may be at most ${MAX_ACTIVITY_BYTES} bytes.\n` });
    expect(await stored()).toEqual(before);
  });

  it("refuses a body that is not JSON with 415, and JSON that is not an activity with 400, each saying why", async () => {
    const before = await stored();
    const lena = limits.account("lena");
    const form = await signedPost(limits, "lena", writer.inbox, new URLSearchParams({ type: "Follow" }).toString(), { contentType: "application/x-www-form-urlencoded" });
    expect(await answer(form)).toMatchObject({ status: 415, text: "An activity must be sent as application/activity+json.\n" });
    const plainText = await signedPost(limits, "lena", sharedInbox, JSON.stringify(follow(lena.id)), { contentType: "text/plain" });
    expect((await answer(plainText)).status).toBe(415);
    const bodies: Array<[string, string]> = [
      ["{ not json", "The activity is not valid JSON.\n"],
      ['{"type": "Follow",', "The activity is not valid JSON.\n"],
      ["[]", "The activity must be a JSON object with a type.\n"],
      ['"Follow"', "The activity must be a JSON object with a type.\n"],
      ["null", "The activity must be a JSON object with a type.\n"],
      [JSON.stringify({ "@context": AS_CONTEXT, id: newId(lena.id, "x"), actor: lena.id.href, object: writer.actor }), "The activity must be a JSON object with a type.\n"],
      [JSON.stringify({ ...follow(lena.id), type: 42 }), "The activity must be a JSON object with a type.\n"],
    ];
    for (const [body, text] of bodies) {
      expect({ body, ...(await answer(await signedPost(limits, "lena", writer.inbox, body))) }).toMatchObject({ body, status: 400, text });
    }
    // Bytes that are not UTF-8.
    const notUtf8 = await fetch(writer.inbox, { method: "POST", headers: { "content-type": AS, signature: `keyId="${lena.id.href}#main-key"` }, body: new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x7d]) });
    expect(await answer(notUtf8)).toMatchObject({ status: 400, text: "The activity is not valid JSON.\n" });
    expect(await stored()).toEqual(before);
  });
});

describe("a flood of activities from one server", () => {
  it(`answers activity number ${PER_MINUTE + 1} of a minute with 429 and Retry-After, stores it not, and still takes another server's`, async () => {
    // The count is per clock minute: start early enough in one that the flood fits in it.
    const left = 60_000 - (Date.now() % 60_000);
    if (left < 5_000) await new Promise((resolve) => setTimeout(resolve, left + 50));
    const db = getDb();
    const flood = flooder.account("flood");
    for (let i = 0; i < PER_MINUTE; i++) expect((await signedPost(flooder, "flood", sharedInbox, like(flood.id))).status).toBe(202);
    expect(await db.reaction.count({ where: { actorId: flood.id.href } })).toBe(1);
    const before = await stored();
    const refused = await answer(await signedPost(flooder, "flood", sharedInbox, follow(flood.id), { spec: "rfc9421" }));
    expect(refused.status).toBe(429);
    expect(refused.text).toBe(`Too many activities from ${new URL(flooder.origin).host}; try again later.\n`);
    expect(Number(refused.retryAfter)).toBeGreaterThan(0);
    expect(Number(refused.retryAfter)).toBeLessThanOrEqual(60);
    expect(await stored()).toEqual(before);
    const calm = bystander.account("calm");
    expect((await signedPost(bystander, "calm", writer.inbox, follow(calm.id))).status).toBe(202);
    expect(await db.follower.count({ where: { actorId: calm.id.href } })).toBe(1);
  });
});

describe("URLs that point the press inside its own network (SSRF)", () => {
  const refusedAddresses = (port: number) => [
    `http://127.0.0.1:${port}/actor`,
    `http://localhost:${port}/actor`,
    `http://[::1]:${port}/actor`,
    `http://0.0.0.0:${port}/actor`,
    `http://127.1:${port}/actor`,
    `http://2130706433:${port}/actor`,
    `http://[::ffff:127.0.0.1]:${port}/actor`,
    "http://10.0.0.1/actor",
    "http://172.16.5.4/actor",
    "http://192.168.1.1/actor",
    "http://100.64.0.1/actor",
    "http://169.254.169.254/latest/meta-data/",
    "http://[fd12:3456:789a::1]/actor",
    "http://[fe80::1]/actor",
  ];

  describe("RemoteAddresses", () => {
    it("allows http(s) on public addresses, and a configured test origin exactly (scheme, host and port)", async () => {
      const addresses = new RemoteAddresses([signer.origin]);
      for (const url of ["https://93.184.215.14/users/a", "http://8.8.8.8/inbox", "https://[2606:4700:4700::1111]/actor", `${signer.origin}/users/rosa`]) {
        await expect(addresses.check(url), url).resolves.toBeUndefined();
      }
      expect(addresses.isTestOrigin(`${signer.origin}/users/rosa#main-key`)).toBe(true);
      expect(addresses.testOriginOfHost(new URL(signer.origin).host)).toBe(signer.origin);
      const port = Number(new URL(signer.origin).port);
      for (const url of [`http://127.0.0.1:${port + 1}/users/rosa`, `https://127.0.0.1:${port}/users/rosa`, `http://localhost:${port}/users/rosa`]) {
        expect(addresses.isTestOrigin(url), url).toBe(false);
        await expect(addresses.check(url), url).rejects.toThrow(/not a public address/);
      }
    });

    it("refuses loopback, private, shared, link-local and unique-local addresses in every spelling, and every scheme but http(s)", async () => {
      const addresses = new RemoteAddresses([signer.origin]);
      for (const url of refusedAddresses(trap.port)) await expect(addresses.check(url), url).rejects.toThrow(/is not a public address/);
      for (const url of ["ftp://93.184.215.14/actor", "file:///etc/passwd", "gopher://93.184.215.14/", "javascript:alert(1)", "data:application/activity+json,{}"]) {
        await expect(addresses.check(url), url).rejects.toThrow(/Only http and https URLs are fetched/);
      }
      await expect(addresses.check("not a url")).rejects.toThrow(/Not a URL/);
    });

    it("gives Fedify document loaders that never connect to a refused address, and load from a test origin", async () => {
      const addresses = new RemoteAddresses([signer.origin]);
      const [rsa] = await signer.context().getActorKeyPairs("rosa");
      const loaders = [addresses.documentLoaderFactory(), addresses.authenticatedDocumentLoaderFactory({ keyId: rsa!.keyId, privateKey: rsa!.privateKey })];
      for (const load of loaders) {
        for (const url of refusedAddresses(trap.port).filter((url) => url.includes(String(trap.port)))) await expect(load(url), url).rejects.toThrow();
        const rosa = await load(signer.account("rosa").id.href);
        expect((rosa.document as { preferredUsername?: string }).preferredUsername).toBe("rosa");
      }
      expect(trap.hits).toEqual([]);
    });
  });

  it("refuses an activity whose key id is on such an address with 401, without a request reaching it", async () => {
    const before = await stored();
    const { privateKey } = await generateCryptoKeyPair("RSASSA-PKCS1-v1_5");
    for (const address of refusedAddresses(trap.port)) {
      const keyId = new URL(`${address}#main-key`);
      const actor = new URL(address);
      const result = await answer(await signedPost(signer, "rosa", writer.inbox, follow(actor), { key: { privateKey, keyId } }));
      expect({ address, status: result.status }).toEqual({ address, status: 401 });
    }
    // A real server on loopback, signing for real with its own key, but not configured as a test origin.
    const ghost = elsewhere.account("ghost");
    const [ghostKey] = await elsewhere.context().getActorKeyPairs("ghost");
    expect((await signedPost(elsewhere, "ghost", sharedInbox, follow(ghost.id), { key: { privateKey: ghostKey!.privateKey, keyId: ghostKey!.keyId } })).status).toBe(401);
    expect(trap.hits).toEqual([]);
    expect(await stored()).toEqual(before);
  });

  it("never fetches an actor, object or context named on such an address in a correctly signed activity", async () => {
    const before = await stored();
    const rosa = signer.account("rosa");
    const at = (path: string) => `http://127.0.0.1:${trap.port}${path}`;
    const activities: Array<{ name: string; body: Record<string, unknown> }> = [
      { name: "an actor on the trap", body: { ...follow(rosa.id), actor: at("/users/rosa") } },
      { name: "a Create of an object by URL", body: { "@context": AS_CONTEXT, id: newId(rosa.id, "create"), type: "Create", actor: rosa.id.href, object: at("/notes/1") } },
      {
        name: "a Create of an embedded Note whose id is on the trap",
        body: { "@context": AS_CONTEXT, id: newId(rosa.id, "create"), type: "Create", actor: rosa.id.href, object: { id: at("/notes/2"), type: "Note", attributedTo: rosa.id.href, inReplyTo: entry.article, content: "<p>hi</p>" } },
      },
      { name: "an Undo of an object by URL", body: { "@context": AS_CONTEXT, id: newId(rosa.id, "undo"), type: "Undo", actor: rosa.id.href, object: at("/follows/1") } },
      { name: "an Announce of an object by URL", body: { "@context": AS_CONTEXT, id: newId(rosa.id, "announce"), type: "Announce", actor: rosa.id.href, object: at("/notes/3") } },
      { name: "a JSON-LD context on the trap", body: { ...follow(rosa.id), "@context": [AS_CONTEXT, at("/context.jsonld")] } },
    ];
    const answers: Record<string, string> = {};
    for (const { name, body } of activities) {
      const { status, text } = await answer(await signedPost(signer, "rosa", sharedInbox, body));
      answers[name] = `${status} ${text}`.trim();
    }
    expect(trap.hits).toEqual([]);
    expect(await stored()).toEqual(before);
    // Each is answered for good (never a 5xx, which its server would send again and again): refused,
    // or taken and dropped.
    expect(answers).toEqual({
      "an actor on the trap": "401 The signer and the actor do not match.",
      "a Create of an object by URL": "202",
      "a Create of an embedded Note whose id is on the trap": "202",
      "an Undo of an object by URL": "202",
      "an Announce of an object by URL": "202",
      "a JSON-LD context on the trap": `400 The activity names a document the press does not fetch: 127.0.0.1:${trap.port} is not a public address: Invalid or private address: 127.0.0.1`,
    });
  });

  it("does not take a follower whose actor names an inbox on such an address: no row, no Accept queued for it", async () => {
    const sneaky = follower.account("sneaky");
    const response = await signedPost(follower, "sneaky", writer.inbox, follow(sneaky.id));
    expect(response.status).toBeLessThan(500);
    const db = getDb();
    expect(await db.follower.count({ where: { actorId: sneaky.id.href } })).toBe(0);
    expect(await db.fediActivity.count({ where: { audience: { contains: `:${trap.port}` } } })).toBe(0);
    expect(trap.hits).toEqual([]);
  });
});

describe("HTML from other servers", () => {
  /** Every element and attribute of sanitized HTML, as a browser parses it. */
  function parsed(html: string) {
    const window = new Window();
    window.document.body.innerHTML = html;
    return [...window.document.body.querySelectorAll("*")].map((element) => ({ tag: element.tagName.toLowerCase(), attributes: Object.fromEntries([...element.attributes].map((attribute) => [attribute.name, attribute.value])) }));
  }

  /** What the press's pages may show of a remote post: plain formatting, and links to the web that say they are someone else's. */
  function expectInert(html: string, input: string) {
    for (const { tag, attributes } of parsed(html)) {
      expect(["p", "br", "a", "strong", "b", "em", "i", "u", "s", "code", "pre", "blockquote", "ul", "ol", "li"], input).toContain(tag);
      if (tag !== "a") expect(attributes, input).toEqual({});
      else {
        expect(Object.keys(attributes).sort(), input).toEqual(["href", "rel", "target"]);
        expect(new URL(attributes.href!).protocol, input).toMatch(/^https?:$/);
        expect(attributes.rel, input).toBe("nofollow ugc noopener");
      }
    }
  }

  const CORPUS: Array<[name: string, input: string, output: string]> = [
    ["a script", "<p>Hello <script>alert(1)</script>world</p>", "<p>Hello world</p>"],
    ["a script in capitals", "<SCRIPT>alert(1)</SCRIPT><P>x</P>", "<p>x</p>"],
    ["a script split around another", "<scr<script>ipt>alert(1)</script>", "ipt&gt;alert(1)"],
    ["a style sheet", "<style>body{display:none}</style><p>x</p>", "<p>x</p>"],
    ["an iframe", '<iframe src="https://evil.example/"></iframe><p>x</p>', "<p>x</p>"],
    ["object, embed, form, input, button", '<object data="javascript:alert(1)"></object><embed src="x.swf"><form action="https://evil.example/"><input name="q"><button>go</button></form>', "go"],
    ["base, meta refresh, link", '<base href="https://evil.example/"><meta http-equiv="refresh" content="0;url=javascript:alert(1)"><link rel="stylesheet" href="https://evil.example/x.css">text', "text"],
    ["event handlers and styles", '<p onclick="alert(1)" style="position:fixed" class="x" id="y">hi</p>', "<p>hi</p>"],
    ["an image with onerror", "<img src=x onerror=alert(1)>after", "after"],
    ["a javascript: link", '<a href="javascript:alert(1)">click</a>', "click"],
    ["a javascript: link spelled with entities", '<a href="&#106;avascript&#58;alert(1)">click</a>', "click"],
    ["a javascript: link split by a tab entity", '<a href="java&#x09;script:alert(1)">click</a>', "click"],
    ["a data: link", '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">click</a>', "click"],
    ["a relative link", '<a href="/settings/profile">click</a>', "click"],
    ["a web link with extra attributes", '<a href="https://example.com/a?b=1&amp;c=2" onclick="x" title="t" target="_self" rel="opener">ok</a>', '<a href="https://example.com/a?b=1&amp;c=2" rel="nofollow ugc noopener" target="_blank">ok</a>'],
    ["a quote breaking out of href", '<a href="https://example.com/&quot;onmouseover=&quot;alert(1)">x</a>', '<a href="https://example.com/%22onmouseover=%22alert(1)" rel="nofollow ugc noopener" target="_blank">x</a>'],
    ["svg with a script", "<svg><script>alert(1)</script><p>inside</p></svg><p>after</p>", "<p>after</p>"],
    ["math with a link", '<math><mi xlink:href="javascript:alert(1)">x</mi></math>y', "y"],
    ["noscript hiding markup in an attribute", '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>', ""],
    ["a template", "<template><script>alert(1)</script></template>z", "z"],
    ["a comment", "<!--<script>alert(1)</script>--><p>x</p>", "<p>x</p>"],
    ["unclosed tags", "<p><strong>bold <em>both</p>after", "<p><strong>bold <em>both</em></strong></p>after"],
    ["stray closing tags", "</div>text</strong>", "text"],
    ["a link inside a link", '<a href="https://x.example/">one<a href="https://y.example/">two</a></a>', '<a href="https://x.example/" rel="nofollow ugc noopener" target="_blank">one</a><a href="https://y.example/" rel="nofollow ugc noopener" target="_blank">two</a>'],
    ["entities", "&lt;script&gt;alert(1)&lt;/script&gt; &amp;amp; &quot;q&quot; &#x3C;b&#x3E;", "&lt;script&gt;alert(1)&lt;/script&gt; &amp;amp; &quot;q&quot; &lt;b&gt;"],
    // References read as a browser reads them: NUL as U+FFFD, &#x85; as the Windows-1252 ellipsis.
    ["control characters, typed or as references", "<p>a\u0000b\u0007c&#0;d&#x7f;e&#x85;f</p>", "<p>abc\ufffdde…f</p>"],
    // Last: it swallows whatever follows it.
    ["an unclosed iframe", "<p>x</p><iframe>everything after", "<p>x</p>"],
  ];

  for (const [name, input, output] of CORPUS) {
    it(`sanitizeRemoteHtml: ${name}`, () => {
      const html = sanitizeRemoteHtml(input);
      expect(html).toBe(output);
      expectInert(html, input);
    });
  }

  it("sanitizeRemoteHtml: keeps no link to an address the editor refuses, and no character published text may not hold", () => {
    for (const { url } of HOSTILE_URLS) {
      const html = sanitizeRemoteHtml(`<p><a href="${url.replace(/"/g, "&quot;")}">link</a></p>`);
      expectInert(html, url);
      for (const { attributes } of parsed(html)) expect(attributes.href ?? "", url).not.toMatch(/^(?:javascript|data|vbscript|file):/i);
    }
    for (const { name, text } of UNPUBLISHABLE_TEXT) {
      expect(sanitizeRemoteHtml(`<p>${text}</p>`), name).toBe("<p>Beforeafter</p>");
      expect(remoteText(`<p>${text}</p>`), name).toBe("Beforeafter");
    }
  });

  it("sanitizeRemoteHtml: reads at most MAX_REMOTE_HTML characters of a huge post, and closes what it cut", () => {
    const html = sanitizeRemoteHtml(`<blockquote><p>${"a".repeat(MAX_REMOTE_HTML)}TAIL</p></blockquote>`);
    expect(html).not.toContain("TAIL");
    expect(html.length).toBeLessThanOrEqual(MAX_REMOTE_HTML + "</p></blockquote>".length);
    expect(html.endsWith("</p></blockquote>")).toBe(true);
    // Cut in the middle of a character made of two halves: neither half is kept alone.
    const emoji = sanitizeRemoteHtml(`${"a".repeat(MAX_REMOTE_HTML - 1)}😀`);
    expect(emoji.length).toBe(MAX_REMOTE_HTML - 1);
    expect(/^a*$/.test(emoji)).toBe(true);
    // Thousands of nested tags: the first MAX_REMOTE_DEPTH are kept and closed, the text inside them all too.
    const deep = sanitizeRemoteHtml(`${"<b>".repeat(20_000)}deep${"</i>".repeat(1_000)}`);
    expect(deep).toBe(`${"<b>".repeat(MAX_REMOTE_DEPTH)}deep${"</b>".repeat(MAX_REMOTE_DEPTH)}`);
    expect(parsed(deep)).toHaveLength(MAX_REMOTE_DEPTH);
  });

  it("stores a signed reply full of hostile HTML with none of it: no script, handler, foreign link or control character, and no javascript: URL", async () => {
    const mallory = replier.account("mallory");
    const noteId = `${mallory.id.href}/notes/${Date.now().toString(36)}`;
    const hostile = CORPUS.map(([, input]) => input).join("\n");
    const create = {
      "@context": AS_CONTEXT,
      id: `${noteId}/activity`,
      type: "Create",
      actor: mallory.id.href,
      object: { id: noteId, type: "Note", attributedTo: mallory.id.href, inReplyTo: entry.article, content: `<p>A reply.</p>${hostile}`, url: "javascript:alert(document.cookie)", to: [`${AS_CONTEXT}#Public`], published: new Date().toISOString() },
    };
    expect((await signedPost(replier, "mallory", sharedInbox, create)).status).toBe(202);
    const stored = await getDb().response.findUniqueOrThrow({ where: { id: noteId } });
    expect(stored).toMatchObject({ entryId: entry.id, writerId: writer.id, actorId: mallory.id.href, status: "pending", url: null, handle: mallory.handle });
    expect(stored.html).toBe(sanitizeRemoteHtml(create.object.content));
    expect(stored.html.startsWith("<p>A reply.</p>")).toBe(true);
    expect(stored.html).toContain("<p>abc\ufffdde…f</p>");
    expectInert(stored.html, create.object.content);
    expect(stored.html).not.toMatch(/<script|<style|<iframe|onerror|onclick|javascript:|data:text|\u0000|\u0007/i);

    // Edited into something worse: the edit is sanitized the same way.
    const update = { ...create, id: `${noteId}/edit/1`, type: "Update", object: { ...create.object, content: '<p>Edited</p><img src=x onerror=alert(1)><a href="javascript:alert(1)">x</a>', updated: new Date().toISOString() } };
    expect((await signedPost(replier, "mallory", sharedInbox, update)).status).toBe(202);
    expect((await getDb().response.findUniqueOrThrow({ where: { id: noteId } })).html).toBe("<p>Edited</p>x");
  });
});

describe("what Mastodon asks for and accepts", () => {
  const MASTODON_FORMS = [
    "application/activity+json",
    'application/ld+json; profile="https://www.w3.org/ns/activitystreams"',
    "application/ld+json",
    // Mastodon's signed fetches, and its fetch of a resource that may be a page.
    "application/activity+json, application/ld+json",
    'application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams", text/html;q=0.1',
    'application/ld+json; profile="https://www.w3.org/ns/activitystreams"; q=0.9, application/activity+json; q=0.8, */*; q=0.1',
  ];
  const BROWSER_FORMS = ["text/html", "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8", "*/*", "text/html, application/activity+json;q=0.1"];

  const varies = (response: Response) => (response.headers.get("vary") ?? "").split(",").map((name) => name.trim().toLowerCase());

  it("answers the actor, the writer's page and the entry's page with JSON to every Accept form Mastodon sends, varying on Accept", async () => {
    for (const accept of MASTODON_FORMS) {
      for (const [url, id] of [
        [writer.actor, writer.actor],
        [`${server.url}/${writer.handle}`, writer.actor],
        [entry.url, entry.article],
        [entry.article, entry.article],
      ] as const) {
        const response = await fetch(url, { headers: { accept } });
        const where = `${url} as ${accept}`;
        expect(response.status, where).toBe(200);
        expect(response.headers.get("content-type"), where).toMatch(/^application\/(?:activity\+json|ld\+json)/);
        expect(varies(response), where).toContain("accept");
        const json = (await response.json()) as { id: string; "@context": unknown };
        expect(json.id, where).toBe(id);
        expect([json["@context"]].flat(), where).toContain(AS_CONTEXT);
      }
    }
  });

  it("answers a browser with the pages themselves, varying on Accept too, and the bare actor URL with a 406 that says what it is", async () => {
    for (const accept of BROWSER_FORMS) {
      for (const url of [`${server.url}/${writer.handle}`, entry.url]) {
        const response = await fetch(url, { headers: { accept } });
        const where = `${url} as ${accept}`;
        expect(response.status, where).toBe(200);
        expect(response.headers.get("content-type"), where).toBe("text/html; charset=utf-8");
        expect(varies(response), where).toEqual(expect.arrayContaining(["cookie", "accept"]));
        expect(await response.text(), where).toContain("Guarded Writer");
      }
      const actor = await fetch(writer.actor, { headers: { accept } });
      expect(actor.status, accept).toBe(406);
      expect(varies(actor), accept).toContain("accept");
      expect(await actor.text()).toBe("This is an ActivityPub document: ask for it as application/activity+json.\n");
    }
    // The page cache answers a revalidation the same way.
    const first = await fetch(entry.url, { headers: { accept: "text/html" } });
    const again = await fetch(entry.url, { headers: { accept: "text/html", "if-none-match": first.headers.get("etag")! } });
    expect(again.status).toBe(304);
    expect(varies(again)).toEqual(expect.arrayContaining(["cookie", "accept"]));
  });

  it("serves an actor with what Mastodon requires: contexts, username, inbox, outbox, followers, shared inbox and an RSA key it owns", async () => {
    const actor = (await (await fetch(writer.actor, { headers: { accept: AS } })).json()) as Record<string, any>;
    expect(actor["@context"]).toEqual(expect.arrayContaining([AS_CONTEXT, "https://w3id.org/security/v1"]));
    expect(actor).toMatchObject({
      id: writer.actor,
      type: "Person",
      preferredUsername: writer.handle,
      name: "Guarded Writer",
      inbox: writer.inbox,
      outbox: `${writer.actor}/outbox`,
      followers: `${writer.actor}/followers`,
      endpoints: { sharedInbox },
      url: `${server.url}/${writer.handle}`,
      publicKey: { id: expect.stringMatching(new RegExp(`^${writer.actor}#`)), owner: writer.actor, publicKeyPem: expect.stringMatching(/^-----BEGIN PUBLIC KEY-----\n[\s\S]+\n-----END PUBLIC KEY-----\n?$/) },
    });
    // Mastodon reads the key to check signatures: it must be the RSA key the press signs with.
    const key = await crypto.subtle.importKey("spki", Buffer.from(actor.publicKey.publicKeyPem.replace(/-----[^-]+-----|\s/g, ""), "base64"), { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, true, ["verify"]);
    expect(key.algorithm.name).toBe("RSASSA-PKCS1-v1_5");
    for (const url of [actor.inbox, actor.outbox, actor.followers, actor.endpoints.sharedInbox]) expect(new URL(url).origin).toBe(server.url);
  });

  it("answers WebFinger as Mastodon resolves accounts: an acct: subject and a self link of an ActivityStreams type", async () => {
    const host = new URL(server.url).host;
    // Mastodon asks for acct:user@host and follows the self link; asked by the actor's URL, the answer names the same account.
    for (const resource of [`acct:${writer.handle}@${host}`, writer.actor]) {
      const response = await fetch(`${server.url}/.well-known/webfinger?resource=${encodeURIComponent(resource)}`);
      expect(response.status, resource).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/^application\/jrd\+json/);
      const jrd = (await response.json()) as { subject: string; aliases?: string[]; links: Array<{ rel: string; type?: string; href?: string }> };
      expect([jrd.subject, ...(jrd.aliases ?? [])], resource).toEqual(expect.arrayContaining([`acct:${writer.handle}@${host}`, writer.actor]));
      const self = jrd.links.filter((link) => link.rel === "self");
      expect(self.map((link) => link.href)).toEqual(self.map(() => writer.actor));
      expect(self.map((link) => link.type)).toEqual(expect.arrayContaining([expect.stringMatching(/^application\/activity\+json$|^application\/ld\+json; profile="https:\/\/www\.w3\.org\/ns\/activitystreams"$/)]));
      expect(jrd.links.find((link) => link.rel === "http://webfinger.net/rel/profile-page")?.href).toBe(`${server.url}/${writer.handle}`);
    }
    expect((await fetch(`${server.url}/.well-known/webfinger?resource=acct:nobody-here@${host}`)).status).toBe(404);
  });

  it("renders an entry as the Article Mastodon shows: title, whole essay with absolute links, summary, dates, page, author, audience and its proof", async () => {
    const article = (await (await fetch(entry.url, { headers: { accept: AS } })).json()) as Record<string, any>;
    const db = getDb();
    const row = await db.entry.findUniqueOrThrow({ where: { id: entry.id } });
    expect(article).toMatchObject({
      id: entry.article,
      type: "Article",
      name: "On walls",
      summary: row.excerpt,
      attributedTo: writer.actor,
      to: "as:Public",
      cc: `${writer.actor}/followers`,
      mediaType: "text/html",
      published: row.publishedAt.toISOString().replace(/\.000Z$/, "Z"),
    });
    expect(article.updated).toBeUndefined();
    // The page first, as Mastodon links the first text/html URL; then the proof.
    const urls = [article.url].flat() as Array<{ href: string; mediaType?: string; rel?: string }>;
    expect(urls[0]).toMatchObject({ href: entry.url, mediaType: "text/html" });
    expect(urls).toEqual(expect.arrayContaining([expect.objectContaining({ href: `${server.url}/verify/${entry.arweaveId}`, rel: "proof" })]));
    const content = new Window().document;
    content.body.innerHTML = article.content;
    expect(content.body.textContent).toContain("An essay with a link and a figure.");
    const links = [...content.body.querySelectorAll("[href], [src]")].map((element) => element.getAttribute("href") ?? element.getAttribute("src")!);
    expect(links.length).toBeGreaterThanOrEqual(4);
    for (const link of links) expect(URL.canParse(link), link).toBe(true);
    expect(links).toEqual(expect.arrayContaining([`${getEnv().storage.gatewayUrl}/${ARWEAVE_ID}`, entry.url, `${server.url}/verify/${entry.arweaveId}`]));
  });

  it("gives the Article an updated time once a new version is published, and its new text", async () => {
    const db = getDb();
    const env = getEnv();
    const account = privateKeyToAccount(generatePrivateKey());
    const { id } = await writerOf(db, account);
    await updateProfile(db, id, { handle: `revised${id.slice(-6)}`, displayName: "Revising Writer", bio: "" });
    const first = await publishEntry(db, env, account, { title: "First thoughts", document: essayDocument({ words: 40, seed: 1 }) });
    const url = `${server.url}/ap/entries/${first.entryId}`;
    const before = (await (await fetch(url, { headers: { accept: AS } })).json()) as Record<string, any>;
    expect(before.updated).toBeUndefined();
    await publishRevision(db, env, account, first.draftId, { title: "Second thoughts", document: essayDocument({ words: 40, seed: 2 }) }, new Date(Date.now() + 2_000));
    const after = (await (await fetch(url, { headers: { accept: AS } })).json()) as Record<string, any>;
    expect(after.name).toBe("Second thoughts");
    expect(after.published).toBe(before.published);
    expect(Date.parse(after.updated)).toBeGreaterThan(Date.parse(after.published));
    expect(after.content).not.toBe(before.content);
  });
});

describe("secrets", () => {
  it("never shows a private key: not in the actor, its collections, WebFinger, NodeInfo, the Article or the pages", async () => {
    const keys = await getDb().actorKey.findMany({ where: { writerId: writer.id } });
    expect(keys.map((key) => key.algorithm).sort()).toEqual(["Ed25519", "RSASSA-PKCS1-v1_5"]);
    const secrets = keys.flatMap((key) => {
      const jwk = JSON.parse(key.privateJwk) as Record<string, string>;
      return ["d", "p", "q", "dp", "dq", "qi"].map((name) => jwk[name]).filter((value): value is string => typeof value === "string");
    });
    expect(secrets.length).toBeGreaterThanOrEqual(7);
    const host = new URL(server.url).host;
    const responses = await Promise.all(
      [
        [writer.actor, AS],
        [`${writer.actor}/outbox`, AS],
        [`${writer.actor}/outbox?cursor=0`, AS],
        [`${writer.actor}/followers`, AS],
        [`${server.url}/.well-known/webfinger?resource=acct:${writer.handle}@${host}`, "application/jrd+json"],
        [`${server.url}/.well-known/nodeinfo`, "application/json"],
        [`${server.url}/nodeinfo/2.1`, "application/json"],
        [entry.article, AS],
        [`${server.url}/${writer.handle}`, "text/html"],
        [entry.url, "text/html"],
      ].map(async ([url, accept]) => ({ url, status: (await fetch(url!, { headers: { accept: accept! } })).status, text: await (await fetch(url!, { headers: { accept: accept! } })).text() })),
    );
    for (const { url, status, text } of responses) {
      expect(status, url).toBe(200);
      expect(text, url).not.toMatch(/PRIVATE KEY|privateKey|privateJwk|"d"\s*:/);
      for (const secret of secrets) expect(text.includes(secret), url).toBe(false);
    }
  });
});

describe.runIf(databaseProviders().includes("postgres"))("the same inbox on PostgreSQL", () => {
  let database: TestDatabase;
  let db: Database;
  let press: { url: string; stop(): Promise<void> };
  let remote: Peer;
  let target: { actor: string; inbox: string; article: string };
  beforeAll(async () => {
    database = await freshDatabase("postgres");
    await deployMigrations(database.url);
    db = createDatabase(database.url);
    // A name with a NUL, which a PostgreSQL text column cannot hold at all.
    remote = await startPeer(["nul"], { actors: { nul: { name: "Nul\u0000Remote" } } });
    press = await startChildServer({ DATABASE_URL: database.url, FEDERATION_TEST_ORIGINS: remote.origin, FEDERATION_INBOX_PER_MINUTE: "3", PUBLIC_URL: "" });
    const account = privateKeyToAccount(generatePrivateKey());
    const { id } = await writerOf(db, account);
    await updateProfile(db, id, { handle: `pg${id.slice(-6)}`, displayName: "Postgres Writer", bio: "" });
    const published = await publishEntry(db, getEnv(), account, { title: "On rows", document: essayDocument({ words: 40, seed: 9 }) });
    const actor = `${press.url}/ap/users/${id}`;
    target = { actor, inbox: `${actor}/inbox`, article: `${press.url}/ap/entries/${published.entryId}` };
  });
  afterAll(async () => {
    await press?.stop();
    await remote?.stop();
    await db?.$disconnect();
    await database?.drop();
  });

  it("refuses the unsigned, takes a follower and a reply both signed (draft-cavage, RFC 9421) without the NULs they carry, and limits the rate", async () => {
    const left = 60_000 - (Date.now() % 60_000);
    if (left < 5_000) await new Promise((resolve) => setTimeout(resolve, left + 50));
    const nul = remote.account("nul");
    const followActivity = { "@context": AS_CONTEXT, id: newId(nul.id, "follow"), type: "Follow", actor: nul.id.href, object: target.actor };
    expect((await fetch(target.inbox, { method: "POST", headers: { "content-type": AS }, body: JSON.stringify(followActivity) })).status).toBe(401);
    expect((await signedPost(remote, "nul", target.inbox, followActivity)).status).toBe(202);
    expect(await db.follower.findFirstOrThrow({ where: { actorId: nul.id.href } })).toMatchObject({ name: "NulRemote", inbox: nul.inbox.href });

    const noteId = `${nul.id.href}/notes/1`;
    const reply = { "@context": AS_CONTEXT, id: `${noteId}/activity`, type: "Create", actor: nul.id.href, object: { id: noteId, type: "Note", attributedTo: nul.id.href, inReplyTo: target.article, content: "<p>Nul\u0000here<script>alert(1)</script></p>" } };
    expect((await signedPost(remote, "nul", `${press.url}/ap/inbox`, reply, { spec: "rfc9421" })).status).toBe(202);
    expect(await db.response.findUniqueOrThrow({ where: { id: noteId } })).toMatchObject({ html: "<p>Nulhere</p>", name: "NulRemote" });

    const like = { "@context": AS_CONTEXT, id: newId(nul.id, "like"), type: "Like", actor: nul.id.href, object: target.article };
    expect((await signedPost(remote, "nul", `${press.url}/ap/inbox`, like)).status).toBe(202);
    const refused = await signedPost(remote, "nul", `${press.url}/ap/inbox`, { ...like, id: newId(nul.id, "like") });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await db.reaction.count({ where: { actorId: nul.id.href } })).toBe(1);
  });
});
