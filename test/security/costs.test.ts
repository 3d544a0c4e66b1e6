import crypto from "node:crypto";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "~/db.server";
import { getEnv } from "~/env.server";
import { startPruner } from "~/modules/jobs/prune.server";
import { findByTags } from "~/modules/storage/gateway.server";
import { runOutboxOnce } from "~/modules/storage/outbox.server";
import { randomPng } from "../support/png";
import { Browser, startTestServer } from "../support/web";

// Small quotas, so a test reaches them in a few requests; a proxy in front, so each test is its own client.
process.env.UPLOADS_PER_HOUR = "3";
process.env.UPLOAD_MB_PER_DAY = "0.1";
process.env.TRUST_PROXY = "1";

let server: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

/** A client address of its own (IPv6 documentation range), so one test's flood never counts against another. */
const client = () => `2001:db8::${crypto.randomBytes(2).toString("hex")}:${crypto.randomBytes(2).toString("hex")}`;
const hour = (date: Date) => new Date(Math.ceil(date.getTime() / 3_600_000) * 3_600_000).toISOString().slice(11, 16);

async function askNonce(browser: Browser, address: string, from: string) {
  return browser.fetch("/auth/siwe", { method: "POST", headers: { "content-type": "application/json", "x-forwarded-for": from }, body: JSON.stringify({ intent: "message", address }) });
}

async function signIn() {
  const account = privateKeyToAccount(generatePrivateKey());
  const browser = new Browser(server.url);
  const { message } = (await (await askNonce(browser, account.address, client())).json()) as { message: string };
  const verified = await browser.postJson("/auth/siwe", { intent: "verify", message, signature: await account.signMessage({ message }) });
  expect(verified.status).toBe(200);
  return { browser, address: account.address.toLowerCase() };
}

const upload = (browser: Browser, bytes: Buffer) => {
  const form = new FormData();
  form.set("file", new Blob([new Uint8Array(bytes)], { type: "image/png" }), "figure.png");
  return browser.fetch("/uploads/images", { method: "POST", body: form });
};

/** What the bundler took for a writer once the outbox has run: the data items on the gateway tagged with their address. */
const storedFor = async (address: string) => {
  await runOutboxOnce(getDb(), getEnv());
  return (await findByTags([{ name: "Uploader", values: [address] }], getEnv().storage.gatewayUrl)).length;
};

describe("a writer uploading without end at the platform's cost", () => {
  it("is refused with 429 past the uploads an hour, told when to come back, and nothing more reaches the bundler, avatars included", async () => {
    const { browser, address } = await signIn();
    for (let i = 0; i < 3; i++) expect((await upload(browser, randomPng())).status).toBe(200);
    const refused = await upload(browser, randomPng());
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error: string }).error).toBe(`You have made 3 uploads this hour, the most the platform pays for; you can upload again at ${hour(new Date())} UTC.`);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);

    const profile = new FormData();
    profile.set("handle", `quota-${crypto.randomBytes(3).toString("hex")}`);
    profile.set("avatar", new Blob([new Uint8Array(randomPng())], { type: "image/png" }), "me.png");
    const avatar = await browser.fetch("/settings/profile", { method: "POST", body: profile });
    expect(avatar.status).toBe(429);
    expect(await avatar.text()).toContain("You have made 3 uploads this hour");
    expect(await getDb().writer.findUniqueOrThrow({ where: { address } })).toMatchObject({ avatarId: null, handle: null });

    expect(await storedFor(address)).toBe(3);
    expect(await getDb().upload.count({ where: { writer: { address } } })).toBe(3);
  });

  it("is refused with 429 past the bytes a day, while a smaller file still fits", async () => {
    const { browser, address } = await signIn();
    expect((await upload(browser, randomPng(60 * 1024))).status).toBe(200);
    const refused = await upload(browser, randomPng(60 * 1024));
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error: string }).error).toBe(
      "This would take you past 0.1 MB stored today, the most the platform pays for in a day; smaller files may still fit, and you can upload again at 00:00 UTC.",
    );
    expect(await storedFor(address)).toBe(1);
    expect((await upload(browser, randomPng(30 * 1024))).status).toBe(200);
    expect(await storedFor(address)).toBe(2);
  });
});

describe("a flood of sign-in requests", () => {
  it("gets 429 from one client past 60 nonces an hour, and another client still signs in", async () => {
    const flooder = new Browser(server.url);
    const from = client();
    for (let i = 0; i < 60; i++) expect((await askNonce(flooder, privateKeyToAccount(generatePrivateKey()).address, from)).status).toBe(200);
    const refused = await askNonce(flooder, privateKeyToAccount(generatePrivateKey()).address, from);
    expect(refused.status).toBe(429);
    expect(await refused.json()).toEqual({ error: `Too many sign-in requests from here or for this wallet; try again at ${hour(new Date())} UTC.` });
    await signIn();
  });

  it("gets 429 past 20 nonces an hour for one wallet, from however many clients, and stores no more", async () => {
    const address = privateKeyToAccount(generatePrivateKey()).address;
    for (let i = 0; i < 20; i++) expect((await askNonce(new Browser(server.url), address, client())).status).toBe(200);
    expect((await askNonce(new Browser(server.url), address, client())).status).toBe(429);
    expect(await getDb().siweNonce.count({ where: { address: address.toLowerCase() } })).toBe(20);
  });
});

describe("rows that outlive their use", () => {
  it("are deleted by the pruning job: expired nonces, expired sessions and ended rate-limit windows go, live ones stay", async () => {
    const db = getDb();
    const now = Date.now();
    const tag = crypto.randomBytes(4).toString("hex");
    const writer = await db.writer.create({ data: { address: `0x${crypto.randomBytes(20).toString("hex")}` } });
    await db.siweNonce.createMany({
      data: [
        { nonce: `expired-${tag}`, address: writer.address, expiresAt: new Date(now - 60_000) },
        { nonce: `live-${tag}`, address: writer.address, expiresAt: new Date(now + 600_000) },
      ],
    });
    await db.session.createMany({
      data: [
        { id: `expired-${tag}`, writerId: writer.id, expiresAt: new Date(now - 60_000) },
        { id: `live-${tag}`, writerId: writer.id, expiresAt: new Date(now + 86_400_000) },
      ],
    });
    await db.rateLimit.createMany({
      data: [
        { key: `ended-${tag}`, windowStart: new Date(now - 2 * 86_400_000), count: 5 },
        { key: `live-${tag}`, windowStart: new Date(now - 60_000), count: 5 },
      ],
    });

    const pruner = startPruner(db, { intervalMs: 100 });
    try {
      for (let waited = 0; (await db.siweNonce.count({ where: { nonce: `expired-${tag}` } })) > 0 && waited < 5_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      await pruner.stop();
    }

    expect((await db.siweNonce.findMany({ where: { nonce: { endsWith: tag } } })).map((row) => row.nonce)).toEqual([`live-${tag}`]);
    expect((await db.session.findMany({ where: { writerId: writer.id } })).map((row) => row.id)).toEqual([`live-${tag}`]);
    expect((await db.rateLimit.findMany({ where: { key: { endsWith: tag } } })).map((row) => row.key)).toEqual([`live-${tag}`]);
  });
});
