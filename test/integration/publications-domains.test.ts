import http from "node:http";
import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, type Database } from "~/db.server";
import { parseEnv, type Env } from "~/env.server";
import { deployMigrations } from "../../scripts/lib/migrations";
import { freePort } from "../../scripts/local/service";
import { databaseProviders, freshDatabase, type TestDatabase } from "../support/databases";
import { essayDocument, publishEntry, writerOf } from "../support/entries";
import { createPublication, signMembership } from "../support/publications";
import { signedInBrowser, startChildServer, type Browser } from "../support/web";

const account = () => privateKeyToAccount(generatePrivateKey());

/** A response as a client naming `host` in its Host header sees it (fetch always sends the URL's own host). */
interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

describe.each(databaseProviders())("a publication at its own domain on %s", (provider) => {
  let database: TestDatabase;
  let db: Database;
  let env: Env;
  let server: { url: string; stop(): Promise<void> };
  let port: number;
  let press: string;
  let quarterly: string;
  let owner: PrivateKeyAccount;
  let ownerTab: Browser;
  let publication: { id: string; handle: string };
  let entry: { slug: string; authorHandle: string; title: string };

  /** One request to the press's server naming `host` (a host name and the server's port). */
  function ask(host: string, path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const request = http.request({ host: "127.0.0.1", port, path, method: init.method ?? "GET", headers: { ...init.headers, host } }, (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => resolve({ status: response.statusCode!, headers: response.headers, text: Buffer.concat(chunks).toString("utf8") }));
      });
      request.once("error", reject);
      request.end(init.body);
    });
  }
  const postJson = (host: string, path: string, body: unknown) => ask(host, path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const setDomain = (tab: Browser, accountId: string, domain: string) =>
    tab.fetch(`/settings/publications/${accountId}/domain`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ domain }).toString() });

  beforeAll(async () => {
    port = await freePort();
    database = await freshDatabase(provider);
    await deployMigrations(database.url);
    db = createDatabase(database.url);
    const settings = { DATABASE_URL: database.url, PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` };
    env = parseEnv({ ...process.env, ...settings });
    server = await startChildServer(settings);
    press = `127.0.0.1:${port}`;
    quarterly = `quarterly.test:${port}`;
    owner = account();
    const created = await createPublication(db, env, owner, { name: "The Quarterly Review", handle: `quarterly-${port}` });
    publication = { id: created.id, handle: `quarterly-${port}` };
    ownerTab = await signedInBrowser(server.url, owner);
    const saved = await setDomain(ownerTab, publication.id, "Quarterly.Test");
    expect(saved.status).toBe(200);
    expect(await saved.text()).toContain("quarterly.test");

    // A member writes an entry in the publication.
    const author = account();
    await signMembership(db, env, owner, publication.id, author.address, "writer");
    const title = "Letters from the Quarterly";
    const authorHandle = `author-${port}`;
    await db.writer.update({ where: { id: (await writerOf(db, author)).id }, data: { handle: authorHandle } });
    const published = await publishEntry(db, env, author, { title, document: essayDocument({ words: 60, seed: 3 }), publicationId: publication.id });
    entry = { slug: published.slug, authorHandle, title };
  });
  afterAll(async () => {
    await server?.stop();
    await db?.$disconnect();
    await database?.drop();
  });

  it("serves the publication's page at / and its entry at /<slug>, each naming its canonical URL on the domain", async () => {
    const home = await ask(quarterly, "/");
    expect(home.status).toBe(200);
    expect(home.text).toContain("The Quarterly Review");
    expect(home.text).toContain(`<link rel="canonical" href="http://quarterly.test:${port}/"/>`);

    const page = await ask(quarterly, `/${entry.slug}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(entry.title);
    const canonical = `http://quarterly.test:${port}/${entry.slug}`;
    expect(page.text).toContain(`<link rel="canonical" href="${canonical}"/>`);
    expect(page.text).toContain(`<meta property="og:url" content="${canonical}"/>`);

    // At the press, under the publication's handle, the same entry declares the domain as its
    // canonical URL; under its author's handle it has moved there for good.
    const underAuthor = await ask(press, `/${entry.authorHandle}/${entry.slug}`);
    expect(underAuthor.status).toBe(301);
    expect(underAuthor.headers.location).toBe(`/${publication.handle}/${entry.slug}`);
    const atPress = await ask(press, `/${publication.handle}/${entry.slug}`);
    expect(atPress.status).toBe(200);
    expect(atPress.text).toContain(`<link rel="canonical" href="${canonical}"/>`);

    expect((await ask(quarterly, "/no-such-entry")).status).toBe(404);
    // The publication's handle path on its own domain leads to the domain's root.
    const byHandle = await ask(quarterly, `/${publication.handle}/${entry.slug}`);
    expect(byHandle.status).toBe(302);
    expect(byHandle.headers.location).toBe(canonical);
  });

  it("serves the publication's feeds, sitemap and robots.txt on its domain, and lists its entries there in every feed", async () => {
    const origin = `http://quarterly.test:${port}`;
    const json = await ask(quarterly, "/feed.json");
    expect(json.status).toBe(200);
    expect(JSON.parse(json.text)).toMatchObject({ home_page_url: `${origin}/`, feed_url: `${origin}/feed.json` });
    const rss = await ask(quarterly, "/rss.xml");
    expect(rss.status).toBe(200);
    expect(rss.text).toContain(`${origin}/rss.xml`);

    // The author's feed at the press links the entry at the publication's domain.
    const authorFeed = JSON.parse((await ask(press, `/${entry.authorHandle}/feed.json`)).text) as { items: { url: string }[] };
    expect(authorFeed.items.map((item) => item.url)).toEqual([`${origin}/${entry.slug}`]);
    const pressFeed = await ask(press, "/atom.xml");
    expect(pressFeed.text).toContain(`${origin}/${entry.slug}`);

    const sitemap = await ask(quarterly, "/sitemap.xml");
    expect(sitemap.status).toBe(200);
    expect([...sitemap.text.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => m[1])).toEqual([`${origin}/`, `${origin}/${entry.slug}`]);
    // The press's own sitemap lists only its own host's pages: the publication is in its domain's.
    const pressSitemap = (await ask(press, "/sitemap.xml")).text;
    expect(pressSitemap).toContain(`<loc>http://${press}/${entry.authorHandle}</loc>`);
    expect(pressSitemap).not.toContain(publication.handle);
    expect(pressSitemap).not.toContain("quarterly.test");
    const robots = await ask(quarterly, "/robots.txt");
    expect(robots.text).toContain(`Sitemap: ${origin}/sitemap.xml`);
    expect((await ask(press, "/robots.txt")).text).toContain(`Sitemap: http://${press}/sitemap.xml`);
  });

  it("sends the press's own pages to the press's host, and refuses a host name it does not serve", async () => {
    const drafts = await ask(quarterly, "/drafts?x=1");
    expect(drafts.status).toBe(302);
    expect(drafts.headers.location).toBe(`http://${press}/drafts?x=1`);
    const settings = await ask(quarterly, `/settings/publications/${publication.id}/domain`);
    expect(settings.headers.location).toBe(`http://${press}/settings/publications/${publication.id}/domain`);

    for (const [host, path] of [["elsewhere.test", "/"], [`elsewhere.test:${port}`, `/${entry.slug}`], [`elsewhere.test:${port}`, "/rss.xml"], [`elsewhere.test:${port}`, `/${entry.authorHandle}/${entry.slug}`], ["bad host", "/"]]) {
      const refused = await ask(host!, path!);
      expect(refused.status).toBe(421);
      expect(refused.text).not.toContain(entry.title);
    }
  });

  it("signs in on the domain with a message naming it, and refuses a message made for the other host", async () => {
    const reader = account();
    const issued = await postJson(quarterly, "/auth/siwe", { intent: "message", address: reader.address });
    expect(issued.status).toBe(200);
    const { message } = JSON.parse(issued.text) as { message: string };
    expect(message.split("\n")[0]).toBe(`quarterly.test:${port} wants you to sign in with your Ethereum account:`);
    expect(message).toContain(`URI: http://quarterly.test:${port}`);

    // The same message sent to the press's host is refused, and it stays unused there.
    const elsewhere = await postJson(press, "/auth/siwe", { intent: "verify", message, signature: await reader.signMessage({ message }) });
    expect(elsewhere.status).toBe(401);
    expect(JSON.parse(elsewhere.text).error).toBe(`This message is for quarterly.test:${port}, not ${press}.`);

    const verified = await postJson(quarterly, "/auth/siwe", { intent: "verify", message, signature: await reader.signMessage({ message }) });
    expect(verified.status).toBe(200);
    const cookie = [verified.headers["set-cookie"]].flat()[0]!;
    expect(cookie).toMatch(/^press_session=/);
    // A host-only cookie: the browser sends it back to this domain alone.
    expect(cookie.toLowerCase()).not.toContain("domain=");

    const forPress = JSON.parse((await postJson(press, "/auth/siwe", { intent: "message", address: reader.address })).text) as { message: string };
    const refused = await postJson(quarterly, "/auth/siwe", { intent: "verify", message: forPress.message, signature: await reader.signMessage({ message: forPress.message }) });
    expect(refused.status).toBe(401);
  });

  it("lets only the owner set the domain, refuses one another publication has, and stops serving the old one at once", async () => {
    const editor = account();
    await signMembership(db, env, owner, publication.id, editor.address, "editor");
    const editorTab = await signedInBrowser(server.url, editor);
    const byEditor = await setDomain(editorTab, publication.id, "editors.test");
    expect(byEditor.status).toBe(403);
    expect(await byEditor.text()).toContain("A editor of this publication cannot do that.");
    expect((await db.publication.findUniqueOrThrow({ where: { writerId: publication.id } })).domain).toBe("quarterly.test");

    const rival = account();
    const other = await createPublication(db, env, rival, { name: "The Rival" });
    const rivalTab = await signedInBrowser(server.url, rival);
    const taken = await setDomain(rivalTab, other.id, "quarterly.test");
    expect(taken.status).toBe(409);
    expect(await taken.text()).toContain("Another publication is already served at quarterly.test.");
    expect((await setDomain(rivalTab, publication.id, "rival.test")).status).toBe(403);
    for (const bad of ["127.0.0.1", "https://rival.test/", "rival.test:8080", "10.0.0.1", "nodots", `${"a".repeat(64)}.test`]) {
      expect((await setDomain(rivalTab, other.id, bad)).status, bad).toBe(400);
    }

    // Moved: the old name is refused at once, and the entry names the new one.
    expect((await setDomain(ownerTab, publication.id, "monthly.test")).status).toBe(200);
    expect((await ask(quarterly, "/")).status).toBe(421);
    const moved = await ask(`monthly.test:${port}`, `/${entry.slug}`);
    expect(moved.status).toBe(200);
    expect(moved.text).toContain(`<link rel="canonical" href="http://monthly.test:${port}/${entry.slug}"/>`);
    const atPress = await ask(press, `/${publication.handle}/${entry.slug}`);
    expect(atPress.text).toContain(`<link rel="canonical" href="http://monthly.test:${port}/${entry.slug}"/>`);
  });
});
