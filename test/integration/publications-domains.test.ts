import http from "node:http";
import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, type Database } from "~/db.server";
import { parseEnv, type Env } from "~/env.server";
import { CHECKS_PER_HOUR } from "~/modules/publications/domains.server";
import { deployMigrations } from "../../scripts/lib/migrations";
import { freePort } from "../../scripts/local/service";
import { databaseProviders, freshDatabase, type TestDatabase } from "../support/databases";
import { startDnsServer, type DnsServer, type TxtTable } from "../support/dns";
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
  /** The DNS zone owners edit: the press asks the server that answers from it. */
  const zone: TxtTable = new Map();
  let dns: DnsServer;

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
  const post = (tab: Browser, accountId: string, fields: Record<string, string>) =>
    tab.fetch(`/settings/publications/${accountId}/domain`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(fields).toString() });
  const setDomain = (tab: Browser, accountId: string, domain: string) => post(tab, accountId, { domain });
  const checkNow = (tab: Browser, accountId: string) => post(tab, accountId, { intent: "check" });
  const decoded = (html: string) => html.replaceAll("&quot;", '"').replaceAll("&#x27;", "'").replaceAll("&amp;", "&");

  /** The TXT record the settings page asks its owner to add, as the page shows it. */
  async function recordShown(tab: Browser, accountId: string, domain: string): Promise<string> {
    const page = await (await tab.fetch(`/settings/publications/${accountId}/domain`)).text();
    expect(page).toContain(`<code>_permanent-press.${domain}</code>`);
    const value = /<code>(permanent-press-verification=[0-9a-f]{32})<\/code>/.exec(page);
    expect(value, page).not.toBeNull();
    return value![1]!;
  }

  /** Claims `domain` for the publication, adds the record its page shows to the zone, and checks it. */
  async function claimAndProve(tab: Browser, accountId: string, domain: string) {
    expect((await setDomain(tab, accountId, domain)).status).toBe(200);
    zone.set(`_permanent-press.${domain}`, [await recordShown(tab, accountId, domain)]);
    const checked = await checkNow(tab, accountId);
    expect(checked.status).toBe(200);
    expect(await checked.text()).toContain(`Proved: the publication is served at ${domain} now.`);
  }

  beforeAll(async () => {
    port = await freePort();
    dns = await startDnsServer(zone);
    database = await freshDatabase(provider);
    await deployMigrations(database.url);
    db = createDatabase(database.url);
    const settings = { DATABASE_URL: database.url, PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, DNS_SERVERS: dns.address };
    env = parseEnv({ ...process.env, ...settings });
    server = await startChildServer(settings);
    press = `127.0.0.1:${port}`;
    quarterly = `quarterly.test:${port}`;
    owner = account();
    const created = await createPublication(db, env, owner, { name: "The Quarterly Review", handle: `quarterly-${port}` });
    publication = { id: created.id, handle: `quarterly-${port}` };
    ownerTab = await signedInBrowser(server.url, owner);
    // The owner claims the name, adds the TXT record the page shows, and checks it.
    const saved = await setDomain(ownerTab, publication.id, "Quarterly.Test");
    expect(saved.status).toBe(200);
    expect(await saved.text()).toContain("quarterly.test waits for proof that you hold it");
    zone.set("_permanent-press.quarterly.test", ["v=spf1 -all", await recordShown(ownerTab, publication.id, "quarterly.test")]);
    expect((await checkNow(ownerTab, publication.id)).status).toBe(200);

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
    await dns?.stop();
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

  it("lets only the owner set and check the domain, refuses one another publication is served at, and moves only once the new name is proved", async () => {
    const editor = account();
    await signMembership(db, env, owner, publication.id, editor.address, "editor");
    const editorTab = await signedInBrowser(server.url, editor);
    const byEditor = await setDomain(editorTab, publication.id, "editors.test");
    expect(byEditor.status).toBe(403);
    expect(await byEditor.text()).toContain("A editor of this publication cannot do that.");
    expect((await checkNow(editorTab, publication.id)).status).toBe(403);
    expect(await db.publication.findUniqueOrThrow({ where: { writerId: publication.id } })).toMatchObject({ domain: "quarterly.test", pendingDomain: null });

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
    const nothingWaits = await checkNow(rivalTab, other.id);
    expect(nothingWaits.status).toBe(409);
    expect(await nothingWaits.text()).toContain("No host name is waiting for its TXT record: save one first.");

    // A new name waits for its record: the publication stays at the old one meanwhile.
    const monthly = `monthly.test:${port}`;
    const canonical = (host: string) => `<link rel="canonical" href="http://${host}/${entry.slug}"/>`;
    const waiting = await setDomain(ownerTab, publication.id, "monthly.test");
    expect(waiting.status).toBe(200);
    expect(decoded(await waiting.text())).toContain(`monthly.test waits for proof that you hold it; until then the publication stays at quarterly.test.`);
    expect((await ask(monthly, "/")).status).toBe(421);
    expect((await ask(quarterly, "/")).status).toBe(200);
    expect((await ask(press, `/${publication.handle}/${entry.slug}`)).text).toContain(canonical(quarterly));

    // Saving the name it is served at drops the waiting claim; claimed again, it has a new record.
    const firstRecord = await recordShown(ownerTab, publication.id, "monthly.test");
    const kept = await setDomain(ownerTab, publication.id, "quarterly.test");
    expect(kept.status).toBe(200);
    expect(await kept.text()).not.toContain("_permanent-press.");
    expect(await checkNow(ownerTab, publication.id).then((response) => response.status)).toBe(409);
    expect((await setDomain(ownerTab, publication.id, "monthly.test")).status).toBe(200);
    const record = await recordShown(ownerTab, publication.id, "monthly.test");
    expect(record).not.toBe(firstRecord);

    // Proved: the old name is refused at once, and the entry names the new one.
    zone.set("_permanent-press.monthly.test", [record]);
    expect((await checkNow(ownerTab, publication.id)).status).toBe(200);
    expect((await ask(quarterly, "/")).status).toBe(421);
    const moved = await ask(monthly, `/${entry.slug}`);
    expect(moved.status).toBe(200);
    expect(moved.text).toContain(canonical(monthly));
    expect((await ask(press, `/${publication.handle}/${entry.slug}`)).text).toContain(canonical(monthly));

    // Cleared: served at the press only, its canonical URL there again.
    expect(await (await setDomain(ownerTab, publication.id, "")).text()).toContain("Served at the press only.");
    expect((await ask(monthly, "/")).status).toBe(421);
    expect((await ask(press, `/${publication.handle}/${entry.slug}`)).text).toContain(canonical(`${press}/${publication.handle}`));
  });

  it("serves a claimed name only once its TXT record holds the claim's token, and names no unproved name as canonical", async () => {
    const writer = account();
    const handle = `waiting-${port}`;
    const claimed = await createPublication(db, env, writer, { name: "The Waiting Room", handle });
    const tab = await signedInBrowser(server.url, writer);
    const published = await publishEntry(db, env, writer, { title: "Still at the press", document: essayDocument({ words: 40, seed: 5 }), publicationId: claimed.id });
    expect((await setDomain(tab, claimed.id, "waiting.test")).status).toBe(200);
    const value = await recordShown(tab, claimed.id, "waiting.test");
    const waiting = `waiting.test:${port}`;

    const unproved = async () => {
      expect((await ask(waiting, "/")).status).toBe(421);
      expect((await ask(waiting, `/${published.slug}`)).status).toBe(421);
      const page = await ask(press, `/${handle}/${published.slug}`);
      expect(page.status).toBe(200);
      expect(page.text).toContain(`<link rel="canonical" href="http://${press}/${handle}/${published.slug}"/>`);
      expect(page.text).not.toContain("waiting.test");
      expect((await ask(press, "/sitemap.xml")).text).toContain(`<loc>http://${press}/${handle}</loc>`);
    };
    await unproved();

    const missing = await checkNow(tab, claimed.id);
    expect(missing.status).toBe(404);
    expect(decoded(await missing.text())).toContain("The TXT record was not found yet at _permanent-press.waiting.test: DNS changes can take a while. Check again in a few minutes.");
    // A record holding another token (another publication's, or a typo) proves nothing.
    const wrongValue = `permanent-press-verification=${"0".repeat(32)}`;
    zone.set("_permanent-press.waiting.test", [wrongValue]);
    const wrong = await checkNow(tab, claimed.id);
    expect(wrong.status).toBe(422);
    expect(decoded(await wrong.text())).toContain(`_permanent-press.waiting.test has a TXT record, but none holds ${value}.`);
    await unproved();

    // Saving the same name again keeps its token, so the record once corrected proves it.
    expect((await setDomain(tab, claimed.id, "waiting.test")).status).toBe(200);
    expect(await recordShown(tab, claimed.id, "waiting.test")).toBe(value);
    zone.set("_permanent-press.waiting.test", [value]);
    expect((await checkNow(tab, claimed.id)).status).toBe(200);
    expect((await ask(waiting, "/")).status).toBe(200);
    expect((await ask(press, `/${handle}/${published.slug}`)).text).toContain(`<link rel="canonical" href="http://${waiting}/${published.slug}"/>`);
  });

  it("gives a name to the first publication that proves it, and drops the other's claim with a message", async () => {
    const [first, second] = [account(), account()];
    const firstPublication = await createPublication(db, env, first, { name: "The First" });
    const secondPublication = await createPublication(db, env, second, { name: "The Second" });
    const [firstTab, secondTab] = [await signedInBrowser(server.url, first), await signedInBrowser(server.url, second)];

    // Both claim the name: a claim still waiting for its record blocks no one.
    expect((await setDomain(secondTab, secondPublication.id, "contested.test")).status).toBe(200);
    const secondValue = await recordShown(secondTab, secondPublication.id, "contested.test");
    expect((await setDomain(firstTab, firstPublication.id, "contested.test")).status).toBe(200);
    const firstValue = await recordShown(firstTab, firstPublication.id, "contested.test");
    expect(firstValue).not.toBe(secondValue);

    // Whoever holds the name adds the first's record: the second's check finds no record of its own.
    zone.set("_permanent-press.contested.test", [firstValue]);
    expect((await checkNow(secondTab, secondPublication.id)).status).toBe(422);
    expect((await checkNow(firstTab, firstPublication.id)).status).toBe(200);
    expect((await ask(`contested.test:${port}`, "/")).text).toContain("The First");

    const lost = "Another publication proved it holds contested.test first and is served there, so this claim is dropped. Choose another host name.";
    const page = decoded(await (await secondTab.fetch(`/settings/publications/${secondPublication.id}/domain`)).text());
    expect(page).toContain(lost);
    expect(page).not.toContain(secondValue);
    // Its own record added late wins nothing, and the name can no longer be claimed.
    zone.set("_permanent-press.contested.test", [firstValue, secondValue]);
    const late = await checkNow(secondTab, secondPublication.id);
    expect(late.status).toBe(409);
    expect(decoded(await late.text())).toContain(lost);
    expect((await setDomain(secondTab, secondPublication.id, "contested.test")).status).toBe(409);
    expect((await ask(`contested.test:${port}`, "/")).text).toContain("The First");
  });

  it("answers a DNS server that is down, and too many checks, with a message to wait, never a 500", async () => {
    const writer = account();
    const claimed = await createPublication(db, env, writer, { name: "The Patient" });
    const tab = await signedInBrowser(server.url, writer);
    expect((await setDomain(tab, claimed.id, "patient.test")).status).toBe(200);
    await dns.stop();
    try {
      const down = await checkNow(tab, claimed.id);
      expect(down.status).toBe(503);
      expect(decoded(await down.text())).toMatch(/The DNS servers did not answer for _permanent-press\.patient\.test \(E[A-Z]+\), so the TXT record was not found yet: DNS changes can take a while\./);
    } finally {
      dns = await startDnsServer(zone, dns.port);
    }
    expect((await ask(`patient.test:${port}`, "/")).status).toBe(421);

    // Each check asks DNS on the publication's behalf: a limit per hour, counting the one above.
    for (let check = 2; check <= CHECKS_PER_HOUR.limit; check++) expect((await checkNow(tab, claimed.id)).status).toBe(404);
    const refused = await checkNow(tab, claimed.id);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(decoded(await refused.text())).toContain(`This publication's domain was checked ${CHECKS_PER_HOUR.limit} times this hour, the most the press asks DNS for one publication; try again at`);
  });
});
