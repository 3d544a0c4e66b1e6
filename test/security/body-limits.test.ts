import path from "node:path";
import type { ServerBuild } from "@remix-run/node";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "~/db.server";
import { deployMigrations } from "../../scripts/lib/migrations";
import { Browser, startTestServer } from "../support/web";

let server: Awaited<ReturnType<typeof startTestServer>>;
let handle: string;
beforeAll(async () => {
  // A database of its own: the subscription this file makes queues mail no other file expects.
  process.env.DATABASE_URL = `file:${path.join(process.env.DATA_DIR!, `body-limits-${Date.now()}.db`)}`;
  await deployMigrations(process.env.DATABASE_URL);
  server = await startTestServer();
  handle = `limits-${Date.now().toString(36)}`;
  await getDb().writer.create({ data: { address: privateKeyToAccount(generatePrivateKey()).address.toLowerCase(), handle, displayName: "Limits Writer" } });
  // The first requests load and compile what the server needs: not what the measurements are about.
  await new Browser(server.url).fetch(`/subscribe/${handle}`);
  await new Browser(server.url).fetch(`/subscribe/${handle}`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "intent=follow" });
});
afterAll(() => server?.stop());

const MB = 1024 * 1024;

/** `total` bytes of `fill`, produced 64 KB at a time: the test never holds the body it sends. */
function streamed(total: number, fill = "a"): ReadableStream<Uint8Array> {
  const chunk = new TextEncoder().encode(fill.repeat(64 * 1024));
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

/**
 * POSTs `total` bytes of `type` to `path`, declared (Content-Length) or chunked, and measures how
 * much the resident memory of this process (which hosts the server) grew meanwhile.
 */
async function flood(browser: Browser, path: string, type: string, total: number, declared: boolean) {
  global.gc?.();
  const before = process.memoryUsage().rss;
  const headers: Record<string, string> = { "content-type": type, origin: server.url };
  if (declared) headers["content-length"] = String(total);
  const response = await browser.fetch(path, { method: "POST", headers, body: streamed(total), duplex: "half" } as RequestInit);
  const text = await response.text();
  return { status: response.status, connection: response.headers.get("connection"), text, grewMb: (process.memoryUsage().rss - before) / MB };
}

async function signedIn(): Promise<Browser> {
  const account = privateKeyToAccount(generatePrivateKey());
  const browser = new Browser(server.url);
  const { message } = (await (await browser.postJson("/auth/siwe", { intent: "message", address: account.address })).json()) as { message: string };
  const verified = await browser.postJson("/auth/siwe", { intent: "verify", message, signature: await account.signMessage({ message }) });
  expect(verified.status).toBe(200);
  return browser;
}

describe("an anonymous 200 MB form posted to a subscribe page", () => {
  for (const declared of [true, false]) {
    it(`is refused with 413 before it is read, ${declared ? "its length declared" : "sent chunked"}, and the server's memory stays flat`, async () => {
      const result = await flood(new Browser(server.url), `/subscribe/${handle}`, "application/x-www-form-urlencoded", 200 * MB, declared);
      expect(result.status).toBe(413);
      expect(result.connection).toBe("close");
      expect(result.text).toContain("This form is larger than 16 KB");
      expect(result.grewMb).toBeLessThan(48);
    });
  }

  it("refuses a body of a type the form does not take with 415, saying what it takes", async () => {
    const response = await new Browser(server.url).fetch(`/subscribe/${handle}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ intent: "email", email: "x@example.com" }) });
    expect(response.status).toBe(415);
    expect(await response.text()).toContain("This address takes a form (application/x-www-form-urlencoded or multipart/form-data), not application/json.");
  });

  it("leaves the subscribe form working afterwards: a normal subscription is taken and confirmed by mail", async () => {
    const email = `reader-${Date.now().toString(36)}@example.com`;
    const response = await new Browser(server.url).fetch(`/subscribe/${handle}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ intent: "email", email }).toString(),
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain(email);
    expect(await getDb().subscriber.findFirst({ where: { email, writer: { handle } } })).toMatchObject({ status: "pending" });
  });
});

describe("a writer's oversized bodies", () => {
  it("refuses a JSON body sent chunked past its limit (an autosave of 200 MB) with 413, memory flat", async () => {
    const writer = await signedIn();
    const draft = (await writer.fetch("/drafts/new", { method: "POST" })).headers.get("location")!;
    const result = await flood(writer, `${draft}/save`, "application/json", 200 * MB, false);
    expect(result.status).toBe(413);
    expect(JSON.parse(result.text)).toEqual({ error: "This request is larger than 2.1 MB." });
    expect(result.grewMb).toBeLessThan(48);
  });

  for (const declared of [true, false]) {
    it(`refuses a 200 MB multipart image upload with 413, ${declared ? "its length declared" : "sent chunked"}, memory flat`, async () => {
      const writer = await signedIn();
      const result = await flood(writer, "/uploads/images", "multipart/form-data; boundary=x", 200 * MB, declared);
      expect(result.status).toBe(413);
      expect(JSON.parse(result.text)).toEqual({ error: "This upload is larger than 5 MB." });
      expect(result.grewMb).toBeLessThan(48);
    });
  }
});

/**
 * Every action of the app, with a path that reaches it and the kinds of body it takes. A route
 * that gains an action must be added here, with its limits, or the first test fails.
 */
const ACTIONS: Record<string, { path: string; takes: Record<string, number> }> = {
  "routes/auth.siwe": { path: "/auth/siwe", takes: { json: 16 * 1024 } },
  "routes/dev.wallet": { path: "/dev/wallet", takes: { json: 64 * 1024 } },
  "routes/drafts.$id.publish": { path: "/drafts/x/publish", takes: { json: 16 * 1024 } },
  "routes/drafts.$id.save": { path: "/drafts/x/save", takes: { json: 2 * MB + 64 * 1024 } },
  "routes/drafts._index": { path: "/drafts?index", takes: { urlencoded: 16 * 1024, multipart: 16 * 1024 } },
  "routes/drafts.new": { path: "/drafts/new", takes: { urlencoded: 16 * 1024, multipart: MB + 16 * 1024 } },
  "routes/editions.$id.collect": { path: "/editions/x/collect", takes: { json: 8 * 1024 } },
  "routes/editions.$id.withdraw": { path: "/editions/x/withdraw", takes: { json: 1024 } },
  "routes/entries.$id.edit": { path: "/entries/x/edit", takes: { urlencoded: 16 * 1024, multipart: 16 * 1024 } },
  "routes/entries.$id.edition.api": { path: "/entries/x/edition/api", takes: { json: 16 * 1024 } },
  // A reply to a post on the social web: 5,000 characters of up to 4 bytes, percent-encoded or not, besides the fields.
  "routes/following": { path: "/following", takes: { urlencoded: 5000 * 12 + 16 * 1024, multipart: 5000 * 4 + 16 * 1024 } },
  "routes/settings.imports_.$digest": { path: "/settings/imports/x", takes: { urlencoded: 16 * 1024, multipart: 16 * 1024 } },
  "routes/settings.profile": { path: "/settings/profile", takes: { urlencoded: 16 * 1024, multipart: 5 * MB + 16 * 1024 } },
  // A publication's settings: its avatar and its cover may come in one form.
  "routes/settings.publications.$id": { path: "/settings/publications/x", takes: { urlencoded: 16 * 1024, multipart: 10 * MB + 16 * 1024 } },
  "routes/settings.publications.$id_.members": { path: "/settings/publications/x/members", takes: { json: 4 * 1024 } },
  "routes/settings.publications.record": { path: "/settings/publications/record", takes: { json: 16 * 1024 } },
  "routes/settings.publications_.$id.domain": { path: "/settings/publications/x/domain", takes: { urlencoded: 16 * 1024, multipart: 16 * 1024 } },
  "routes/settings.responses": { path: "/settings/responses", takes: { urlencoded: 16 * 1024, multipart: 16 * 1024 } },
  "routes/settings.subscribers": { path: "/settings/subscribers", takes: { urlencoded: 16 * 1024, multipart: 10 * MB + 16 * 1024 } },
  "routes/signout": { path: "/signout", takes: { urlencoded: 16 * 1024, multipart: 16 * 1024 } },
  "routes/subscribe.$handle": { path: "/subscribe/someone", takes: { urlencoded: 16 * 1024, multipart: 16 * 1024 } },
  "routes/subscriptions.confirm": { path: "/subscriptions/confirm", takes: { urlencoded: 16 * 1024, multipart: 16 * 1024 } },
  "routes/subscriptions.preferences": { path: "/subscriptions/preferences?token=x", takes: { urlencoded: 16 * 1024, multipart: 16 * 1024 } },
  "routes/unsubscribe": { path: "/unsubscribe?token=x", takes: { urlencoded: 16 * 1024, multipart: 16 * 1024, text: 16 * 1024 } },
  "routes/uploads.images": { path: "/uploads/images", takes: { multipart: 5 * MB + 16 * 1024 } },
};

const TYPES: Record<string, string> = { json: "application/json", urlencoded: "application/x-www-form-urlencoded", multipart: "multipart/form-data; boundary=x", text: "text/plain" };

describe("every action's body limits", () => {
  it("lists every route that has an action", () => {
    const build = require(path.resolve(__dirname, "../../build/server/index.js")) as ServerBuild;
    const withActions = Object.values(build.routes).filter((route) => route.module.action).map((route) => route.id);
    expect(withActions.sort()).toEqual(Object.keys(ACTIONS).sort());
  });

  for (const [id, { path, takes }] of Object.entries(ACTIONS)) {
    it(`${id}: one byte past each limit is refused with 413, chunked, and an unexpected type with 415`, async () => {
      const writer = await signedIn();
      for (const [kind, limit] of Object.entries(takes)) {
        const result = await flood(writer, path, TYPES[kind]!, limit + 1, false);
        expect({ kind, status: result.status, connection: result.connection }).toEqual({ kind, status: 413, connection: "close" });
      }
      for (const type of ["application/xml", "application/octet-stream", ...Object.keys(TYPES).filter((kind) => !(kind in takes)).map((kind) => TYPES[kind]!)]) {
        const result = await flood(writer, path, type, 10, true);
        expect({ type, status: result.status }).toEqual({ type, status: 415 });
      }
    });
  }
});
