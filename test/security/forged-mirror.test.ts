/**
 * Forged Mirror entries. Mirror's scheme proves which wallet signed an entry, never that the wallet
 * may speak for the contributor it names: anyone can sign a key authorization with a fresh wallet
 * and post it under anyone's `Contributor` and `Original-Content-Digest` tags. Each attack here is
 * built in the test with fresh keys, posted to the local gateway and imported as the script does.
 */
import { execFile } from "node:child_process";
import crypto from "node:crypto";
import path from "node:path";
import { promisify } from "node:util";
import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb, type Database } from "~/db.server";
import { getEnv } from "~/env.server";
import { importMirror } from "~/modules/entries/import-mirror.server";
import { postMirrorEntry, signMirrorEntry } from "../support/mirror";
import { Browser, signedInBrowser, startTestServer } from "../support/web";

const ROOT = path.resolve(__dirname, "../..");

let server: Awaited<ReturnType<typeof startTestServer>>;
let db: Database;
let reader: Browser;

const fresh = () => privateKeyToAccount(generatePrivateKey());
const unique = (label: string) => `${label} ${crypto.randomBytes(4).toString("hex")}`;
const now = () => Math.floor(Date.now() / 1000);

/** A writer who has picked a handle here, so their page and feeds exist. */
async function writerWithHandle(account: PrivateKeyAccount) {
  const handle = `m-${crypto.randomBytes(4).toString("hex")}`;
  await db.writer.create({ data: { address: account.address.toLowerCase(), handle, displayName: unique("Writer") } });
  return handle;
}

/** Signs a Mirror entry as `signer` naming `contributor`, posts it under the post's tags; its Arweave id and JSON. */
async function publishOnMirror(signer: PrivateKeyAccount, contributor: `0x${string}`, content: { title: string; body: string; timestamp: number }, originalDigest?: string) {
  const json = await signMirrorEntry(signer, { ...content, timestamp: String(content.timestamp) }, contributor);
  const id = await postMirrorEntry(JSON.stringify(json), originalDigest ?? json.digest);
  return { id, json };
}

/** Where a reader finds one writer's entries; the site-wide pages list others' too (other test files write to the same database). */
const writerPlaces = (handle: string) => [`/${handle}`, `/${handle}/rss.xml`, `/${handle}/atom.xml`, `/${handle}/feed.json`, "/sitemap.xml"];
const everyPlace = (handle: string) => ["/", "/rss.xml", "/atom.xml", "/feed.json", ...writerPlaces(handle)];

/** The places among everyPlace that name an entry, by its title or by its address (the sitemap lists addresses only). */
async function placesShowing(handle: string, entry: { title: string; slug: string }) {
  const pages = await Promise.all(everyPlace(handle).map(async (where) => ({ where, text: await (await reader.fetch(where)).text() })));
  const names = (text: string) => text.includes(entry.title) || text.includes(`/${handle}/${entry.slug}<`) || text.includes(`/${handle}/${entry.slug}"`);
  return pages.filter((page) => names(page.text)).map((page) => page.where);
}

/** The writer's choice on a held import, posted as the review page's form posts it. */
const review = (browser: Browser, originalDigest: string, intent: string, headers: Record<string, string> = {}) =>
  browser.fetch(`/settings/imports/${originalDigest}`, { method: "POST", body: new URLSearchParams({ intent }), headers });

const slugOf = async (originalDigest: string) => (await db.entry.findUniqueOrThrow({ where: { originalDigest }, select: { slug: true } })).slug;

beforeAll(async () => {
  server = await startTestServer();
  db = getDb();
  reader = new Browser(server.url);
});
afterAll(() => server?.stop());

describe("a forged newer revision", () => {
  it("of a writer's own post does not supersede it: the page shows the genuine title and body", async () => {
    const writer = fresh();
    const handle = await writerWithHandle(writer);
    const genuine = await publishOnMirror(writer, writer.address, { title: unique("The genuine essay"), body: "Words the writer signed.", timestamp: now() - 3600 });
    const forged = await publishOnMirror(fresh(), writer.address, { title: unique("The forged essay"), body: "Words a forger signed.", timestamp: now() }, genuine.json.digest);

    const report = await importMirror(db, getEnv(), writer.address);
    expect(report.imported.map((item) => item.arweaveId)).toEqual([genuine.id]);
    expect(report.skipped.find((item) => item.arweaveId === forged.id)?.reason).toMatch(/^signed by 0x[0-9a-fA-F]{40}, not the contributor; membership unknown; the version .+ signed by the contributor was imported instead$/);

    const page = await reader.fetch(`/${handle}/${await slugOf(genuine.json.digest)}`);
    expect(page.status).toBe(200);
    const text = await page.text();
    expect(text).toContain(genuine.json.content.title);
    expect(text).toContain("Words the writer signed.");
    expect(text).not.toContain("Words a forger signed.");
  });

  it("of a publication's post, signed by a stranger, is held for review and never published as the publication's", async () => {
    const publication = fresh();
    const member = fresh();
    const handle = await writerWithHandle(publication);
    const genuine = await publishOnMirror(member, publication.address, { title: unique("A member's essay"), body: "A member wrote this.", timestamp: now() - 3600 });
    const forged = await publishOnMirror(fresh(), publication.address, { title: unique("A stranger's essay"), body: "A stranger wrote this.", timestamp: now() }, genuine.json.digest);

    const report = await importMirror(db, getEnv(), publication.address);
    expect(report.imported).toHaveLength(1);
    expect(report.imported[0]!.verification).toMatch(/^signed by 0x[0-9a-fA-F]{40}, not the contributor; membership unknown$/);
    const slug = await slugOf(genuine.json.digest);
    expect(await placesShowing(handle, { title: genuine.json.content.title, slug })).toEqual([]);
    expect(await placesShowing(handle, { title: forged.json.content.title, slug })).toEqual([]);
    expect((await reader.fetch(`/${handle}/${slug}`)).status).toBe(404);
  });
});

describe("a brand-new forged post under a solo writer's address", () => {
  it("is kept off their page, the home page, their RSS, Atom and JSON feeds and the sitemap, and its URL is 404, until the writer accepts it", async () => {
    const writer = fresh();
    const handle = await writerWithHandle(writer);
    const own = await publishOnMirror(writer, writer.address, { title: unique("My own essay"), body: "I wrote this.", timestamp: now() - 60 });
    const forged = await publishOnMirror(fresh(), writer.address, { title: unique("Send your keys"), body: "A forger wrote this.", timestamp: now() });

    await importMirror(db, getEnv(), writer.address);
    const forgedEntry = { title: forged.json.content.title, slug: await slugOf(forged.json.digest) };
    const ownEntry = { title: own.json.content.title, slug: await slugOf(own.json.digest) };
    // Read twice, so the second answer can come from the page cache.
    for (let i = 0; i < 2; i++) {
      expect(await placesShowing(handle, forgedEntry)).toEqual([]);
      expect(await placesShowing(handle, ownEntry)).toEqual(expect.arrayContaining(writerPlaces(handle)));
    }
    const url = `/${handle}/${forgedEntry.slug}`;
    expect((await reader.fetch(url)).status).toBe(404);
    expect((await (await signedInBrowser(server.url, fresh())).fetch(url)).status).toBe(404);

    const browser = await signedInBrowser(server.url, writer);
    const accepted = await review(browser, forged.json.digest, "accept");
    expect(accepted.status).toBe(303);

    const page = await reader.fetch(url);
    expect(page.status).toBe(200);
    const text = await page.text();
    expect(text).toContain("A forger wrote this.");
    // Accepted, it is public with its honest verdict, never "verified".
    expect(text).toMatch(/data-testid="verdict"[^>]*data-state="signed-by-other"/);
    expect(text).toContain(`not the contributor; membership unknown`);
    expect(await placesShowing(handle, forgedEntry)).toEqual(expect.arrayContaining(writerPlaces(handle)));
  });
});

describe("the proof of a forged entry", () => {
  let forgedId: string;
  let signer: PrivateKeyAccount;
  beforeAll(async () => {
    signer = fresh();
    forgedId = (await publishOnMirror(signer, fresh().address, { title: unique("Proof of nothing"), body: "Signed by someone else.", timestamp: now() })).id;
  });

  it("says Not verified, signed by 0x…, not the contributor; membership unknown, in its own amber state, with HTTP 200", async () => {
    const page = await reader.fetch(`/verify/${forgedId}`);
    expect(page.status).toBe(200);
    const text = await page.text();
    expect(text).toContain("<title>Not verified · Proof · Permanent Press</title>");
    expect(text).toMatch(/<h1 data-testid="verdict" class="warning" data-state="signed-by-other">Not verified<\/h1>/);
    expect(text).toContain(`signed by ${signer.address}, not the contributor; membership unknown`);
    expect(text).not.toMatch(/>Verified</);
  });

  it("makes npm run verify exit non-zero and report the signer as unproven", async () => {
    const run = promisify(execFile)(path.join(ROOT, "node_modules/.bin/tsx"), ["scripts/verify.ts", forgedId], { cwd: ROOT, env: process.env });
    const failure = (await run.then(() => undefined, (error: { code: number; stdout: string }) => error))!;
    expect(failure?.code).toBe(1);
    expect(failure.stdout).toContain(`NOT VERIFIED  ${forgedId}`);
    expect(failure.stdout).toContain(`signed by ${signer.address}, not the contributor; membership unknown`);
  });
});

describe("reviewing held imports", () => {
  let writer: PrivateKeyAccount;
  let handle: string;
  let held: { id: string; json: Awaited<ReturnType<typeof signMirrorEntry>> };
  let forger: PrivateKeyAccount;
  beforeAll(async () => {
    writer = fresh();
    forger = fresh();
    handle = await writerWithHandle(writer);
    held = await publishOnMirror(forger, writer.address, { title: unique("Held for review"), body: "Who signed this?", timestamp: now() });
    await importMirror(db, getEnv(), writer.address);
  });

  it("shows the writer each held entry, what it says, who signed it and why it is held", async () => {
    const page = await (await signedInBrowser(server.url, writer)).fetch("/settings/imports");
    expect(page.status).toBe(200);
    const text = await page.text();
    expect(text).toContain(held.json.content.title);
    expect(text).toContain("<p>Who signed this?</p>");
    expect(text).toContain(`signed by ${forger.address}, not the contributor; membership unknown`);
    expect(text).toContain("Not signed by you");
    expect(text).toContain(`href="/verify/${held.id}"`);
  });

  it("refuses another signed-in writer (404), a request from another site (403) and an unknown choice (400), changing nothing", async () => {
    const other = await signedInBrowser(server.url, fresh());
    expect((await review(other, held.json.digest, "accept")).status).toBe(404);
    const own = await signedInBrowser(server.url, writer);
    expect((await review(own, held.json.digest, "accept", { origin: "https://evil.example" })).status).toBe(403);
    const unknown = await review(own, held.json.digest, "publish");
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toContain("Choose to accept or discard");
    expect((await reader.fetch(`/${handle}/${await slugOf(held.json.digest)}`)).status).toBe(404);
  });

  it("discards an entry the writer did not write: it is gone from their review and from every page", async () => {
    const own = await signedInBrowser(server.url, writer);
    const slug = await slugOf(held.json.digest);
    const discarded = await review(own, held.json.digest, "discard");
    expect(discarded.status).toBe(303);
    expect(await (await own.fetch("/settings/imports")).text()).not.toContain(held.json.content.title);
    expect((await reader.fetch(`/${handle}/${slug}`)).status).toBe(404);
    expect(await placesShowing(handle, { title: held.json.content.title, slug })).toEqual([]);
  });
});
