/**
 * Feeds against hostile text, through the real routes: what XML cannot carry is refused where it
 * comes in (422, naming the character), what merely looks hostile is published and carried exactly
 * by every feed, rows written before input was checked still give feeds that parse, and bodies that
 * are not UTF-8 are refused rather than published as U+FFFD. Every XML feed is read twice: by a
 * conforming XML 1.0 parser (saxes), which fails on any character XML 1.0 forbids, and by
 * feedsmith, a feed reader's parser, for what a subscriber sees.
 */
import crypto from "node:crypto";
import { parseAtomFeed, parseJsonFeed, parseRssFeed } from "feedsmith";
import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb, type Database } from "~/db.server";
import { HOSTILE_BUT_PUBLISHABLE_TEXT, UNPUBLISHABLE_TEXT } from "~/modules/entries/hostile-corpus";
import { xmlError } from "../support/xml";
import { Browser, startTestServer } from "../support/web";

let server: Awaited<ReturnType<typeof startTestServer>>;
let db: Database;

beforeAll(async () => {
  server = await startTestServer();
  db = getDb();
});
afterAll(async () => {
  await server?.stop();
});

const doc = (...texts: string[]) => ({ type: "doc", content: texts.map((text) => ({ type: "paragraph", content: [{ type: "text", text }] })) });
const imageWithAlt = (alt: string) => ({ type: "doc", content: [{ type: "image", attrs: { src: `https://example.com/a.png`, alt } }, { type: "paragraph", content: [{ type: "text", text: "x" }] }] });
/** How document.server.ts writes text into HTML. */
const html = (text: string) => text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);

async function signIn(account: PrivateKeyAccount): Promise<Browser> {
  const browser = new Browser(server.url);
  const { message } = (await (await browser.postJson("/auth/siwe", { intent: "message", address: account.address })).json()) as { message: string };
  expect((await browser.postJson("/auth/siwe", { intent: "verify", message, signature: await account.signMessage({ message }) })).status).toBe(200);
  return browser;
}

function profileForm(fields: Record<string, string>) {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.set(name, value);
  return form;
}

/** A signed-in writer with a handle, as the profile page makes one. */
async function newWriter(fields: { displayName?: string; bio?: string } = {}) {
  const account = privateKeyToAccount(generatePrivateKey());
  const browser = await signIn(account);
  const handle = `x-${crypto.randomBytes(4).toString("hex")}`;
  const saved = await browser.fetch("/settings/profile", { method: "POST", body: profileForm({ handle, displayName: "", bio: "", ...fields }) });
  expect(saved.status, await saved.clone().text()).toBe(302);
  return { account, browser, handle };
}

async function newDraft(browser: Browser): Promise<string> {
  const created = await browser.fetch("/drafts/new", { method: "POST" });
  expect(created.status).toBe(302);
  return created.headers.get("location")!;
}

/** Saves and publishes a draft as the editor and the writer's wallet do; the entry's path. */
async function publish(writer: { account: PrivateKeyAccount; browser: Browser }, title: string, document: unknown): Promise<string> {
  const path = await newDraft(writer.browser);
  const saved = await writer.browser.postJson(`${path}/save`, { title, document, baseRevision: 1 });
  expect(saved.status, await saved.clone().text()).toBe(200);
  const prepared = (await (await writer.browser.postJson(`${path}/publish`, { intent: "prepare" })).json()) as { revision: number; timestamp: number; typedData: never };
  const signature = await writer.account.signTypedData(prepared.typedData);
  const published = await writer.browser.postJson(`${path}/publish`, { intent: "publish", revision: prepared.revision, timestamp: prepared.timestamp, signature });
  expect(published.status, await published.clone().text()).toBe(200);
  return ((await published.json()) as { url: string }).url;
}

/** A feed as a subscriber's reader gets it: well-formed XML first, then read by feedsmith. */
async function feeds(base: string) {
  const text = async (path: string) => {
    const response = await fetch(`${server.url}${base}/${path}`);
    expect(response.status, path).toBe(200);
    return response.text();
  };
  const [rssText, atomText, jsonText] = await Promise.all([text("rss.xml"), text("atom.xml"), text("feed.json")]);
  expect(xmlError(rssText), `${base}/rss.xml is well-formed XML`).toBeNull();
  expect(xmlError(atomText), `${base}/atom.xml is well-formed XML`).toBeNull();
  return { rss: parseRssFeed(rssText), atom: parseAtomFeed(atomText), json: parseJsonFeed(JSON.parse(jsonText)) };
}

/** The title, author and HTML of one entry in each format. */
function entryIn(feed: Awaited<ReturnType<typeof feeds>>, url: string) {
  const rss = feed.rss.items?.find((item) => item.link === url);
  const atom = feed.atom.entries?.find((entry) => entry.links?.some((link) => link.href === url));
  const json = feed.json.items?.find((item) => item.url === url);
  return {
    titles: [rss?.title, atom?.title?.value, json?.title],
    authors: [rss?.dc?.creators?.[0], atom?.authors?.[0]?.name, json?.authors?.[0]?.name],
    html: [rss?.content?.encoded, atom?.content?.value, json?.content_html],
    summaries: [rss?.description, atom?.summary?.value, json?.summary],
  };
}

describe("characters XML cannot carry are refused where they come in, with a 422 naming them", () => {
  let writer: Awaited<ReturnType<typeof newWriter>>;
  let draft: string;
  beforeAll(async () => {
    writer = await newWriter({ displayName: "Kept Name", bio: "Kept bio." });
    draft = await newDraft(writer.browser);
    expect((await writer.browser.postJson(`${draft}/save`, { title: "Kept title", document: doc("Kept words."), baseRevision: 1 })).status).toBe(200);
  });

  const refusal = (what: string, { codePoint, kind }: { codePoint: string; kind: string }) =>
    `${what} contains ${codePoint}, ${kind}, after “Before”. Feeds, pages and mail cannot carry it: remove it and try again.`;

  async function expectDraftKept() {
    const stored = await db.draft.findFirstOrThrow({ where: { id: draft.split("/").pop()! } });
    expect(stored).toMatchObject({ title: "Kept title", revision: 2 });
    expect(stored.content).toContain("Kept words.");
  }

  it.each(UNPUBLISHABLE_TEXT)("a title holding $name", async (bad) => {
    const response = await writer.browser.postJson(`${draft}/save`, { title: bad.text, document: doc("Kept words."), baseRevision: 2 });
    expect(response.status).toBe(422);
    expect(await response.json()).toEqual({ error: refusal("The title", bad) });
    await expectDraftKept();
  });

  it.each(UNPUBLISHABLE_TEXT)("an essay holding $name", async (bad) => {
    const response = await writer.browser.postJson(`${draft}/save`, { title: "Kept title", document: doc("Fine words.", bad.text), baseRevision: 2 });
    expect(response.status).toBe(422);
    expect(await response.json()).toEqual({ error: refusal("The essay", bad) });
    await expectDraftKept();
  });

  it.each(UNPUBLISHABLE_TEXT.slice(0, 3))("an image description holding $name", async (bad) => {
    const response = await writer.browser.postJson(`${draft}/save`, { title: "Kept title", document: imageWithAlt(bad.text), baseRevision: 2 });
    expect(response.status).toBe(422);
    expect(await response.json()).toEqual({ error: refusal("The description of an image", bad) });
    await expectDraftKept();
  });

  it("a lone surrogate spelled in the JSON text itself", async () => {
    const body = `{"title":"Before\\ud800after","document":${JSON.stringify(doc("Kept words."))},"baseRevision":2}`;
    const response = await writer.browser.fetch(`${draft}/save`, { method: "POST", headers: { "content-type": "application/json" }, body });
    expect(response.status).toBe(422);
    expect(((await response.json()) as { error: string }).error).toMatch(/^The title contains U\+D800, half of a character whose other half is missing/);
    await expectDraftKept();
  });

  // A form cannot carry half a surrogate pair: its encoding sends U+FFFD, a character like any other.
  it.each(UNPUBLISHABLE_TEXT.filter((bad) => !bad.kind.startsWith("half")))("a display name or a bio holding $name", async (bad) => {
    for (const [field, what] of [["displayName", "The display name"], ["bio", "The bio"]] as const) {
      const response = await writer.browser.fetch("/settings/profile", { method: "POST", body: profileForm({ handle: writer.handle, displayName: "Kept Name", bio: "Kept bio.", [field]: bad.text }) });
      expect(response.status).toBe(422);
      // The page shows the message (React escapes nothing in it but the quotes it does not hold).
      expect(await response.text()).toContain(refusal(what, bad));
    }
    expect(await db.writer.findUniqueOrThrow({ where: { handle: writer.handle } })).toMatchObject({ displayName: "Kept Name", bio: "Kept bio." });
  });

  it("a Markdown import whose heading holds a control character", async () => {
    const form = new FormData();
    form.set("markdown", new Blob(["# Before\u0007after\n\nWords."], { type: "text/markdown" }), "essay.md");
    const before = await db.draft.count();
    const response = await writer.browser.fetch("/drafts/new", { method: "POST", body: form });
    expect(response.status).toBe(422);
    expect(await response.json()).toEqual({ error: refusal("The title", { codePoint: "U+0007", kind: "a control character" }) });
    expect(await db.draft.count()).toBeLessThanOrEqual(before);
  });
});

describe(`text that only looks hostile (${HOSTILE_BUT_PUBLISHABLE_TEXT.map((c) => c.name).join(", ")}) is published, and every feed carries it exactly`, () => {
  const published: { url: string; title: string; body: string }[] = [];
  let writer: Awaited<ReturnType<typeof newWriter>>;
  const name = "Zoë <Ink> & “Quill” ]]> \u202Eeman\u202C 🦊";
  const bio = "Writes <b>about</b> & around ]]> things 👩‍👩‍👧";
  // As few entries as the corpus fits in (a title has at most 300 characters): the site feed lists
  // the newest 20, and other test files running meanwhile read theirs from it.
  const titles: string[] = [];
  for (const { text } of HOSTILE_BUT_PUBLISHABLE_TEXT) {
    const joined = titles.length ? `${titles.at(-1)} · ${text}` : text;
    if (titles.length && joined.length <= 300) titles[titles.length - 1] = joined;
    else titles.push(text);
  }

  beforeAll(async () => {
    writer = await newWriter({ displayName: name, bio });
    for (const title of titles) {
      // Longer than an excerpt (280 characters), with an emoji astride the 280th UTF-16 unit.
      const body = `${"ab".repeat(139)}a🦊 ${title}`;
      published.push({ url: `${server.url}${await publish(writer, title, doc(body))}`, title, body });
    }
  });

  it.each([
    ["the writer's", () => `/${writer.handle}`],
    ["the site's", () => ""],
  ])("%s RSS, Atom and JSON Feed parse and hold each title, name and essay as written", async (_, base) => {
    const feed = await feeds(base());
    for (const entry of published) {
      const found = entryIn(feed, entry.url);
      expect(found.titles, entry.title).toEqual([entry.title, entry.title, entry.title]);
      expect(found.authors, entry.title).toEqual([name, name, name]);
      for (const content of found.html) expect(content, entry.title).toBe(`<p>${html(entry.body)}</p>`);
      // Not cut inside the emoji, which would leave half of it: U+FFFD once sent.
      for (const summary of found.summaries) expect(summary, entry.title).toBe(`${"ab".repeat(139)}a🦊`);
    }
  });

  it("the writer's feeds carry their profile as written", async () => {
    const feed = await feeds(`/${writer.handle}`);
    expect([feed.rss.title, feed.atom.title?.value, feed.json.title]).toEqual(Array(3).fill(`${name} · Permanent Press`));
    expect([feed.rss.description, feed.atom.subtitle?.value, feed.json.description]).toEqual([bio, bio, bio]);
  });
});

describe("rows written before input was checked still give feeds that parse", () => {
  it("drops the characters XML cannot carry from titles, names, bios and stored HTML, and keeps the rest", async () => {
    const writer = await newWriter({ displayName: "Old Name" });
    const url = `${server.url}${await publish(writer, "Old title", doc("Old words."))}`;
    const slug = url.split("/").pop()!;
    const entry = await db.entry.findFirstOrThrow({ where: { slug, writer: { handle: writer.handle } } });
    const forbidden = "\u0000\u0001\u0008\u000B\u001B\uFFFE\uFFFF";
    await db.writer.update({ where: { handle: writer.handle }, data: { displayName: `Old${forbidden}Name`, bio: `Old${forbidden}bio` } });
    await db.entry.update({ where: { id: entry.id }, data: { title: `Old${forbidden}title <&>`, excerpt: `Old${forbidden}words.`, updatedAt: new Date() } });
    await db.entryVersion.updateMany({ where: { entryId: entry.id }, data: { html: `<p>Old${forbidden}words.</p>` } });

    for (const base of [`/${writer.handle}`, ""]) {
      const feed = await feeds(base);
      const found = entryIn(feed, url);
      expect(found.titles.slice(0, 2), base).toEqual(["Oldtitle <&>", "Oldtitle <&>"]);
      expect(found.authors.slice(0, 2), base).toEqual(["OldName", "OldName"]);
      expect(found.html.slice(0, 2), base).toEqual(["<p>Oldwords.</p>", "<p>Oldwords.</p>"]);
      // JSON can carry any character escaped, so JSON Feed keeps the row as it is.
      expect(found.titles[2]).toBe(`Old${forbidden}title <&>`);
    }
    const own = await feeds(`/${writer.handle}`);
    expect(own.rss.description).toBe("Oldbio");
  });
});

describe("bodies that are not UTF-8 are refused with a 415, never published as U+FFFD", () => {
  let writer: Awaited<ReturnType<typeof newWriter>>;
  let draft: string;
  const latin1 = (text: string) => Buffer.from(text, "latin1");
  beforeAll(async () => {
    writer = await newWriter({ displayName: "Kept Name" });
    draft = await newDraft(writer.browser);
  });

  it("a draft saved as Latin-1 JSON", async () => {
    const body = latin1(`{"title":"Caf\xe9","document":${JSON.stringify(doc("Words."))},"baseRevision":1}`);
    const response = await writer.browser.fetch(`${draft}/save`, { method: "POST", headers: { "content-type": "application/json" }, body });
    expect(response.status).toBe(415);
    expect(await response.json()).toEqual({ error: "The request body is not UTF-8 text (the encoding breaks at byte 14, line 1). Save it as UTF-8 and try again." });
    expect(await db.draft.findFirstOrThrow({ where: { id: draft.split("/").pop()! } })).toMatchObject({ title: "", revision: 1 });
  });

  it("a profile whose display name is Latin-1, in a multipart or a URL-encoded form", async () => {
    const boundary = "----press-test-boundary";
    const multipart = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="handle"\r\n\r\n${writer.handle}\r\n--${boundary}\r\nContent-Disposition: form-data; name="displayName"\r\n\r\n`),
      latin1("Zo\xeb"),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const response = await writer.browser.fetch("/settings/profile", { method: "POST", headers: { "content-type": `multipart/form-data; boundary=${boundary}` }, body: multipart });
    expect(response.status).toBe(415);
    expect(await response.text()).toContain("The field “displayName” is not UTF-8 text (the encoding breaks at byte 3, line 1). Save it as UTF-8 and try again.");

    const encoded = await writer.browser.fetch("/settings/profile", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `handle=${writer.handle}&displayName=Zo%EB`,
    });
    expect(encoded.status).toBe(415);
    expect(await encoded.text()).toContain("The form is not UTF-8 text: a field holds bytes that are not UTF-8.");
    expect(await db.writer.findUniqueOrThrow({ where: { handle: writer.handle } })).toMatchObject({ displayName: "Kept Name" });
  });

  it("a Markdown file and a subscriber CSV in Latin-1", async () => {
    const upload = (path: string, field: string, bytes: Buffer, name: string) => {
      const form = new FormData();
      form.set(field, new Blob([new Uint8Array(bytes)]), name);
      return writer.browser.fetch(path, { method: "POST", body: form });
    };
    const drafts = await db.draft.count({ where: { writer: { handle: writer.handle } } });
    const markdown = await upload("/drafts/new", "markdown", latin1("# Caf\xe9\n\nWords."), "essay.md");
    expect(markdown.status).toBe(415);
    expect(await markdown.json()).toEqual({ error: "That file is not UTF-8 text (the encoding breaks at byte 6, line 1). Save it as UTF-8 and try again." });
    expect(await db.draft.count({ where: { writer: { handle: writer.handle } } })).toBe(drafts);

    const csv = await upload("/settings/subscribers", "file", latin1("email,wallet,date\nzo\xeb@example.com,,\n"), "list.csv");
    expect(csv.status).toBe(415);
    expect(await csv.text()).toContain("That file is not UTF-8 text (the encoding breaks at byte 21, line 2). Save it as UTF-8 and try again.");
    expect(await db.subscriber.count({ where: { writer: { handle: writer.handle } } })).toBe(0);
  });
});
