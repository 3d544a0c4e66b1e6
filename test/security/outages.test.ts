/**
 * An outage is not a forgery: when the chain's RPC is down, a signature that cannot be checked is
 * answered 503 naming the chain, never "the signature does not match" (401). The press talks to a
 * chain of this file's own, a real local node that the tests stop.
 */
import { spawnSync } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb, type Database } from "~/db.server";
import { getEnv } from "~/env.server";
import { createDraft, saveDraft } from "~/modules/entries/drafts.server";
import { canonicalJson, entryTags, type Entry } from "~/modules/entries/entry";
import { createSignedDataItem } from "~/modules/storage/data-item.server";
import { DependencyUnavailable } from "~/modules/errors.server";
import { fetchData } from "~/modules/storage/gateway.server";
import { bundlerTarget, uploadDataItem } from "~/modules/storage/irys.server";
import { ROOT } from "../../scripts/lib/migrations";
import { startLocalChain } from "../../scripts/local/chain";
import { freePort, type LocalService } from "../../scripts/local/service";
import { Browser, startTestServer } from "../support/web";

let chain: LocalService;
let server: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  const port = await freePort();
  chain = await startLocalChain({ port, logFile: path.join(os.tmpdir(), `press-outage-chain-${port}.log`) });
  // Read once by the settings, before the server starts: the press's chain is this one.
  process.env.LOCAL_CHAIN_PORT = String(port);
  server = await startTestServer();
  db = getDb();
});
afterAll(async () => {
  await server?.stop();
  await chain?.stop();
});

let db: Database;
const stranger = privateKeyToAccount(generatePrivateKey());
const essay = { type: "doc", content: [{ type: "paragraph", content: [{ type: "text", text: "Written while the chain was up." }] }] };

async function signInMessage(browser: Browser, account: PrivateKeyAccount) {
  const issued = await browser.postJson("/auth/siwe", { intent: "message", address: account.address });
  expect(issued.status).toBe(200);
  return ((await issued.json()) as { message: string }).message;
}

/** A signed-in writer with a handle and a draft, ready to publish. */
async function writerWithDraft() {
  const account = privateKeyToAccount(generatePrivateKey());
  const browser = new Browser(server.url);
  const message = await signInMessage(browser, account);
  expect((await browser.postJson("/auth/siwe", { intent: "verify", message, signature: await account.signMessage({ message }) })).status).toBe(200);
  const writer = await db.writer.update({ where: { address: account.address.toLowerCase() }, data: { handle: `o-${account.address.slice(2, 10).toLowerCase()}` } });
  const { id } = await createDraft(db, writer.id);
  await saveDraft(db, writer.id, id, { title: "Through an outage", document: essay, baseRevision: 1 });
  return { account, browser, draftId: id };
}

async function publishSignedBy(browser: Browser, draftId: string, signer: PrivateKeyAccount) {
  const prepared = (await (await browser.postJson(`/drafts/${draftId}/publish`, { intent: "prepare" })).json()) as { revision: number; timestamp: number; typedData: Parameters<PrivateKeyAccount["signTypedData"]>[0] };
  const signature = await signer.signTypedData(prepared.typedData);
  return browser.postJson(`/drafts/${draftId}/publish`, { intent: "publish", revision: prepared.revision, timestamp: prepared.timestamp, signature });
}

describe("an outage of the chain is not reported as a forgery", () => {
  let writer: Awaited<ReturnType<typeof writerWithDraft>>;
  let pendingSignIn: { browser: Browser; account: PrivateKeyAccount; message: string };
  let published: { arweaveId: string };
  let forgedId: string;

  it("while the chain answers, a wrong signature is refused as one (401)", async () => {
    writer = await writerWithDraft();
    const refused = await publishSignedBy(writer.browser, writer.draftId, stranger);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toEqual({ error: "The signature does not match this entry and your address." });

    const account = privateKeyToAccount(generatePrivateKey());
    const browser = new Browser(server.url);
    const message = await signInMessage(browser, account);
    const wrong = await browser.postJson("/auth/siwe", { intent: "verify", message, signature: await stranger.signMessage({ message }) });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ error: "The signature does not match this message and address." });
    pendingSignIn = { browser, account, message: await signInMessage(browser, account) };

    const ok = await publishSignedBy(writer.browser, writer.draftId, writer.account);
    expect(ok.status).toBe(200);
    published = (await ok.json()) as { arweaveId: string };
    const draft = await db.draft.findUniqueOrThrow({ where: { id: writer.draftId } });
    await saveDraft(db, draft.writerId, writer.draftId, { title: "Through an outage, again", document: essay, baseRevision: draft.revision });

    // A copy of the entry on Arweave whose signature is not the writer's.
    const entry = JSON.parse((await fetchData(published.arweaveId, getEnv().storage.gatewayUrl))!.toString("utf8")) as Entry;
    const forged: Entry = { ...entry, authorship: { ...entry.authorship, signature: await stranger.signMessage({ message: entry.digest }) } };
    const item = await createSignedDataItem(canonicalJson(forged), entryTags(forged), getEnv().storage.platformKey);
    await uploadDataItem(item, bundlerTarget(getEnv()));
    forgedId = item.id;
    const proof = await new Browser(server.url).fetch(`/verify/${forgedId}`);
    expect(proof.status).toBe(200);
    expect(await proof.text()).toContain(">Not verified<");
  });

  it("with the chain's RPC stopped, sign-in with a signature that needs the chain answers 503 naming the chain", async () => {
    await chain.stop();
    const { browser, message } = pendingSignIn;
    const answer = await browser.postJson("/auth/siwe", { intent: "verify", message, signature: await stranger.signMessage({ message }) });
    expect(answer.status).toBe(503);
    expect(answer.headers.get("retry-after")).toBe("30");
    const { error } = (await answer.json()) as { error: string };
    expect(error).toMatch(/^The chain cannot be reached right now/);
    expect(error).not.toMatch(/does not match/);
    expect(browser.signedIn).toBe(false);
  });

  it("with the chain's RPC stopped, a plain wallet's own signature still signs in: it is checked without the chain", async () => {
    const { browser, account, message } = pendingSignIn;
    const answer = await browser.postJson("/auth/siwe", { intent: "verify", message, signature: await account.signMessage({ message }) });
    expect(answer.status).toBe(200);
    expect(browser.signedIn).toBe(true);
  });

  it("with the chain's RPC stopped, publishing with a signature that needs the chain answers 503 and publishes nothing", async () => {
    const before = await db.entryVersion.count();
    const answer = await publishSignedBy(writer.browser, writer.draftId, stranger);
    expect(answer.status).toBe(503);
    expect(((await answer.json()) as { error: string }).error).toMatch(/^The chain cannot be reached right now/);
    expect(await db.entryVersion.count()).toBe(before);
  });

  it("with the chain's RPC stopped, the proof page says it cannot check a signature now (503), not that it is forged", async () => {
    const unchecked = await new Browser(server.url).fetch(`/verify/${forgedId}`);
    expect(unchecked.status).toBe(503);
    const page = await unchecked.text();
    expect(page).toContain("The chain cannot be reached right now");
    expect(page).not.toContain("Not verified");

    // The writer's own signature is recovered without the chain: still verified.
    const genuine = await new Browser(server.url).fetch(`/verify/${published.arweaveId}`);
    expect(genuine.status).toBe(200);
    expect(await genuine.text()).toContain(">Verified<");
  });

  it("with the chain's RPC stopped, `npm run verify` exits 2 and says the chain did not answer", async () => {
    const run = spawnSync(path.join(ROOT, "node_modules/.bin/tsx"), ["scripts/verify.ts", forgedId], { cwd: ROOT, env: { ...process.env, PUBLIC_URL: server.url }, encoding: "utf8" });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("The chain cannot be reached right now");
    expect(run.stdout).not.toContain("NOT VERIFIED");
  });
});

describe("an outage of the Arweave gateway is not reported as a missing or broken entry", () => {
  it("a gateway that refuses connections is a 503 naming storage", async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const failure = await fetchData("A".repeat(43), closed).then(() => undefined, (error: unknown) => error);
    expect(failure).toBeInstanceOf(DependencyUnavailable);
    expect(failure).toMatchObject({ status: 503, dependency: "storage" });
    expect((failure as Error).message).toMatch(/^The Arweave gateway cannot be reached right now \(127\.0\.0\.1:\d+: connection failed\)/);
  });
});
