import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "~/db.server";
import { signedInBrowser, startTestServer } from "../support/web";

let server: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

describe("a form posted to the press from another site", () => {
  it("is refused with 403 saying so, on pages and on resource routes alike, and changes nothing", async () => {
    const account = privateKeyToAccount(generatePrivateKey());
    const writer = await signedInBrowser(server.url, account);
    const form = () => {
      const body = new FormData();
      body.set("handle", "taken-over");
      body.set("displayName", "Someone else");
      return body;
    };
    for (const path of ["/settings/profile", "/settings/subscribers", "/signout", "/following"]) {
      const response = await writer.fetch(path, { method: "POST", headers: { origin: "https://evil.example" }, body: form() });
      expect(response.status, path).toBe(403);
      expect(await response.text(), path).toBe("This request came from another site and was refused.");
    }
    const stored = await getDb().writer.findUniqueOrThrow({ where: { address: account.address.toLowerCase() } });
    expect(stored.handle).toBeNull();
    expect(writer.signedIn).toBe(true);

    const own = await writer.fetch("/settings/profile", { method: "POST", headers: { origin: server.url }, body: form() });
    expect(own.status).toBe(302);
    expect((await getDb().writer.findUniqueOrThrow({ where: { address: account.address.toLowerCase() } })).handle).toBe("taken-over");
  });
});
