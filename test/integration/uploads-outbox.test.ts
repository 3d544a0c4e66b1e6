import { spawn } from "node:child_process";
import crypto from "node:crypto";
import path from "node:path";
import { getAddress, toHex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "~/db.server";
import { getEnv, parseEnv } from "~/env.server";
import { createSignedDataItem } from "~/modules/storage/data-item.server";
import { bundlerTarget, uploadDataItem } from "~/modules/storage/irys.server";
import { runOutboxOnce } from "~/modules/storage/outbox.server";
import { fetchData, findByTags } from "~/modules/storage/gateway.server";
import { databaseProviders, useMigratedDatabase } from "../support/databases";
import { publishEntry } from "../support/entries";
import { randomPng } from "../support/png";
import { startFlakyBundler } from "../support/proxy";
import { signedInBrowser, startChildServer, type Browser } from "../support/web";

const ROOT = path.resolve(__dirname, "../..");
const gatewayUrl = () => getEnv().storage.gatewayUrl;
const later = (minutes: number) => new Date(Date.now() + minutes * 60_000);

/** The data items on the gateway tagged as uploaded by `uploader`: what the platform stored for them. */
const storedBy = async (uploader: string) => (await findByTags([{ name: "Uploader", values: [uploader] }], gatewayUrl())).map((tx) => tx.id).sort();

function postImage(browser: Browser, bytes: Buffer, to = "/uploads/images") {
  const form = new FormData();
  form.set("file", new Blob([new Uint8Array(bytes)], { type: "image/png" }), "figure.png");
  return browser.fetch(to, { method: "POST", body: form });
}

/** Runs one outbox pass in a process of its own, beginning at `startAt`; resolves with its counts. */
function outboxProcess(settings: Record<string, string>, startAt: number) {
  const child = spawn(path.join(ROOT, "node_modules/.bin/tsx"), ["test/support/outbox-child.ts"], {
    cwd: ROOT,
    env: { ...process.env, ...settings, START_AT: String(startAt) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return new Promise<{ uploaded: number; confirmed: number }>((resolve, reject) =>
    child.once("exit", (code) => (code === 0 ? resolve(JSON.parse(output.trim().split("\n").at(-1)!)) : reject(new Error(`the outbox process exited with ${code}:\n${output}`)))),
  );
}

describe.each(databaseProviders())("images and edition files through the upload outbox on %s", (provider) => {
  let db: Database;
  let url: string;
  useMigratedDatabase(provider, (created, createdUrl) => {
    db = created;
    url = createdUrl;
  });
  // A bundler that is down (every upload answered 503), and one that is up, counting the uploads it passes on.
  let down: Awaited<ReturnType<typeof startFlakyBundler>>;
  let up: Awaited<ReturnType<typeof startFlakyBundler>>;
  let server: Awaited<ReturnType<typeof startChildServer>>;
  beforeAll(async () => {
    down = await startFlakyBundler(getEnv().storage.irysUrl, { failFirst: Number.POSITIVE_INFINITY });
    up = await startFlakyBundler(getEnv().storage.irysUrl, {});
    server = await startChildServer({ DATABASE_URL: url, IRYS_URL: down.url });
  });
  afterAll(async () => {
    await server?.stop();
    await down?.stop();
    await up?.stop();
  });
  const envWith = (bundlerUrl: string) => parseEnv({ ...process.env, DATABASE_URL: url, IRYS_URL: bundlerUrl });

  it("answers an image upload with the pending state while the bundler is down, serves it meanwhile, and one pass stores it once when the bundler is back", async () => {
    const account = privateKeyToAccount(generatePrivateKey());
    const browser = await signedInBrowser(server.url, account);
    const image = randomPng();

    const answered = await postImage(browser, image);
    expect(answered.status).toBe(200);
    const body = (await answered.json()) as { id: string; status: string; url: string; contentType: string };
    expect(body).toMatchObject({ status: "pending", url: `/uploads/images/${body.id}`, contentType: "image/png" });
    expect(body.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(down.uploads()).toBe(0);

    // The press serves the image itself until the gateway has it.
    const served = await browser.fetch(body.url);
    expect(served.status).toBe(200);
    expect(served.headers.get("content-type")).toBe("image/png");
    expect(served.headers.get("x-content-type-options")).toBe("nosniff");
    expect(served.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(Buffer.from(await served.arrayBuffer()).equals(image)).toBe(true);
    expect((await browser.fetch(`/uploads/images/${"A".repeat(43)}`)).status).toBe(404);

    // An avatar while the bundler is down: the profile is saved, and its page shows the pending avatar.
    const profile = new FormData();
    profile.set("handle", `up-${crypto.randomBytes(3).toString("hex")}`);
    profile.set("avatar", new Blob([new Uint8Array(randomPng())], { type: "image/png" }), "me.png");
    const saved = await browser.fetch("/settings/profile", { method: "POST", body: profile });
    expect(saved.status).toBe(302);
    const { avatarId } = await db.writer.findUniqueOrThrow({ where: { address: account.address.toLowerCase() } });
    expect(avatarId).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const settings = await (await browser.fetch("/settings/profile")).text();
    expect(settings).toContain(`src="/uploads/images/${avatarId}"`);

    // With the bundler still down, a pass keeps both queued, bytes kept, the failure noted.
    await runOutboxOnce(db, envWith(down.url));
    const waiting = await db.upload.findMany({ where: { arweaveId: { in: [body.id, avatarId!] } } });
    expect(waiting.map((row) => ({ status: row.status, attempts: row.attempts, kept: row.dataItem !== null }))).toEqual([
      { status: "queued", attempts: 1, kept: true },
      { status: "queued", attempts: 1, kept: true },
    ]);
    expect(waiting[0]!.lastError).toMatch(/503/);

    const before = up.uploads();
    await runOutboxOnce(db, envWith(up.url), later(11));
    expect(up.uploads() - before).toBe(2);
    expect(await storedBy(account.address.toLowerCase())).toEqual([body.id, avatarId].sort());
    expect(await fetchData(body.id, gatewayUrl())).toEqual(image);
    const done = await db.upload.findFirstOrThrow({ where: { arweaveId: body.id } });
    expect(done).toMatchObject({ status: "confirmed", dataItem: null, lastError: null, attempts: 2 });

    // Once the gateway serves it, our address sends the browser there.
    const moved = await browser.fetch(body.url);
    expect(moved.status).toBe(302);
    expect(moved.headers.get("location")).toBe(`${gatewayUrl()}/${body.id}`);
    // The same image again is the same data item, already stored: nothing more to upload.
    const again = (await (await postImage(browser, image)).json()) as { id: string; status: string; url: string };
    expect(again).toMatchObject({ id: body.id, status: "confirmed", url: `${gatewayUrl()}/${body.id}` });
  });

  it("prepares an edition while the bundler is down, and the cover and metadata it names are what later reaches the gateway", async () => {
    const account = privateKeyToAccount(generatePrivateKey());
    const browser = await signedInBrowser(server.url, account);
    const writer = await db.writer.update({ where: { address: account.address.toLowerCase() }, data: { handle: `ed-${crypto.randomBytes(3).toString("hex")}`, displayName: "Ines" } });
    const entry = await publishEntry(db, envWith(down.url), account, { title: "Kept while down", document: { type: "doc", content: [{ type: "paragraph", content: [{ type: "text", text: `Written by ${writer.handle}.` }] }] } });

    const answered = await browser.postJson(`/entries/${entry.entryId}/edition/api`, { intent: "prepare", terms: { price: "0.01", supply: "3", royaltyPercent: "5", fundingRecipient: "" } });
    expect(answered.status).toBe(200);
    const prepared = (await answered.json()) as { status: string; coverId: string; metadataId: string; typedData: { message: { metadataId: string; contentId: string } } };
    expect(prepared.status).toBe("pending");
    expect(prepared.typedData.message.metadataId).toBe(toHex(Buffer.from(prepared.metadataId, "base64url")));
    expect(prepared.typedData.message.contentId).toBe(toHex(Buffer.from(entry.arweaveId, "base64url")));
    expect(down.uploads()).toBeGreaterThan(0); // the publication's own attempt, not the edition's
    const queued = await db.upload.findMany({ where: { writerId: writer.id }, orderBy: { kind: "asc" } });
    expect(queued.map((row) => ({ kind: row.kind, id: row.arweaveId, status: row.status }))).toEqual([
      { kind: "cover", id: prepared.coverId, status: "queued" },
      { kind: "metadata", id: prepared.metadataId, status: "queued" },
    ]);
    // Edition files are not images of ours to serve.
    expect((await browser.fetch(`/uploads/images/${prepared.coverId}`)).status).toBe(404);

    await runOutboxOnce(db, envWith(up.url), later(11));
    const author = getAddress(account.address);
    expect(await storedBy(author)).toEqual([prepared.coverId, prepared.metadataId].sort());
    const metadata = JSON.parse((await fetchData(prepared.metadataId, gatewayUrl()))!.toString("utf8")) as { image: string; content: string };
    expect(metadata).toMatchObject({ image: `ar://${prepared.coverId}`, content: `ar://${entry.arweaveId}` });
    expect((await fetchData(prepared.coverId, gatewayUrl()))!.toString("utf8")).toMatch(/^<svg[^>]*>.*Kept while down.*Ines<\/text><\/g><\/svg>$/);
    expect(await db.upload.count({ where: { writerId: writer.id, status: "confirmed", dataItem: null } })).toBe(2);
    expect((await db.entryVersion.findUniqueOrThrow({ where: { arweaveId: entry.arweaveId } })).status).toBe("confirmed");
  });

  it("confirms without uploading again a row that a web process of the previous release wrote after uploading the file itself", async () => {
    const account = privateKeyToAccount(generatePrivateKey());
    const writer = await db.writer.create({ data: { address: account.address.toLowerCase() } });
    const image = randomPng();
    const item = await createSignedDataItem(image, [{ name: "Content-Type", value: "image/png" }, { name: "Uploader", value: writer.address }], getEnv().storage.platformKey);
    await uploadDataItem(item, bundlerTarget(getEnv()));
    await db.upload.create({ data: { arweaveId: item.id, writerId: writer.id, contentType: "image/png", size: image.length, sha256: "" } });

    const before = up.uploads();
    await runOutboxOnce(db, envWith(up.url));
    expect(up.uploads()).toBe(before);
    expect(await db.upload.findFirstOrThrow({ where: { arweaveId: item.id } })).toMatchObject({ status: "confirmed", attempts: 1, lastError: null });
  });

  it("uploads each queued item exactly once when two worker processes race over them", async () => {
    const account = privateKeyToAccount(generatePrivateKey());
    const browser = await signedInBrowser(server.url, account);
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push(((await (await postImage(browser, randomPng())).json()) as { id: string }).id);
    expect(await db.upload.count({ where: { arweaveId: { in: ids }, status: "queued" } })).toBe(6);

    const before = up.uploads();
    const settings = { DATABASE_URL: url, IRYS_URL: up.url, OUTBOX_NOW: String(Date.now() + 1_000) };
    const startAt = Date.now() + 6_000;
    const passes = await Promise.all([outboxProcess(settings, startAt), outboxProcess(settings, startAt)]);
    expect(passes.reduce((sum, pass) => sum + pass.uploaded, 0)).toBe(6);
    expect(up.uploads() - before).toBe(6);
    expect(await storedBy(account.address.toLowerCase())).toEqual([...ids].sort());
    expect(await db.upload.count({ where: { arweaveId: { in: ids }, status: "confirmed", attempts: 1 } })).toBe(6);
  });
});
