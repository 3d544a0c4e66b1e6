import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "~/db.server";
import { getEnv } from "~/env.server";
import { editionRow, entryOnDatabase } from "../support/editions";
import { Browser, runnableScripts, signedInBrowser, startTestServer } from "../support/web";

let server: Awaited<ReturnType<typeof startTestServer>>;
let reader: Browser;
let writer: Browser;
let entryPath: string;
let collectiblePath: string;
let draftPath: string;

beforeAll(async () => {
  server = await startTestServer();
  const db = getDb();
  reader = new Browser(server.url);
  const author = privateKeyToAccount(generatePrivateKey());
  const plain = await entryOnDatabase(db, { writer: author.address, title: "Plain and simple" });
  const collectible = await entryOnDatabase(db, { writer: author.address, title: "Worth keeping" });
  await editionRow(db, { entryId: collectible.entryId, author: author.address, name: "Worth keeping", contentId: collectible.arweaveId });
  const pathOf = async (entryId: string) => {
    const entry = await db.entry.findUniqueOrThrow({ where: { id: entryId }, include: { writer: true } });
    return `/${entry.writer.handle}/${entry.slug}`;
  };
  entryPath = await pathOf(plain.entryId);
  collectiblePath = await pathOf(collectible.entryId);
  writer = await signedInBrowser(server.url, author);
  const created = await writer.fetch("/drafts/new", { method: "POST", body: new FormData() });
  draftPath = created.headers.get("location")!;
  expect(draftPath).toMatch(/^\/drafts\/\w+$/);
});
afterAll(() => server?.stop());

/** A Content-Security-Policy header as directive name → its sources. */
function policyOf(response: Response): Map<string, string[]> {
  const header = response.headers.get("content-security-policy");
  expect(header, `${response.url} has a Content-Security-Policy`).toBeTruthy();
  return new Map(header!.split(";").map((directive) => directive.trim().split(/\s+/)).map(([name, ...sources]) => [name!, sources]));
}


/** Every script the page holds is one its policy lets run: by the response's nonce, or by its address. */
function expectScriptsAllowed(html: string, policy: Map<string, string[]>, base: string) {
  const allowed = policy.get("script-src") ?? [];
  for (const tag of runnableScripts(html)) {
    const nonce = /\snonce="([^"]+)"/.exec(tag)?.[1];
    const src = /\ssrc="([^"]+)"/.exec(tag)?.[1];
    const ok = (nonce !== undefined && allowed.includes(`'nonce-${nonce}'`)) || (src !== undefined && (allowed.includes(new URL(src, base).href) || allowed.includes("'self'")));
    expect(ok, `${tag} runs under script-src ${allowed.join(" ")}`).toBe(true);
  }
}

/** What every page's policy holds, whatever the page. */
function expectPageBasics(policy: Map<string, string[]>) {
  expect(policy.get("default-src")).toEqual(["'none'"]);
  expect(policy.get("object-src")).toEqual(["'none'"]);
  expect(policy.get("base-uri")).toEqual(["'none'"]);
  expect(policy.get("form-action")).toEqual(["'self'"]);
  expect(policy.get("style-src")).toContain("'self'");
  expect(policy.get("style-src")).not.toContain("'unsafe-inline'");
  expect(policy.get("img-src")).toEqual(expect.arrayContaining(["'self'", "data:", "https:", new URL(getEnv().storage.gatewayUrl).origin]));
}

/** The headers every response carries. */
function expectEveryResponseHeaders(response: Response) {
  expect(response.headers.get("x-content-type-options")).toBe("nosniff");
  expect(response.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
}

/** A page no one may frame. */
function expectUnframeable(response: Response, policy: Map<string, string[]>) {
  expect(policy.get("frame-ancestors")).toEqual(["'none'"]);
  expect(response.headers.get("x-frame-options")).toBe("DENY");
}

describe("reading pages run no script, or only the edition script by its address", () => {
  it("an entry page allows no script at all, and no inline style, for anonymous readers and from the page cache alike", async () => {
    const first = await reader.fetch(entryPath);
    expect(first.status).toBe(200);
    expect(first.headers.get("x-page-cache")).toBe("miss");
    const kept = await reader.fetch(entryPath);
    expect(kept.headers.get("x-page-cache")).toBe("hit");
    for (const response of [first, kept]) {
      const html = await response.text();
      const policy = policyOf(response);
      expectEveryResponseHeaders(response);
      expectPageBasics(policy);
      expect(policy.get("script-src")).toEqual(["'none'"]);
      expect(policy.get("connect-src")).toEqual(["'none'"]);
      expect(response.headers.get("content-security-policy")).not.toContain("nonce-");
      expect(runnableScripts(html)).toEqual([]);
      expect(html).not.toMatch(/\sstyle="/);
    }
    expect(kept.headers.get("content-security-policy")).toBe(first.headers.get("content-security-policy"));
  });

  it("a collectible entry allows exactly its edition script, by its address, with no nonce to go stale in the page cache", async () => {
    const response = await reader.fetch(collectiblePath);
    expect(response.status).toBe(200);
    const html = await response.text();
    const policy = policyOf(response);
    expectPageBasics(policy);
    const scripts = runnableScripts(html);
    expect(scripts).toHaveLength(1);
    const src = /\ssrc="([^"]+)"/.exec(scripts[0]!)![1]!;
    expect(src).toMatch(/^\/build\/scripts\/edition-\w+\.js$/);
    expect(policy.get("script-src")).toEqual([`${server.url}${src}`]);
    // The script asks the press about the edition; wallets reach the chain themselves.
    expect(policy.get("connect-src")).toEqual(["'self'"]);
    expect(response.headers.get("content-security-policy")).not.toContain("nonce-");
    expect((await reader.fetch(collectiblePath)).headers.get("x-page-cache")).toBe("hit");
  });

  it("an entry page may be framed only by Farcaster's web clients, which its mini-app embed opens it in", async () => {
    const response = await reader.fetch(entryPath);
    expect(policyOf(response).get("frame-ancestors")).toEqual(["'self'", "https://farcaster.xyz", "https://*.farcaster.xyz", "https://warpcast.com", "https://*.warpcast.com"]);
    // X-Frame-Options cannot name those sites; DENY would contradict frame-ancestors in older browsers.
    expect(response.headers.get("x-frame-options")).toBeNull();
    expect(await response.text()).toContain('name="fc:miniapp"');
  });

  it("the home page and a writer's page run no script and cannot be framed", async () => {
    for (const path of ["/", entryPath.split("/").slice(0, 2).join("/")]) {
      const response = await reader.fetch(path);
      const policy = policyOf(response);
      expectEveryResponseHeaders(response);
      expectPageBasics(policy);
      expect(policy.get("script-src"), path).toEqual(["'none'"]);
      expectUnframeable(response, policy);
      expect(runnableScripts(await response.text()), path).toEqual([]);
    }
  });
});

describe("a writer's pages run the client bundle by a nonce fresh for each response", () => {
  it("the editor and the settings allow 'self' and this response's nonce, which every inline script carries", async () => {
    for (const path of [draftPath, "/settings/profile", "/drafts"]) {
      const response = await writer.fetch(path);
      expect(response.status, path).toBe(200);
      const html = await response.text();
      const policy = policyOf(response);
      expectEveryResponseHeaders(response);
      expectPageBasics(policy);
      const nonce = policy.get("script-src")!.find((source) => source.startsWith("'nonce-"));
      expect(policy.get("script-src"), path).toEqual(["'self'", nonce]);
      // Tiptap's injected editor styles carry the same nonce.
      expect(policy.get("style-src"), path).toEqual(["'self'", nonce]);
      expect(policy.get("connect-src"), path).toEqual(["'self'"]);
      expectUnframeable(response, policy);
      expect(runnableScripts(html).some((tag) => !/\ssrc=/.test(tag)), `${path} has inline scripts`).toBe(true);
      expectScriptsAllowed(html, policy, server.url);
      expect(html, path).not.toMatch(/\sstyle="/);
    }
  });

  it("never repeats a nonce", async () => {
    const nonces = new Set<string>();
    for (let i = 0; i < 5; i++) nonces.add(/'nonce-([^']+)'/.exec((await writer.fetch("/drafts")).headers.get("content-security-policy")!)![1]!);
    expect(nonces.size).toBe(5);
  });

  it("an error page allows what it loads and no more, and cannot be framed", async () => {
    const missingPage = await reader.fetch("/no/such/page/here");
    expect(missingPage.status).toBe(404);
    const missingDraft = await writer.fetch("/drafts/does-not-exist");
    expect(missingDraft.status).toBe(404);
    for (const response of [missingPage, missingDraft]) {
      const policy = policyOf(response);
      expectPageBasics(policy);
      expectUnframeable(response, policy);
      expectScriptsAllowed(await response.text(), policy, server.url);
    }
  });
});

describe("responses that are not pages load nothing and cannot be framed", () => {
  it("feeds, share cards, JSON and static assets carry the locked-down policy", async () => {
    const entry = await reader.fetch(collectiblePath);
    const script = /<script[^>]*\ssrc="([^"]+)"/.exec(await entry.text())![1]!;
    for (const path of ["/rss.xml", "/feed.json", `${entryPath}/card.svg`, "/robots.txt", script]) {
      const response = await reader.fetch(path);
      expect(response.status, path).toBe(200);
      expectEveryResponseHeaders(response);
      expect(response.headers.get("content-security-policy"), path).toBe("default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
      expect(response.headers.get("x-frame-options"), path).toBe("DENY");
    }
  });

  it("a redirect and a missing feed carry it too", async () => {
    for (const response of [await reader.fetch("/drafts"), await reader.fetch("/nobody-writes-here/rss.xml")]) {
      expect(response.headers.get("content-security-policy")).toContain("default-src 'none'");
      expect(response.headers.get("x-frame-options")).toBe("DENY");
    }
  });
});
