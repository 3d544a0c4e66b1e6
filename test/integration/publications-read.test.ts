import crypto from "node:crypto";
import { parseAtomFeed, parseJsonFeed, parseRssFeed } from "feedsmith";
import { Window } from "happy-dom";
import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, type Database } from "~/db.server";
import { parseEnv, type Env } from "~/env.server";
import { parseDocument } from "~/modules/entries/document.server";
import { VALIDATION_MS } from "~/modules/reading/page-validator.server";
import { deployMigrations } from "../../scripts/lib/migrations";
import { freePort } from "../../scripts/local/service";
import { databaseProviders, freshDatabase, type TestDatabase } from "../support/databases";
import { publishEntry, publishRevision } from "../support/entries";
import { createPublication, signMembership } from "../support/publications";
import { Browser, runnableScripts, startChildServer } from "../support/web";
import { xmlError } from "../support/xml";

const AS = "application/activity+json";
const window = new Window();
const parser = new window.DOMParser();
const html = (text: string) => parser.parseFromString(text, "text/html");

const essay = (title: string, text: string) => ({
  title,
  document: parseDocument({ type: "doc", content: [{ type: "paragraph", content: [{ type: "text", text }] }] }),
});

describe.each(databaseProviders())("a publication as readers see it on %s", (provider) => {
  let database: TestDatabase;
  let db: Database;
  let env: Env;
  let server: { url: string; stop(): Promise<void> };
  let reader: Browser;
  const tag = crypto.randomBytes(3).toString("hex");
  const handles = { owner: `olive-${tag}`, mira: `mira-${tag}`, rex: `rex-${tag}`, pub: `quarterly-${tag}` };
  let mira: { account: PrivateKeyAccount; id: string };
  let pub: { id: string };
  let dispatch: Awaited<ReturnType<typeof publishEntry>>;
  let solo: { slug: string };

  const ownerKey = generatePrivateKey();

  async function newWriter(handle: string, displayName: string, key = generatePrivateKey()) {
    const account = privateKeyToAccount(key);
    const row = await db.writer.create({ data: { address: account.address.toLowerCase(), handle, displayName } });
    return { account, id: row.id };
  }

  beforeAll(async () => {
    const port = await freePort();
    database = await freshDatabase(provider);
    await deployMigrations(database.url);
    db = createDatabase(database.url);
    const settings = { DATABASE_URL: database.url, PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` };
    env = parseEnv({ ...process.env, ...settings });
    server = await startChildServer(settings);
    reader = new Browser(server.url);

    const owner = await newWriter(handles.owner, "Olive Owner", ownerKey);
    mira = await newWriter(handles.mira, "Mira Member");
    const rex = await newWriter(handles.rex, "Rex Revoked");
    pub = await createPublication(db, env, owner.account, { handle: handles.pub, name: "The Quarterly", description: "Essays by several hands." });
    await db.publication.update({ where: { writerId: pub.id }, data: { coverId: "cover-of-the-quarterly" } });
    const from = Math.floor(Date.now() / 1000) - 3600;
    await signMembership(db, env, owner.account, pub.id, mira.account.address, "writer", from);
    await signMembership(db, env, owner.account, pub.id, rex.account.address, "editor", from);
    await signMembership(db, env, owner.account, pub.id, rex.account.address, "revoked");

    solo = await publishEntry(db, env, mira.account, essay("Solo Note", "Written alone."), new Date(Date.now() - 120_000));
    dispatch = await publishEntry(db, env, mira.account, { ...essay("Dispatch One", "Written for the Quarterly."), publicationId: pub.id }, new Date(Date.now() - 60_000));
  });
  afterAll(async () => {
    await server?.stop();
    await db?.$disconnect();
    await database?.drop();
  });

  const canonical = () => `${server.url}/${handles.pub}/${dispatch.slug}`;
  const meta = (doc: ReturnType<typeof html>, key: string) => doc.querySelector(`meta[property="${key}"], meta[name="${key}"]`)?.getAttribute("content");

  it("shows the publication's page: its name, description, cover, current members owner first, and its entries with their writers", async () => {
    const response = await reader.fetch(`/${handles.pub}`);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(runnableScripts(text)).toEqual([]);
    const doc = html(text);
    expect(doc.querySelector("h1")!.textContent).toBe("The Quarterly");
    expect(doc.querySelector(".bio")!.textContent).toBe("Essays by several hands.");
    expect(doc.querySelector('[data-testid="cover"]')!.getAttribute("src")).toBe(`${env.storage.gatewayUrl}/cover-of-the-quarterly`);
    const members = [...doc.querySelectorAll('[data-testid="members"] li')].map((li) => [li.querySelector("a")?.textContent, li.getAttribute("data-role")]);
    // The revoked editor is no member now.
    expect(members).toEqual([
      ["Olive Owner", "owner"],
      ["Mira Member", "writer"],
    ]);
    const items = [...doc.querySelectorAll(".entry-list li")];
    expect(items.map((li) => li.querySelector("h2 a")!.getAttribute("href"))).toEqual([`/${handles.pub}/${dispatch.slug}`]);
    expect(items[0]!.querySelector("p.muted a")!.textContent).toBe("Mira Member");
    expect(meta(doc, "og:image")).toBe(`${env.storage.gatewayUrl}/cover-of-the-quarterly`);
    expect(meta(doc, "og:title")).toBe("The Quarterly · Permanent Press");
    expect(JSON.parse(meta(doc, "fc:miniapp")!)).toMatchObject({ imageUrl: `${env.storage.gatewayUrl}/cover-of-the-quarterly`, button: { action: { url: `${server.url}/${handles.pub}` } } });
  });

  it("shows a member the owner grants at once to a reader who revalidates the publication's page", async () => {
    const before = await reader.fetch(`/${handles.pub}`);
    const etag = before.headers.get("etag")!;
    expect((await reader.fetch(`/${handles.pub}`, { headers: { "if-none-match": etag } })).status).toBe(304);
    const nia = await newWriter(`nia-${tag}`, "Nia New");
    const owner = privateKeyToAccount(ownerKey);
    await signMembership(db, env, owner, pub.id, nia.account.address, "editor");
    // The server asks what a page's state is at most once a VALIDATION_MS per address.
    await new Promise((resolve) => setTimeout(resolve, VALIDATION_MS + 50));
    const after = await reader.fetch(`/${handles.pub}`, { headers: { "if-none-match": etag } });
    expect(after.status).toBe(200);
    const members = [...html(await after.text()).querySelectorAll('[data-testid="members"] li')].map((li) => [li.querySelector("a")?.textContent, li.getAttribute("data-role")]);
    expect(members).toEqual([
      ["Olive Owner", "owner"],
      ["Nia New", "editor"],
      ["Mira Member", "writer"],
    ]);
  });

  it("keeps the writer's own page listing all their entries, the one in the publication marked and linked at its address", async () => {
    const doc = html(await (await reader.fetch(`/${handles.mira}`)).text());
    const items = [...doc.querySelectorAll(".entry-list li")].map((li) => ({ href: li.querySelector("h2 a")!.getAttribute("href"), text: li.querySelector("p.muted")!.textContent!.replace(/\s+/g, " ") }));
    expect(items.map((i) => i.href)).toEqual([`/${handles.pub}/${dispatch.slug}`, `/${handles.mira}/${solo.slug}`]);
    expect(items[0]!.text).toContain("in The Quarterly ·");
    expect(items[1]!.text).not.toContain(" in ");
  });

  it("reads the entry at the publication's address with both names in its byline, card and Farcaster embed, and no script", async () => {
    const response = await reader.fetch(`/${handles.pub}/${dispatch.slug}`);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(runnableScripts(text)).toEqual([]);
    const doc = html(text);
    expect(doc.querySelector(".byline")!.textContent!.replace(/\s+/g, " ")).toMatch(/^by Mira Member in The Quarterly · /);
    // Its readers subscribe to the publication, whose essay it is.
    const subscribe = doc.querySelector("section.subscribe")!;
    expect(subscribe.getAttribute("aria-label")).toBe("Subscribe to The Quarterly");
    expect([...subscribe.querySelectorAll("form")].map((form) => form.getAttribute("action"))).toEqual([`/subscribe/${handles.pub}`, `/subscribe/${handles.pub}`]);
    expect(subscribe.textContent).toContain("New essays in The Quarterly");
    expect(doc.querySelector('link[rel="canonical"]')!.getAttribute("href")).toBe(canonical());
    expect(meta(doc, "og:url")).toBe(canonical());
    expect(meta(doc, "og:title")).toBe("Dispatch One · Mira Member in The Quarterly");
    expect(meta(doc, "article:publisher")).toBe("The Quarterly");
    expect(meta(doc, "og:image")).toBe(`${canonical()}/card.png`);
    for (const key of ["fc:miniapp", "fc:frame"]) expect(JSON.parse(meta(doc, key)!)).toMatchObject({ imageUrl: `${canonical()}/card-3x2.png`, button: { action: { url: canonical() } } });
    expect(doc.querySelector('.versions a[href*="?version=1"]')!.getAttribute("href")).toBe(`/${handles.pub}/${dispatch.slug}?version=1`);

    const svg = await reader.fetch(`/${handles.pub}/${dispatch.slug}/card.svg`);
    expect(svg.status).toBe(200);
    expect(await svg.text()).toContain("Mira Member in The Quarterly");
    expect((await reader.fetch(`/${handles.pub}/${dispatch.slug}/card.png`)).headers.get("content-type")).toBe("image/png");
    // The publication has no entry under any other slug, and a writer's own entry is not at the publication's address.
    expect((await reader.fetch(`/${handles.pub}/${solo.slug}`)).status).toBe(404);
  });

  it("moves the writer's address of the entry to the publication's for good, on this origin, keeping the version asked for", async () => {
    const moved = await reader.fetch(`/${handles.mira}/${dispatch.slug}`);
    expect(moved.status).toBe(301);
    expect(new URL(moved.headers.get("location")!, server.url).href).toBe(canonical());
    const version = await reader.fetch(`/${handles.mira}/${dispatch.slug}?version=1`);
    expect(version.status).toBe(301);
    expect(new URL(version.headers.get("location")!, server.url).href).toBe(`${canonical()}?version=1`);
    // The writer's entry outside the publication stays where it was.
    expect((await reader.fetch(`/${handles.mira}/${solo.slug}`)).status).toBe(200);
  });

  it("lists the publication's entries with their writer in its RSS, Atom and JSON Feed, and the writer's and the site's feeds link them at the publication's address", async () => {
    const rss = await (await reader.fetch(`/${handles.pub}/rss.xml`)).text();
    expect(xmlError(rss)).toBeNull();
    const rssFeed = parseRssFeed(rss);
    expect(rssFeed.title).toBe("The Quarterly · Permanent Press");
    expect(rssFeed.items!.map((i) => [i.link, i.dc?.creators])).toEqual([[canonical(), ["Mira Member"]]]);

    const atom = await (await reader.fetch(`/${handles.pub}/atom.xml`)).text();
    expect(xmlError(atom)).toBeNull();
    const atomFeed = parseAtomFeed(atom);
    expect(atomFeed.entries!.map((e) => [e.links![0]!.href, e.authors![0]!.name, e.authors![0]!.uri])).toEqual([[canonical(), "Mira Member", `${server.url}/${handles.mira}`]]);

    const json = parseJsonFeed(await (await reader.fetch(`/${handles.pub}/feed.json`)).json());
    expect(json.items!.map((i) => [i.url, i.authors![0]!.name])).toEqual([[canonical(), "Mira Member"]]);

    const writerFeed = parseJsonFeed(await (await reader.fetch(`/${handles.mira}/feed.json`)).json());
    expect(writerFeed.items!.map((i) => i.url)).toEqual([canonical(), `${server.url}/${handles.mira}/${solo.slug}`]);
    for (const path of ["/rss.xml", "/atom.xml", "/feed.json"]) {
      const text = await (await reader.fetch(path)).text();
      const links = path === "/feed.json" ? parseJsonFeed(JSON.parse(text)).items!.map((i) => i.url) : path === "/rss.xml" ? parseRssFeed(text).items!.map((i) => i.link) : parseAtomFeed(text).entries!.map((e) => e.links![0]!.href);
      expect(links.filter((l) => l === canonical()), path).toHaveLength(1);
      expect(links, path).not.toContain(`${server.url}/${handles.mira}/${dispatch.slug}`);
    }
  });

  it("lists the publication's page and its entry once in the sitemap, at the publication's address", async () => {
    const text = await (await reader.fetch("/sitemap.xml")).text();
    expect(xmlError(text)).toBeNull();
    const locs = [...text.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => m[1]);
    expect(locs.filter((l) => l === canonical())).toHaveLength(1);
    expect(locs).toContain(`${server.url}/${handles.pub}`);
    expect(locs).not.toContain(`${server.url}/${handles.mira}/${dispatch.slug}`);
    expect(locs).toContain(`${server.url}/${handles.mira}/${solo.slug}`);
  });

  it("answers the social web with the publication as a Group and the entry as an Article by its writer, sent by the publication", async () => {
    const actor = (await (await fetch(`${server.url}/${handles.pub}`, { headers: { accept: AS } })).json()) as Record<string, any>;
    expect(actor).toMatchObject({ type: "Group", preferredUsername: handles.pub, name: "The Quarterly", id: `${server.url}/ap/users/${pub.id}` });
    expect(actor.image).toMatchObject({ url: `${env.storage.gatewayUrl}/cover-of-the-quarterly` });
    const person = (await (await fetch(`${server.url}/${handles.mira}`, { headers: { accept: AS } })).json()) as Record<string, any>;
    expect(person.type).toBe("Person");

    const article = (await (await fetch(canonical(), { headers: { accept: AS } })).json()) as Record<string, any>;
    expect(article).toMatchObject({ type: "Article", name: "Dispatch One", attributedTo: `${server.url}/ap/users/${mira.id}`, audience: actor.id, cc: actor.followers });
    expect(JSON.stringify(article.url)).toContain(canonical());

    const outbox = (await (await fetch(actor.outbox, { headers: { accept: AS } })).json()) as Record<string, any>;
    expect(outbox.totalItems).toBe(1);
    const page = (await (await fetch(outbox.first, { headers: { accept: AS } })).json()) as Record<string, any>;
    expect(page.orderedItems.map((a: Record<string, any>) => [a.actor, a.object.id])).toEqual([[actor.id, article.id]]);
    // The writer's own outbox holds only what the writer sent.
    const writerOutbox = (await (await fetch(person.outbox, { headers: { accept: AS } })).json()) as Record<string, any>;
    expect(writerOutbox.totalItems).toBe(1);

    // A new version of the entry goes out from the publication's actor, to its followers.
    await publishRevision(db, env, mira.account, dispatch.draftId, essay("Dispatch One", "Written for the Quarterly, and revised."));
    const activity = await db.fediActivity.findFirstOrThrow({ where: { entryId: dispatch.entryId, type: "Update" } });
    expect(activity).toMatchObject({ writerId: pub.id, audience: "followers" });
  });
});
