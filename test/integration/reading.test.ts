import crypto from "node:crypto";
import { gzipSync } from "node:zlib";
import { parseAtomFeed, parseJsonFeed, parseRssFeed } from "feedsmith";
import { Window, type Element } from "happy-dom";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb, type Database } from "~/db.server";
import { getEnv } from "~/env.server";
import { VALIDATION_MS } from "~/modules/reading/page-validator.server";
import { parseDocument } from "~/modules/entries/document.server";
import { editionRow } from "../support/editions";
import { publishEntry } from "../support/entries";
import { decodePng, distinctColours, pngHeader, PNG_SIGNATURE } from "../support/png";
import { xmlError } from "../support/xml";
import { Browser, runnableScripts, signedInBrowser, startTestServer } from "../support/web";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What browsers and shared caches are told of everything anyone reads alike: browsers revalidate every time, shared caches keep it 30 s. */
const SHARED = "public, max-age=0, s-maxage=30";

let server: Awaited<ReturnType<typeof startTestServer>>;
let db: Database;
let reader: Browser;
const window = new Window();
const parser = new window.DOMParser();

const essay = (title: string, text: string) => ({
  title,
  document: parseDocument({
    type: "doc",
    content: [
      { type: "heading", attrs: { level: 2 }, content: [{ type: "text", text: "Where it starts" }] },
      { type: "paragraph", content: [{ type: "text", text }] },
    ],
  }),
});

async function newWriter(displayName: string) {
  const account = privateKeyToAccount(generatePrivateKey());
  const handle = `r-${crypto.randomBytes(4).toString("hex")}`;
  await db.writer.create({ data: { address: account.address.toLowerCase(), handle, displayName, bio: "Writes about <things> & time." } });
  return { account, handle };
}

let alice: Awaited<ReturnType<typeof newWriter>>;
let bob: Awaited<ReturnType<typeof newWriter>>;
const published: { handle: string; slug: string; arweaveId: string; title: string; text: string }[] = [];

beforeAll(async () => {
  server = await startTestServer();
  db = getDb();
  reader = new Browser(server.url);
  alice = await newWriter("Alice Archivist");
  bob = await newWriter("Bob");
  const essays = [
    { writer: alice, title: "On Permanence", text: "Words that stay where they are put, & a <tag> that is only text ]]> too." },
    { writer: alice, title: "The Second Letter", text: "A later letter about ledgers and libraries." },
    { writer: bob, title: "Bob Writes Once", text: "Only one essay from Bob so far." },
  ];
  for (const [i, e] of essays.entries()) {
    const result = await publishEntry(db, getEnv(), e.writer.account, essay(e.title, e.text), new Date(Date.now() - (essays.length - i) * 60_000));
    published.push({ handle: e.writer.handle, slug: result.slug, arweaveId: result.arweaveId, title: e.title, text: e.text });
  }
});
afterAll(async () => {
  await server?.stop();
});

const html = (text: string) => parser.parseFromString(text, "text/html");
const meta = (doc: ReturnType<typeof html>, key: string) => doc.querySelector(`meta[property="${key}"], meta[name="${key}"]`)?.getAttribute("content");

/** XML that a conforming parser accepts (happy-dom reads past characters XML forbids), as a document to walk. */
async function xml(text: string) {
  expect(xmlError(text), "well-formed XML").toBeNull();
  return parser.parseFromString(text, "application/xml");
}

const jsonLd = (doc: ReturnType<typeof html>) => [...doc.querySelectorAll('script[type="application/ld+json"]')].map((script) => JSON.parse(script.textContent!));

const children = (parent: Element, name: string) => [...parent.children].filter((c) => c.tagName === name);
const child = (parent: Element, name: string) => children(parent, name)[0];

describe("reading pages", () => {
  it("serves the entry page as plain HTML with its essay, canonical link and share tags, and no client bundle", async () => {
    const [first] = published;
    const response = await reader.fetch(`/${first!.handle}/${first!.slug}`);
    expect(response.status).toBe(200);
    const text = await response.text();
    const doc = html(text);
    expect(doc.title).toBe("On Permanence · Alice Archivist");
    expect(doc.querySelector(".prose")!.textContent).toContain(first!.text);
    const url = `${server.url}/${first!.handle}/${first!.slug}`;
    expect(doc.querySelector('link[rel="canonical"]')!.getAttribute("href")).toBe(url);
    expect(meta(doc, "og:type")).toBe("article");
    expect(meta(doc, "og:url")).toBe(url);
    expect(meta(doc, "og:title")).toBe("On Permanence · Alice Archivist");
    expect(meta(doc, "og:image")).toBe(`${url}/card.png`);
    expect(meta(doc, "twitter:card")).toBe("summary_large_image");
    expect(meta(doc, "description")).toContain("Words that stay");
    // Farcaster shows a 3:2 card with a button; an entry that cannot be collected (yet) says Read.
    const embed = { version: "1", imageUrl: `${url}/card-3x2.png`, button: { title: "Read", action: { type: "launch_miniapp", url, name: "Permanent Press" } } };
    expect(JSON.parse(meta(doc, "fc:miniapp")!)).toEqual(embed);
    expect(JSON.parse(meta(doc, "fc:frame")!)).toEqual({ ...embed, button: { ...embed.button, action: { ...embed.button.action, type: "launch_frame" } } });
    const card = await reader.fetch(`/${first!.handle}/${first!.slug}/card-3x2.png`);
    expect(card.headers.get("content-type")).toBe("image/png");
    expect(pngHeader(Buffer.from(await card.arrayBuffer()))).toMatchObject({ width: 1200, height: 800 });
    // Search engines read the essay as a schema.org Article; nothing on the page runs.
    expect(jsonLd(doc)).toEqual([
      {
        "@context": "https://schema.org",
        "@type": "Article",
        headline: "On Permanence",
        description: meta(doc, "description"),
        url,
        mainEntityOfPage: url,
        image: `${url}/card.png`,
        author: { "@type": "Person", name: "Alice Archivist", url: `${server.url}/${first!.handle}` },
        publisher: { "@type": "Organization", name: "Permanent Press" },
        datePublished: meta(doc, "article:published_time"),
        dateModified: meta(doc, "article:published_time"),
        wordCount: expect.any(Number),
        sameAs: `${getEnv().storage.gatewayUrl}/${first!.arweaveId}`,
      },
    ]);
    expect(runnableScripts(text)).toEqual([]);
    expect(text).not.toContain("modulepreload");
    // The subscribe form posts without JavaScript.
    expect(doc.querySelector(`form[method="post"][action="/subscribe/${first!.handle}"] input[name="email"]`)).not.toBeNull();
  });

  it("loads one small script, not the React client, on an entry page with an edition to collect", async () => {
    const second = published[1]!;
    const entry = await db.entry.findFirstOrThrow({ where: { slug: second.slug, writer: { handle: second.handle } } });
    const address = alice.account.address.toLowerCase();
    await editionRow(db, { entryId: entry.id, author: address, address, name: second.title, contentId: second.arweaveId });
    const text = await (await reader.fetch(`/${second.handle}/${second.slug}`)).text();
    expect(text).not.toContain("modulepreload");
    const scripts = runnableScripts(text);
    expect(scripts).toHaveLength(1);
    const src = /src="(\/build\/scripts\/edition-[\w]+\.js)"/.exec(scripts[0]!)?.[1];
    expect(src).toBeDefined();
    const script = await reader.fetch(src!);
    expect(script.status).toBe(200);
    expect(script.headers.get("content-type")).toMatch(/javascript/);
    expect(script.headers.get("cache-control")).toMatch(/immutable/);
    // The reader downloads a few kilobytes for Collect, not the React client (~100 KB gzip).
    expect(gzipSync(Buffer.from(await script.arrayBuffer())).length).toBeLessThan(4 * 1024);
    // Without JavaScript the button is there but disabled, with a word on why.
    const form = html(text).querySelector("form.collect")!;
    expect(form.querySelector("button")!.textContent).toContain("Collect for free");
    expect(form.querySelector("button")!.hasAttribute("disabled")).toBe(true);
    expect(form.querySelector("noscript")!.textContent).toContain("Collecting needs a wallet");
    expect(JSON.parse(meta(html(text), "fc:miniapp")!).button.title).toBe("Collect");
  });

  it("caches the entry page for anonymous readers and answers 304 to a matching ETag", async () => {
    const [first] = published;
    const path = `/${first!.handle}/${first!.slug}`;
    const response = await reader.fetch(path);
    expect(response.headers.get("cache-control")).toBe(SHARED);
    // A CDN in front keys its copy on the cookie too (a signed-in writer never gets the anonymous one),
    // and on Accept (the same URL answers the social web with the entry as ActivityStreams).
    expect(response.headers.get("vary")).toBe("Cookie, Accept");
    const etag = response.headers.get("etag");
    expect(etag).toMatch(/^"[\w-]+"$/);

    const revalidated = await reader.fetch(path, { headers: { "if-none-match": etag! } });
    expect(revalidated.status).toBe(304);
    expect(revalidated.headers.get("etag")).toBe(etag);
    expect(revalidated.headers.get("vary")).toBe("Cookie, Accept");
    expect(await revalidated.text()).toBe("");

    const stale = await reader.fetch(path, { headers: { "if-none-match": '"something-else"' } });
    expect(stale.status).toBe(200);

    // Another version of the page is another representation.
    const older = await reader.fetch(`${path}?version=1`, { headers: { "if-none-match": etag! } });
    expect(older.status).toBe(200);
    expect(older.headers.get("etag")).not.toBe(etag);

    const signedIn = await reader.fetch(path, { headers: { cookie: "press_session=not-a-session", "if-none-match": etag! } });
    expect(signedIn.status).toBe(200);
    expect(signedIn.headers.get("cache-control")).toBe("private, no-store");
    expect(signedIn.headers.get("vary")).toBe("Cookie, Accept");
    expect(signedIn.headers.get("etag")).toBeNull();
  });

  it("answers anonymous readers from the page cache, and never with a page older than what it shows", async () => {
    const third = published[2]!;
    const path = `/${third.handle}/${third.slug}`;
    const first = await reader.fetch(path);
    const etag = first.headers.get("etag")!;
    const body = await first.text();
    expect(server.pages.get(path, etag)?.body.toString()).toBe(body);
    expect(first.headers.get("x-page-cache")).toBe("miss");
    const again = await reader.fetch(path);
    expect(again.headers.get("x-page-cache")).toBe("hit");
    expect(again.headers.get("etag")).toBe(etag);
    expect(again.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(again.headers.get("cache-control")).toBe(SHARED);
    expect(again.headers.get("vary")).toBe("Cookie, Accept");
    expect(await again.text()).toBe(body);
    expect((await reader.fetch(path, { headers: { "if-none-match": etag } })).status).toBe(304);
    // A link shared with tracking parameters is the same page, and shares its copy.
    const pagesKept = server.pages.size;
    const tracked = await reader.fetch(`${path}?utm_source=newsletter&fbclid=abc`);
    expect(tracked.headers.get("x-page-cache")).toBe("hit");
    expect(tracked.headers.get("etag")).toBe(etag);
    expect(await tracked.text()).toBe(body);
    expect(server.pages.size).toBe(pagesKept);
    const head = await reader.fetch(path, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");

    // The writer renames themselves: the next reader sees the new name at once.
    const writer = await db.writer.findFirstOrThrow({ where: { handle: third.handle } });
    await db.writer.update({ where: { id: writer.id }, data: { displayName: "Robert" } });
    server.changed(); // as the web process does after the request that renamed them
    const renamedResponse = await reader.fetch(path);
    expect(renamedResponse.headers.get("x-page-cache")).toBe("miss");
    const renamed = html(await renamedResponse.text());
    expect(renamed.querySelector(".byline a")!.textContent).toBe("Robert");

    // The essay reaches Arweave: its version says so.
    const entry = await db.entry.findFirstOrThrow({ where: { slug: third.slug, writer: { handle: third.handle } } });
    for (const status of ["uploaded", "confirmed"]) {
      await db.entryVersion.updateMany({ where: { entryId: entry.id }, data: { status } });
      server.changed();
      expect(html(await (await reader.fetch(path)).text()).querySelector(".versions li")!.getAttribute("data-status")).toBe(status);
    }

    // It becomes collectible, then someone collects it.
    const address = bob.account.address.toLowerCase();
    const edition = await editionRow(db, { entryId: entry.id, author: address, address: `0x${"b".repeat(40)}`, name: third.title, contentId: third.arweaveId, salt: `0x${"1".repeat(64)}`, terms: { supplyLimit: 5 } });
    server.changed();
    expect(html(await (await reader.fetch(path)).text()).querySelector("[data-testid=supply]")!.textContent).toBe("0 collected of 5");
    // The worker's indexer records a sale: a change made by another process shows within VALIDATION_MS.
    await db.edition.update({ where: { id: edition.id }, data: { status: "live", minted: 1 } });
    await sleep(VALIDATION_MS);
    expect(html(await (await reader.fetch(path)).text()).querySelector("[data-testid=supply]")!.textContent).toBe("1 collected of 5");
    await db.edition.update({ where: { id: edition.id }, data: { supplyLimit: 3 } });
    server.changed();
    expect(html(await (await reader.fetch(path)).text()).querySelector("[data-testid=supply]")!.textContent).toBe("1 collected of 3");
  });

  it("serves a signed-in reader the page kept for everyone with their own account links, and a writer their own entry whole", async () => {
    const [first] = published;
    const path = `/${first!.handle}/${first!.slug}`;
    const anonymous = await (await reader.fetch(path)).text();
    expect(anonymous).toContain('<nav aria-label="Account"><a href="/signin">Sign in</a></nav>');

    // Bob reads Alice's essay: the kept page, with Bob's links where "Sign in" was, stored by no one.
    const bobReads = await signedInBrowser(server.url, bob.account);
    const forBob = await bobReads.fetch(path);
    expect(forBob.status).toBe(200);
    expect(forBob.headers.get("x-page-cache")).toBe("hit");
    expect(forBob.headers.get("cache-control")).toBe("private, no-store");
    expect(forBob.headers.get("vary")).toBe("Cookie, Accept");
    expect(forBob.headers.get("etag")).toBeNull();
    expect(forBob.headers.get("content-security-policy")).toBeTruthy();
    const bobsPage = await forBob.text();
    const nav = html(bobsPage).querySelector('nav[aria-label="Account"]')!;
    expect([...nav.querySelectorAll("a")].map((a) => [a.textContent, a.getAttribute("href")])).toEqual([
      [`@${bob.handle}`, `/${bob.handle}`],
      ["Following", "/following"],
      ["Drafts", "/drafts"],
      ["Publications", "/settings/publications"],
      ["Responses", "/settings/responses"],
      ["Profile", "/settings/profile"],
    ]);
    expect(nav.querySelector('form[method="post"][action="/signout"] button')!.textContent).toBe("Sign out");
    expect(bobsPage.replace(/<nav aria-label="Account">.*?<\/nav>/, "")).toBe(anonymous.replace(/<nav aria-label="Account">.*?<\/nav>/, ""));
    // A 304 is never given for a page drawn for a session.
    expect((await bobReads.fetch(path, { headers: { "if-none-match": (await reader.fetch(path)).headers.get("etag")! } })).status).toBe(200);
    // A page not kept yet is drawn for everyone (no cookie in it) and kept, then drawn in for Bob.
    const second = published[1]!;
    const fresh = await bobReads.fetch(`/${second.handle}/${second.slug}?version=1`);
    expect(fresh.headers.get("x-page-cache")).toBe("miss");
    expect(html(await fresh.text()).querySelector('nav[aria-label="Account"] a')!.textContent).toBe(`@${bob.handle}`);
    const keptCopy = await reader.fetch(`/${second.handle}/${second.slug}?version=1`);
    expect(keptCopy.headers.get("x-page-cache")).toBe("hit");
    expect(await keptCopy.text()).toContain('<a href="/signin">Sign in</a>');
    // Feeds and listings are the same for everyone.
    expect(await (await bobReads.fetch(`/${first!.handle}/rss.xml`)).text()).toBe(await (await reader.fetch(`/${first!.handle}/rss.xml`)).text());
    expect(html(await (await bobReads.fetch(`/${first!.handle}`)).text()).querySelector('nav[aria-label="Account"] a')!.textContent).toBe(`@${bob.handle}`);

    // Alice on her own essay gets her controls: the page is drawn for her alone.
    const aliceReads = await signedInBrowser(server.url, alice.account);
    const forAlice = await aliceReads.fetch(path);
    expect(forAlice.headers.get("x-page-cache")).toBeNull();
    expect(forAlice.headers.get("cache-control")).toBe("private, no-store");
    const alicesPage = html(await forAlice.text());
    expect(alicesPage.querySelector('form[action$="/edit"] button')!.textContent).toBe("Edit (publishes a new version)");
    expect(alicesPage.querySelector('nav[aria-label="Account"] a')!.textContent).toBe(`@${alice.handle}`);
    // On Bob's essay she is a reader like any other.
    const third = published[2]!;
    await reader.fetch(`/${third.handle}/${third.slug}`);
    const aliceOnBob = await aliceReads.fetch(`/${third.handle}/${third.slug}`);
    expect(aliceOnBob.headers.get("x-page-cache")).toBe("hit");
    expect(html(await aliceOnBob.text()).querySelector('form[action$="/edit"]')).toBeNull();

    // Once Bob signs out, his old cookie reads as anyone's: the kept page, stored by no one.
    const cookie = `press_session=${bobReads.cookie("press_session")}`;
    expect((await bobReads.fetch("/signout", { method: "POST", headers: { origin: server.url } })).status).toBe(302);
    const after = await reader.fetch(path, { headers: { cookie } });
    expect(after.headers.get("cache-control")).toBe("private, no-store");
    expect(await after.text()).toBe(anonymous);
    // A forged session costs no render either.
    const forged = await reader.fetch(path, { headers: { cookie: "press_session=forged" } });
    expect(forged.headers.get("x-page-cache")).toBe("hit");
    expect(await forged.text()).toBe(anonymous);
  });

  it("writes a title that closes the script tag into the page's schema.org data as inert text", async () => {
    const title = "</script><script>alert(1)</script> & more";
    const mallory = await newWriter("Mallory");
    const result = await publishEntry(db, getEnv(), mallory.account, essay(title, "A title that tries to break out."));
    const text = await (await reader.fetch(`/${mallory.handle}/${result.slug}`)).text();
    expect(runnableScripts(text)).toEqual([]);
    expect(text).not.toContain("<script>alert(1)");
    expect(jsonLd(html(text))[0]).toMatchObject({ headline: title });
  });

  it("lists a writer's entries newest first on their page, with share tags and feeds", async () => {
    const response = await reader.fetch(`/${alice.handle}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe(SHARED);
    const text = await response.text();
    expect(text).not.toMatch(/<script\b/);
    const doc = html(text);
    expect(doc.title).toBe("Alice Archivist · Permanent Press");
    // The writer's address as wallets and explorers show it: checksummed.
    const address = alice.account.address;
    expect(doc.querySelector(".writer-header code")!.textContent).toBe(`${address.slice(0, 6)}…${address.slice(-4)}`);
    expect(doc.querySelector(".writer-header code")!.getAttribute("title")).toBe(address);
    expect([...doc.querySelectorAll(".entry-list h2")].map((h) => h.textContent)).toEqual(["The Second Letter", "On Permanence"]);
    expect(doc.querySelector('link[rel="canonical"]')!.getAttribute("href")).toBe(`${server.url}/${alice.handle}`);
    expect(meta(doc, "og:type")).toBe("profile");
    expect(doc.querySelector('link[rel="alternate"][type="application/rss+xml"]')!.getAttribute("href")).toBe(`/${alice.handle}/rss.xml`);
    expect(doc.querySelector(`form[action="/subscribe/${alice.handle}"]`)).not.toBeNull();
  });

  it("lists recent entries across writers on the home page, newest first, without scripts", async () => {
    const response = await reader.fetch("/");
    expect(response.status).toBe(200);
    expect(await response.text()).not.toMatch(/<script\b/);
    // Other test files publish at the same time: follow the pages until ours are all seen.
    const links: string[] = [];
    for (let page = 1, more = true; more && page <= 50; page++) {
      const doc = html(await (await reader.fetch(`/?page=${page}`)).text());
      links.push(...[...doc.querySelectorAll(".entry-list h2 a")].map((a) => a.getAttribute("href")!));
      more = doc.querySelector('.pages a[href^="?page="]:last-child')?.textContent === "Older";
    }
    const ours = links.filter((href) => published.some((p) => href === `/${p.handle}/${p.slug}`));
    expect(ours).toEqual([...published].reverse().map((p) => `/${p.handle}/${p.slug}`));
    expect(new Set(links).size, "no entry on two pages").toBe(links.length);
    // Past the last page is no page; the reader is told so and pointed to the front page.
    const past = await reader.fetch("/?page=999");
    expect(past.status).toBe(404);
    const pastText = await past.text();
    expect(pastText).toContain("There is no page 999: the essays end before it.");
    expect(html(pastText).querySelector('article.error a[href="/"]')).not.toBeNull();
    expect((await reader.fetch(`/${published[0]!.handle}?page=999`)).status).toBe(404);
  });

  it("invites a writer to start from the front page, through sign-in when they are not signed in", async () => {
    const start = html(await (await reader.fetch("/")).text()).querySelector('a[href="/drafts"]');
    expect(start?.textContent).toBe("Start writing");
    const drafts = await fetch(`${server.url}/drafts`, { redirect: "manual" });
    expect(drafts.status).toBe(302);
    expect(drafts.headers.get("location")).toMatch(/^\/signin\?next=(%2F|\/)drafts$/);
  });

  it("revalidates the home page and a writer's page, and shows a new entry at once", async () => {
    const dana = await newWriter("Dana");
    await publishEntry(db, getEnv(), dana.account, essay("Dana Starts", "A first entry."));
    server.changed();
    for (const path of [`/${dana.handle}`, "/"]) {
      const first = await reader.fetch(path);
      const etag = first.headers.get("etag")!;
      expect(etag, path).toMatch(/^"[\w-]+"$/);
      expect(server.pages.get(path, etag)?.body.toString()).toBe(await first.text());
      const revalidated = await reader.fetch(path, { headers: { "if-none-match": etag } });
      expect(revalidated.status).toBe(304);
      expect(revalidated.headers.get("x-page-cache")).toBe("hit");
      const signedIn = await reader.fetch(path, { headers: { cookie: "press_session=not-a-session" } });
      expect(signedIn.headers.get("cache-control")).toBe("private, no-store");
      expect(signedIn.headers.get("etag")).toBeNull();
    }
    const before = { writer: (await reader.fetch(`/${dana.handle}`)).headers.get("etag")!, home: (await reader.fetch("/")).headers.get("etag")! };
    await publishEntry(db, getEnv(), dana.account, essay("Dana Again", "A second entry."));
    server.changed();
    const writerPage = await reader.fetch(`/${dana.handle}`, { headers: { "if-none-match": before.writer } });
    expect(writerPage.status).toBe(200);
    expect([...html(await writerPage.text()).querySelectorAll(".entry-list h2")].map((h) => h.textContent)).toEqual(["Dana Again", "Dana Starts"]);
    const home = await reader.fetch("/", { headers: { "if-none-match": before.home } });
    expect(home.status).toBe(200);
    expect(await home.text()).toContain("Dana Again");
  });

  it("answers 404 with a way home for an unknown entry and an unknown writer", async () => {
    for (const path of [`/${alice.handle}/no-such-essay`, "/nobody-at-all-here", `/${alice.handle}/no-such-essay/card.svg`, "/nobody-at-all-here/rss.xml"]) {
      const response = await reader.fetch(path);
      expect(response.status, path).toBe(404);
      if (response.headers.get("content-type")?.startsWith("text/html")) expect(await response.text()).toContain('href="/"');
    }
  });

  it("answers a browser's request for /favicon.ico with the press's icon, kept for a year", async () => {
    const redirect = await fetch(`${server.url}/favicon.ico`, { redirect: "manual" });
    expect(redirect.status).toBe(301);
    expect(redirect.headers.get("cache-control")).toContain("max-age=31536000");
    const icon = await fetch(`${server.url}/favicon.ico`);
    expect(icon.status).toBe(200);
    expect(icon.headers.get("content-type")).toBe("image/svg+xml");
    expect(await icon.text()).toContain("<svg");
  });

  it("draws a share card for the entry", async () => {
    const [first] = published;
    const response = await reader.fetch(`/${first!.handle}/${first!.slug}/card.svg`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("image/svg+xml; charset=utf-8");
    const svg = (await xml(await response.text())).documentElement;
    expect(svg.getAttribute("width")).toBe("1200");
    expect(svg.getAttribute("height")).toBe("630");
    expect(svg.textContent).toContain("On Permanence");
    expect(svg.textContent).toContain("Alice Archivist");
    // The PNG card's font first, then what a reader's own machine likely has.
    expect(svg.getElementsByTagName("g")[0]!.getAttribute("font-family")).toBe("'Source Serif 4', Georgia, 'Times New Roman', serif");
  });

  it("draws the share card as a PNG for the networks that show no SVG, and revalidates it by its ETag", async () => {
    const [first, second] = published;
    const path = `/${first!.handle}/${first!.slug}/card.png`;
    const response = await reader.fetch(path);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("image/png");
    expect(response.headers.get("cache-control")).toBe(SHARED);
    const etag = response.headers.get("etag");
    expect(etag).toMatch(/^"[\w-]+"$/);
    const png = Buffer.from(await response.arrayBuffer());
    expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(pngHeader(png)).toMatchObject({ width: 1200, height: 630 });
    expect(distinctColours(decodePng(png))).toBeGreaterThan(10);
    expect(Number(response.headers.get("content-length"))).toBe(png.length);

    // The same card again, byte for byte; another entry's card is another picture.
    expect(Buffer.from(await (await reader.fetch(path)).arrayBuffer()).equals(png)).toBe(true);
    const other = await reader.fetch(`/${second!.handle}/${second!.slug}/card.png`);
    expect(other.headers.get("etag")).not.toBe(etag);
    expect(Buffer.from(await other.arrayBuffer()).equals(png)).toBe(false);

    const revalidated = await reader.fetch(path, { headers: { "if-none-match": etag! } });
    expect(revalidated.status).toBe(304);
    expect(revalidated.headers.get("etag")).toBe(etag);
    expect(revalidated.headers.get("cache-control")).toBe(SHARED);
    expect(await revalidated.text()).toBe("");
    expect((await reader.fetch(path, { headers: { "if-none-match": '"something-else"' } })).status).toBe(200);

    const missing = await reader.fetch(`/${alice.handle}/no-such-essay/card.png`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect((await reader.fetch("/nobody-at-all-here/anything/card.png")).status).toBe(404);
  });

  it("draws the PNG card for a title and byline in scripts and emoji its font lacks", async () => {
    const writer = await newWriter("書き手 ✍️");
    const title = "永久の言葉 🎉 Заметки";
    const { slug } = await publishEntry(db, getEnv(), writer.account, essay(title, "Words in more than one script."));
    const response = await reader.fetch(`/${writer.handle}/${slug}/card.png`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("image/png");
    expect(pngHeader(Buffer.from(await response.arrayBuffer()))).toMatchObject({ width: 1200, height: 630 });
  });
});

describe("feeds", () => {
  it("gives a writer's entries as RSS 2.0 with the stored HTML, escaped", async () => {
    const response = await reader.fetch(`/${alice.handle}/rss.xml`);
    expect(response.headers.get("content-type")).toBe("application/rss+xml; charset=utf-8");
    const doc = await xml(await response.text());
    const rss = doc.documentElement;
    expect(rss.tagName).toBe("rss");
    expect(rss.getAttribute("version")).toBe("2.0");
    const channel = child(rss, "channel")!;
    expect(child(channel, "title")!.textContent).toBe("Alice Archivist · Permanent Press");
    expect(child(channel, "link")!.textContent).toBe(`${server.url}/${alice.handle}`);
    const items = children(channel, "item");
    expect(items.map((i) => child(i, "title")!.textContent)).toEqual(["The Second Letter", "On Permanence"]);
    const first = published[0]!;
    const item = items[1]!;
    expect(child(item, "link")!.textContent).toBe(`${server.url}/${first.handle}/${first.slug}`);
    const guid = child(item, "guid")!;
    expect(guid.textContent).toBe(first.arweaveId);
    expect(guid.getAttribute("isPermaLink")).toBe("false");
    const pubDate = child(item, "pubDate")!.textContent!;
    expect(pubDate).toMatch(/^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
    expect(Math.abs(new Date(pubDate).getTime() - (Date.now() - 3 * 60_000))).toBeLessThan(120_000);
    const content = child(item, "content:encoded")!.textContent!;
    expect(content).toContain("<h2>Where it starts</h2>");
    expect(content).toContain("&amp; a &lt;tag&gt; that is only text ]]&gt; too.");
  });

  it("reads as RSS 2.0, Atom and JSON Feed in a feed reader's parser, site-wide and per writer", async () => {
    const first = published[0]!;
    const url = `${server.url}/${first.handle}/${first.slug}`;
    for (const base of [`/${alice.handle}`, ""]) {
      const rss = parseRssFeed(await (await reader.fetch(`${base}/rss.xml`)).text());
      const rssItem = rss.items!.find((i) => i.link === url)!;
      expect(rssItem.title).toBe("On Permanence");
      expect(rssItem.guid).toMatchObject({ value: first.arweaveId, isPermaLink: false });
      expect(rssItem.content!.encoded).toContain("<h2>Where it starts</h2>");

      const atom = parseAtomFeed(await (await reader.fetch(`${base}/atom.xml`)).text());
      const atomEntry = atom.entries!.find((e) => e.links?.some((l) => l.href === url))!;
      expect(atomEntry.title).toMatchObject({ value: "On Permanence" });
      // The essay's HTML, whose text escapes what it shows as characters.
      expect(atomEntry.content).toMatchObject({ value: expect.stringContaining("<p>Words that stay where they are put, &amp; a &lt;tag&gt; that is only text ]]&gt; too.</p>") });
      expect(atomEntry.authors![0]!.name).toBe("Alice Archivist");

      const json = parseJsonFeed(await (await reader.fetch(`${base}/feed.json`)).json());
      const jsonItem = json.items!.find((i) => i.url === url)!;
      expect(jsonItem.title).toBe("On Permanence");
      expect(jsonItem.content_html).toContain("<h2>Where it starts</h2>");
    }
  });

  it("tells feed readers when nothing changed, and shows a new entry or a new name at once", async () => {
    const carol = await newWriter("Carol");
    await publishEntry(db, getEnv(), carol.account, essay("Carol Begins", "A first entry."));
    server.changed();
    const path = `/${carol.handle}/rss.xml`;
    const first = await reader.fetch(path);
    const etag = first.headers.get("etag")!;
    expect(etag).toMatch(/^"[\w-]+"$/);
    expect(first.headers.get("cache-control")).toBe(SHARED);
    const body = await first.text();
    expect(server.pages.get(path, etag)?.body.toString()).toBe(body);
    const unchanged = await reader.fetch(path, { headers: { "if-none-match": etag } });
    expect(unchanged.status).toBe(304);
    expect(unchanged.headers.get("x-page-cache")).toBe("hit");
    expect(await unchanged.text()).toBe("");
    expect((await reader.fetch(`/${carol.handle}/feed.json`)).headers.get("etag")).not.toBe(etag);
    const site = (await reader.fetch("/rss.xml")).headers.get("etag")!;

    await publishEntry(db, getEnv(), carol.account, essay("Carol Continues", "A second entry."));
    server.changed();
    const after = await reader.fetch(path, { headers: { "if-none-match": etag } });
    expect(after.status).toBe(200);
    const items = children(child((await xml(await after.text())).documentElement, "channel")!, "item");
    expect(items.map((i) => child(i, "title")!.textContent)).toEqual(["Carol Continues", "Carol Begins"]);
    expect((await reader.fetch("/rss.xml", { headers: { "if-none-match": site } })).status).toBe(200);

    await db.writer.update({ where: { handle: carol.handle }, data: { displayName: "Caroline" } });
    server.changed();
    const renamed = await xml(await (await reader.fetch(path)).text());
    expect(child(child(renamed.documentElement, "channel")!, "title")!.textContent).toBe("Caroline · Permanent Press");
    expect((await reader.fetch("/nobody-at-all-here/rss.xml")).status).toBe(404);
  });

  it("dates an empty feed by its writer, never by 1970, and gives RSS no build date until something is published", async () => {
    const quiet = await newWriter("Quiet Writer");
    const joined = (await db.writer.findUniqueOrThrow({ where: { handle: quiet.handle } })).updatedAt;
    const rss = await (await reader.fetch(`/${quiet.handle}/rss.xml`)).text();
    const atom = await (await reader.fetch(`/${quiet.handle}/atom.xml`)).text();
    const json = await (await reader.fetch(`/${quiet.handle}/feed.json`)).text();
    for (const text of [rss, atom, json]) expect(text).not.toMatch(/1970/);
    expect(child((await xml(rss)).documentElement, "channel")!.querySelector("lastBuildDate")).toBeNull();
    expect(parseRssFeed(rss).items ?? []).toHaveLength(0);
    expect(child((await xml(atom)).documentElement, "updated")!.textContent).toBe(joined.toISOString());
    expect(parseJsonFeed(JSON.parse(json)).items ?? []).toHaveLength(0);
  });

  it("gives a writer's entries as Atom 1.0", async () => {
    const response = await reader.fetch(`/${alice.handle}/atom.xml`);
    expect(response.headers.get("content-type")).toBe("application/atom+xml; charset=utf-8");
    const feed = (await xml(await response.text())).documentElement;
    expect(feed.tagName).toBe("feed");
    expect(feed.getAttribute("xmlns")).toBe("http://www.w3.org/2005/Atom");
    expect(child(feed, "id")!.textContent).toBe(`${server.url}/${alice.handle}/atom.xml`);
    expect(Number.isNaN(Date.parse(child(feed, "updated")!.textContent!))).toBe(false);
    const entries = children(feed, "entry");
    expect(entries).toHaveLength(2);
    const first = published[0]!;
    const entry = entries[1]!;
    expect(child(entry, "id")!.textContent).toBe(`${server.url}/${first.handle}/${first.slug}`);
    expect(child(entry, "updated")!.textContent).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(child(child(entry, "author")!, "name")!.textContent).toBe("Alice Archivist");
    const content = child(entry, "content")!;
    expect(content.getAttribute("type")).toBe("html");
    expect(content.textContent).toContain("<h2>Where it starts</h2>");
  });

  it("gives a writer's entries as JSON Feed 1.1", async () => {
    const response = await reader.fetch(`/${bob.handle}/feed.json`);
    expect(response.headers.get("content-type")).toBe("application/feed+json; charset=utf-8");
    const feed = (await response.json()) as { version: string; feed_url: string; items: { id: string; url: string; content_html: string; date_published: string }[] };
    expect(feed.version).toBe("https://jsonfeed.org/version/1.1");
    expect(feed.feed_url).toBe(`${server.url}/${bob.handle}/feed.json`);
    const bobs = published[2]!;
    expect(feed.items).toHaveLength(1);
    expect(feed.items[0]).toMatchObject({ id: `${server.url}/${bob.handle}/${bobs.slug}`, url: `${server.url}/${bob.handle}/${bobs.slug}` });
    expect(feed.items[0]!.content_html).toContain(bobs.text);
    expect(Number.isNaN(Date.parse(feed.items[0]!.date_published))).toBe(false);
  });

  it("gives the whole site's feeds in every format", async () => {
    const rss = await reader.fetch("/rss.xml");
    expect(rss.headers.get("content-type")).toBe("application/rss+xml; charset=utf-8");
    const channel = child((await xml(await rss.text())).documentElement, "channel")!;
    expect(child(channel, "title")!.textContent).toBe("Permanent Press");
    const items = children(channel, "item");
    expect(items.length).toBeGreaterThanOrEqual(3);
    expect(items.length).toBeLessThanOrEqual(20);
    for (const item of items) for (const name of ["title", "link", "guid", "pubDate", "content:encoded"]) expect(child(item, name), name).toBeDefined();

    const atom = (await xml(await (await reader.fetch("/atom.xml")).text())).documentElement;
    expect(children(atom, "entry").length).toBe(items.length);
    const json = (await (await reader.fetch("/feed.json")).json()) as { items: unknown[] };
    expect(json.items.length).toBe(items.length);
  });
});

describe("for search engines", () => {
  it("lists every writer page and every published entry in the sitemap, with lastmod", async () => {
    const response = await reader.fetch("/sitemap.xml");
    expect(response.headers.get("content-type")).toBe("application/xml; charset=utf-8");
    const urlset = (await xml(await response.text())).documentElement;
    expect(urlset.tagName).toBe("urlset");
    const entries = new Map(children(urlset, "url").map((u) => [child(u, "loc")!.textContent, child(u, "lastmod")!.textContent]));
    for (const p of published) expect(entries.get(`${server.url}/${p.handle}/${p.slug}`), p.slug).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    for (const w of [alice, bob]) expect(entries.has(`${server.url}/${w.handle}`)).toBe(true);
    // The front page's lastmod is the newest change on the press, the same on every fetch.
    const others = [...entries].filter(([loc]) => loc !== `${server.url}/`).map(([, lastmod]) => lastmod!);
    expect(entries.get(`${server.url}/`)).toBe(others.sort().at(-1));
  });

  it("allows crawling but the private pages, and points to the sitemap", async () => {
    const response = await reader.fetch("/robots.txt");
    expect(response.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    const text = await response.text();
    expect(text).toContain("User-agent: *\nAllow: /\n");
    for (const path of ["/drafts", "/settings", "/dev", "/auth"]) expect(text).toContain(`Disallow: ${path}\n`);
    expect(text).toContain(`Sitemap: ${server.url}/sitemap.xml`);
  });
});

/**
 * An essay published over HTTP as the editor does (draft, save, prepare, sign, publish): the web
 * server learns of it itself. Given the `draftPath` of a published entry, its next version.
 */
async function publishOverHttp(writer: Browser, account: Awaited<ReturnType<typeof newWriter>>["account"], title: string, text: string, draftPath?: string) {
  draftPath ??= (await writer.fetch("/drafts/new", { method: "POST" })).headers.get("location")!;
  const { revision } = await db.draft.findUniqueOrThrow({ where: { id: draftPath.split("/").pop()! } });
  expect((await writer.postJson(`${draftPath}/save`, { ...essay(title, text), baseRevision: revision })).status).toBe(200);
  const prepared = (await (await writer.postJson(`${draftPath}/publish`, { intent: "prepare" })).json()) as { revision: number; timestamp: number; typedData: Parameters<typeof account.signTypedData>[0] };
  const signature = await account.signTypedData(prepared.typedData);
  const answer = await writer.postJson(`${draftPath}/publish`, { intent: "publish", revision: prepared.revision, timestamp: prepared.timestamp, signature });
  expect(answer.status, await answer.clone().text()).toBe(200);
  return { url: ((await answer.json()) as { url: string }).url, draftPath };
}

describe("caching", () => {
  it("has browsers revalidate every page, feed, sitemap and card by its ETag, and lets shared caches keep it briefly", async () => {
    const [first] = published;
    const entry = `/${first!.handle}/${first!.slug}`;
    const paths = ["/", `/${alice.handle}`, entry, `${entry}?version=1`, "/rss.xml", "/atom.xml", "/feed.json", `/${alice.handle}/rss.xml`, `/${alice.handle}/atom.xml`, `/${alice.handle}/feed.json`, "/sitemap.xml", `${entry}/card.png`, `${entry}/card-3x2.png`, `${entry}/card.svg`, `/verify/${first!.arweaveId}`];
    for (const path of paths) {
      const response = await reader.fetch(path);
      expect(response.status, path).toBe(200);
      expect(response.headers.get("cache-control"), path).toBe(SHARED);
      const etag = response.headers.get("etag");
      expect(etag, path).toMatch(/^"[\w-]+"$/);
      await response.arrayBuffer();
      // What a browser sends on the next visit: nothing changed, so nothing but headers comes back.
      const again = await reader.fetch(path, { headers: { "if-none-match": etag! } });
      expect(again.status, path).toBe(304);
      expect(again.headers.get("etag"), path).toBe(etag);
      expect(again.headers.get("cache-control"), path).toBe(SHARED);
      expect(await again.text(), path).toBe("");
      // Browsers take a 304's headers for the ones they kept: any policy it carries must be the page's own.
      expect([null, response.headers.get("content-security-policy")], path).toContain(again.headers.get("content-security-policy"));
    }
    // A page drawn for a signed-in reader names them: no cache keeps it.
    for (const path of ["/", entry, `/verify/${first!.arweaveId}`]) {
      const signedIn = await reader.fetch(path, { headers: { cookie: "press_session=not-a-session" } });
      expect(signedIn.headers.get("cache-control"), path).toBe("private, no-store");
      expect(signedIn.headers.get("etag"), path).toBeNull();
    }
  });

  it("answers a browser's revalidation with the new entry at once after a writer publishes, on every listing, feed and the sitemap", async () => {
    const erin = await newWriter("Erin");
    const writer = await signedInBrowser(server.url, erin.account);
    await publishOverHttp(writer, erin.account, "Erin Begins", "A first entry.");
    const paths = ["/", `/${erin.handle}`, "/rss.xml", "/atom.xml", "/feed.json", `/${erin.handle}/rss.xml`, `/${erin.handle}/atom.xml`, `/${erin.handle}/feed.json`, "/sitemap.xml"];
    const held = new Map<string, string>();
    for (const path of paths) {
      const response = await reader.fetch(path);
      held.set(path, response.headers.get("etag")!);
      await response.arrayBuffer();
      expect((await reader.fetch(path, { headers: { "if-none-match": held.get(path)! } })).status, path).toBe(304);
    }

    // No one tells the press's caches: the request that published is what makes them ask again.
    const { url } = await publishOverHttp(writer, erin.account, "Erin Again", "A second entry.");
    for (const path of paths) {
      const response = await reader.fetch(path, { headers: { "if-none-match": held.get(path)! } });
      expect(response.status, path).toBe(200);
      expect(response.headers.get("etag"), path).not.toBe(held.get(path));
      const text = await response.text();
      expect(text, path).toContain(path === "/sitemap.xml" ? `${server.url}${url}` : "Erin Again");
    }
  });

  it("answers a revalidation with a renamed writer, a new version and an accepted import at once, without being told", async () => {
    const frank = await newWriter("Frank");
    const writer = await signedInBrowser(server.url, frank.account);
    const { url, draftPath } = await publishOverHttp(writer, frank.account, "Frank Begins", "A first entry.");
    const paths = [`/${frank.handle}`, url, `/${frank.handle}/atom.xml`, "/feed.json"];
    const current = async () => new Map(await Promise.all(paths.map(async (path) => [path, (await reader.fetch(path)).headers.get("etag")!] as const)));
    /** Each path, asked with the ETag held before: a 200 showing `text` (the page or feed changed), or a 304. */
    const revalidated = async (held: Map<string, string>, text: string, changed: string[]) => {
      for (const path of paths) {
        const response = await reader.fetch(path, { headers: { "if-none-match": held.get(path)! } });
        expect(response.status, path).toBe(changed.includes(path) ? 200 : 304);
        if (changed.includes(path)) expect(await response.text(), path).toContain(text);
      }
    };

    let held = await current();
    const profile = new FormData();
    for (const [name, value] of Object.entries({ handle: frank.handle, displayName: "Franklin", bio: "" })) profile.set(name, value);
    expect((await writer.fetch("/settings/profile", { method: "POST", body: profile })).status).toBe(302);
    await revalidated(held, "Franklin", paths);

    held = await current();
    await publishOverHttp(writer, frank.account, "Frank Revises", "A second version.", draftPath);
    await revalidated(held, "Frank Revises", paths);

    // An import held for review shows nowhere; once accepted, everywhere at once.
    const imported = await publishEntry(db, getEnv(), frank.account, essay("Frank Imported", "Written elsewhere."));
    const row = await db.entry.update({ where: { id: imported.entryId }, data: { importReview: "pending" }, select: { originalDigest: true } });
    await sleep(VALIDATION_MS);
    held = await current();
    const accept = new FormData();
    accept.set("intent", "accept");
    expect((await writer.fetch(`/settings/imports/${row.originalDigest}`, { method: "POST", body: accept })).status).toBe(303);
    await revalidated(held, "Frank Imported", [`/${frank.handle}`, `/${frank.handle}/atom.xml`, "/feed.json"]);
  });
});
