import crypto from "node:crypto";
import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "~/db.server";
import { getEnv } from "~/env.server";
import { fetchData } from "~/modules/storage/gateway.server";
import { runOutboxOnce } from "~/modules/storage/outbox.server";
import { randomPng } from "../support/png";
import { Browser, signedInBrowser, startTestServer } from "../support/web";

let server: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

const signIn = (account: PrivateKeyAccount) => signedInBrowser(server.url, account);

const doc = (text: string) => ({ type: "doc", content: [{ type: "heading", attrs: { level: 2 }, content: [{ type: "text", text: "A heading" }] }, { type: "paragraph", content: [{ type: "text", text }] }] });

describe("a writer's session", () => {
  it("signs in over HTTP with an HttpOnly, SameSite=Lax cookie, and refuses the same signature twice", async () => {
    const account = privateKeyToAccount(generatePrivateKey());
    const browser = new Browser(server.url);
    const { message } = (await (await browser.postJson("/auth/siwe", { intent: "message", address: account.address })).json()) as { message: string };
    const signature = await account.signMessage({ message });
    const first = await browser.postJson("/auth/siwe", { intent: "verify", message, signature });
    const cookie = first.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/^press_session=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Max-Age=2592000/);

    const replay = await new Browser(server.url).postJson("/auth/siwe", { intent: "verify", message, signature });
    expect(replay.status).toBe(401);
    expect(await replay.json()).toEqual({ error: "This sign-in message was already used: sign in again." });
  });

  it("answers malformed sign-in requests with a 400 and a message", async () => {
    const browser = new Browser(server.url);
    const bad = await browser.fetch("/auth/siwe", { method: "POST", headers: { "content-type": "application/json" }, body: "{not json" });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: "The request body is not valid JSON." });
    const notAnAddress = await browser.postJson("/auth/siwe", { intent: "message", address: "0x1234" });
    expect(notAnAddress.status).toBe(400);
    expect(await notAnAddress.json()).toEqual({ error: "That is not an Ethereum address." });
    const foreign = await browser.fetch("/auth/siwe", { method: "POST", headers: { "content-type": "application/json", origin: "https://evil.example" }, body: "{}" });
    expect(foreign.status).toBe(403);
  });

  it("keeps signed-out visitors out of the writer's pages, and signs out", async () => {
    const visitor = new Browser(server.url);
    const drafts = await visitor.fetch("/drafts");
    expect(drafts.status).toBe(302);
    expect(drafts.headers.get("location")).toBe("/signin?next=%2Fdrafts");
    const save = await visitor.postJson("/drafts/anything/save", { title: "", document: doc("x"), baseRevision: 1 });
    expect(save.status).toBe(401);

    const writer = await signIn(privateKeyToAccount(generatePrivateKey()));
    expect((await writer.fetch("/drafts")).status).toBe(200);
    const out = await writer.fetch("/signout", { method: "POST" });
    expect(out.status).toBe(302);
    expect(writer.signedIn).toBe(false);
    expect((await writer.fetch("/drafts")).status).toBe(302);
  });
});

describe("profiles", () => {
  it("sets a handle, name, bio and avatar, and serves the writer's page at the handle", async () => {
    const account = privateKeyToAccount(generatePrivateKey());
    const writer = await signIn(account);
    const handle = `ada-${crypto.randomBytes(3).toString("hex")}`;
    const avatar = randomPng();
    const form = new FormData();
    form.set("handle", handle.toUpperCase());
    form.set("displayName", "Ada Lovelace");
    form.set("bio", "Notes on the analytical engine.");
    form.set("avatar", new Blob([new Uint8Array(avatar)], { type: "image/png" }), "me.png");
    const saved = await writer.fetch("/settings/profile", { method: "POST", body: form });
    expect(saved.status).toBe(302);
    expect(saved.headers.get("location")).toBe(`/${handle}`);

    const page = await new Browser(server.url).fetch(`/${handle}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("<h1>Ada Lovelace</h1>");
    expect(html).toContain("Notes on the analytical engine.");
    const avatarId = /src="[^"]*\/([A-Za-z0-9_-]{43})"/.exec(html)?.[1];
    expect(avatarId).toBeDefined();
    // The worker's outbox stores it on Arweave.
    await runOutboxOnce(getDb(), getEnv());
    expect(await fetchData(avatarId!, getEnv().storage.gatewayUrl)).toEqual(avatar);

    const rival = await signIn(privateKeyToAccount(generatePrivateKey()));
    const taken = new FormData();
    taken.set("handle", handle);
    const refused = await rival.fetch("/settings/profile", { method: "POST", body: taken });
    expect(refused.status).toBe(409);
    expect(await refused.text()).toContain(`The handle “${handle}” is taken.`);
  });

  it("refuses reserved and malformed handles with a 422", async () => {
    const writer = await signIn(privateKeyToAccount(generatePrivateKey()));
    for (const [handle, message] of [["drafts", "That handle is reserved."], ["following", "That handle is reserved."], ["editions", "That handle is reserved."], ["-x-", "A handle uses letters, digits and inner hyphens only."], ["ab", "A handle has at least 3 characters."]]) {
      const form = new FormData();
      form.set("handle", handle!);
      const response = await writer.fetch("/settings/profile", { method: "POST", body: form });
      expect(response.status).toBe(422);
      expect(await response.text()).toContain(message);
    }
  });
});

describe("images", () => {
  it("stores an image on Arweave and refuses files that are not images, or too large", async () => {
    const writer = await signIn(privateKeyToAccount(generatePrivateKey()));
    const upload = (bytes: Buffer, type: string, name: string) => {
      const form = new FormData();
      form.set("file", new Blob([new Uint8Array(bytes)], { type }), name);
      return writer.fetch("/uploads/images", { method: "POST", body: form });
    };
    const image = randomPng();
    const ok = await upload(image, "image/png", "figure.png");
    expect(ok.status).toBe(200);
    const { id } = (await ok.json()) as { id: string };
    await runOutboxOnce(getDb(), getEnv());
    expect(await fetchData(id, getEnv().storage.gatewayUrl)).toEqual(image);

    const svg = await upload(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), "image/svg+xml", "x.svg");
    expect(svg.status).toBe(415);
    expect(((await svg.json()) as { error: string }).error).toMatch(/^Only PNG, JPEG, GIF, WEBP, AVIF images can be uploaded\.$/);
    const lying = await upload(image, "image/jpeg", "x.jpg");
    expect(lying.status).toBe(415);
    const huge = await upload(Buffer.concat([image, crypto.randomBytes(6 * 1024 * 1024)]), "image/png", "big.png");
    expect(huge.status).toBe(413);
  });
});

describe("drafts", () => {
  it("creates, autosaves, refuses a stale save, lists, exports and deletes", async () => {
    const writer = await signIn(privateKeyToAccount(generatePrivateKey()));
    const created = await writer.fetch("/drafts/new", { method: "POST" });
    expect(created.status).toBe(302);
    const path = created.headers.get("location")!;
    expect(path).toMatch(/^\/drafts\/[a-z0-9]+$/);
    const editor = await writer.fetch(path);
    expect(editor.status).toBe(200);

    const first = await writer.postJson(`${path}/save`, { title: "On Permanence", document: doc("Words that stay."), baseRevision: 1 });
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ revision: 2, wordCount: 5 });

    const staleTab = await writer.postJson(`${path}/save`, { title: "Overwrite", document: doc("Lost words."), baseRevision: 1 });
    expect(staleTab.status).toBe(409);
    const conflict = (await staleTab.json()) as { error: string; currentRevision: number };
    expect(conflict.currentRevision).toBe(2);
    expect(conflict.error).toMatch(/changed in another tab or on another device/);

    const list = await (await writer.fetch("/drafts")).text();
    expect(list).toContain("On Permanence");
    expect(list).not.toContain("Overwrite");

    const markdown = await writer.fetch(`${path}/markdown`);
    expect(markdown.headers.get("content-disposition")).toBe('attachment; filename="on-permanence.md"');
    expect(await markdown.text()).toBe("# On Permanence\n\n## A heading\n\nWords that stay.\n");

    const stranger = await signIn(privateKeyToAccount(generatePrivateKey()));
    expect((await stranger.fetch(path)).status).toBe(404);
    expect((await stranger.postJson(`${path}/save`, { title: "x", document: doc("x"), baseRevision: 2 })).status).toBe(404);

    const form = new FormData();
    form.set("intent", "delete");
    form.set("id", path.split("/").pop()!);
    expect((await writer.fetch("/drafts", { method: "POST", body: form })).status).toBe(302);
    expect(await (await writer.fetch("/drafts")).text()).not.toContain("On Permanence");
    expect((await writer.fetch(path)).status).toBe(404);
  });

  it("refuses a hostile document with a 400 and keeps the stored draft as it was", async () => {
    const writer = await signIn(privateKeyToAccount(generatePrivateKey()));
    const path = (await writer.fetch("/drafts/new", { method: "POST" })).headers.get("location")!;
    await writer.postJson(`${path}/save`, { title: "Safe", document: doc("Kept."), baseRevision: 1 });
    const hostile = { type: "doc", content: [{ type: "paragraph", content: [{ type: "text", text: "click", marks: [{ type: "link", attrs: { href: "javascript:alert(1)" } }] }] }] };
    const refused = await writer.postJson(`${path}/save`, { title: "Evil", document: hostile, baseRevision: 2 });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: string }).error).toMatch(/javascript:/);
    expect(await (await writer.fetch(`${path}/markdown`)).text()).toBe("# Safe\n\n## A heading\n\nKept.\n");
  });

  it("imports a Markdown file as a new draft, title from its first heading", async () => {
    const writer = await signIn(privateKeyToAccount(generatePrivateKey()));
    const form = new FormData();
    form.set("markdown", new Blob(["# Imported essay\n\nSome *emphasis* and a [link](https://example.com).\n\n- one\n- two\n"], { type: "text/markdown" }), "essay.md");
    const created = await writer.fetch("/drafts/new", { method: "POST", body: form });
    expect(created.status).toBe(302);
    const exported = await (await writer.fetch(`${created.headers.get("location")}/markdown`)).text();
    expect(exported).toMatch(/^# Imported essay\n\nSome ([*_])emphasis\1 and a \[link\]\(https:\/\/example\.com\)\.\n\n[-*] one\n[-*] two\n$/);
  });
});
