/**
 * The press as a deployment runs it: two web roles and three worker roles, each a process started
 * as `npm run start:web` / `start:worker` starts it, on one PostgreSQL database, with the test's
 * chain, the gateway and bundler stand-ins and a real SMTP server. Everything is checked from the
 * outside: pages as a reader gets them, uploads as the bundler receives them, mail as the relay
 * accepts it, events as the chain emits them.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseEther, toHex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, type Database } from "~/db.server";
import { getEnv } from "~/env.server";
import { VALIDATION_MS } from "~/modules/reading/page-validator.server";
import { deployMigrations } from "../../scripts/lib/migrations";
import { freePort } from "../../scripts/local/service";
import { startBundlerTap } from "../support/bundler-tap";
import { databaseProviders, freshDatabase, type TestDatabase } from "../support/databases";
import { createEditionOnChain, deployFactoryOnChain, editionTerms, fundedWallet, localChain, purchaseOnChain, type Factory, type LocalChain } from "../support/editions";
import { launchRole, type Launched } from "../support/launch";
import { commandLine, pidsListeningOn } from "../support/processes";
import { startTestSmtp, type TestSmtp } from "../support/smtp";
import { signedInBrowser } from "../support/web";

const SUBSCRIBERS = 300;
// Long enough that a holder renewing every third of it keeps it through the stalls of a machine busy
// with the whole suite (at 2 s, a late renewal once handed it over before the kill).
const LEASE_MS = 5_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** A page's text as a reader reads it: React's markers between adjacent text nodes taken out. */
const readable = (html: string) => html.replace(/<!-- -->/g, "");

const essay = {
  title: "Five Processes, One Press",
  document: {
    type: "doc",
    content: [
      { type: "heading", attrs: { level: 2 }, content: [{ type: "text", text: "Shared work" }] },
      { type: "paragraph", content: [{ type: "text", text: "Every reader gets one copy, and every sale is counted once." }] },
    ],
  },
};

interface Role extends Launched {
  name: string;
}

describe.runIf(databaseProviders().includes("postgres"))("the press as deployed: two web roles and three workers on one PostgreSQL database", () => {
  let dataDir: string;
  let database: TestDatabase;
  let db: Database;
  let chain: LocalChain;
  let factory: Factory;
  let smtp: TestSmtp;
  // The web roles' bundler is in an outage, so each essay is left to the workers' outbox; the
  // workers reach the real bundler stand-in through a tap that notes every data item posted.
  let webBundler: Awaited<ReturnType<typeof startBundlerTap>>;
  let workerBundler: Awaited<ReturnType<typeof startBundlerTap>>;
  const roles: Role[] = [];

  beforeAll(async () => {
    const local = getEnv();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "press-shape-"));
    database = await freshDatabase("postgres");
    await deployMigrations(database.url);
    db = createDatabase(database.url);
    chain = localChain(local.chain.rpcUrl);
    factory = await deployFactoryOnChain(chain);
    smtp = await startTestSmtp();
    webBundler = await startBundlerTap(local.storage.irysUrl, { down: true });
    workerBundler = await startBundlerTap(local.storage.irysUrl);
  });

  afterAll(async () => {
    for (const role of roles) if (role.child.exitCode === null && role.child.signalCode === null) role.child.kill("SIGKILL");
    await Promise.all(roles.map((role) => role.exited));
    await db?.$disconnect();
    await database?.drop();
    await smtp?.stop();
    await webBundler?.stop();
    await workerBundler?.stop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  /** Every role's log, for a failure's message. */
  const logs = () => roles.map((role) => `--- ${role.name} (pid ${role.child.pid}) ---\n${role.output()}`).join("\n");

  /** Polls `check` until it answers something truthy, or fails naming `what` once `timeoutMs` has passed. */
  async function until<T>(what: string, check: () => Promise<T> | T, timeoutMs = 20_000): Promise<NonNullable<T>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const answer = await check();
      if (answer) return answer;
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${logs()}`);
      await sleep(50);
    }
  }

  it("publishes through one web role, shows it on the other within a second, uploads and mails once, and indexes each sale once across a failover", async () => {
    const local = getEnv();
    const began = Date.now();
    const phases: string[] = [];
    const phase = (name: string) => phases.push(`${name} ${((Date.now() - began) / 1000).toFixed(1)} s`);
    const [portA, portB] = [await freePort(), await freePort()];
    // One PUBLIC_URL for every process, as one .env behind one proxy gives them: web A's address here.
    const publicUrl = `http://127.0.0.1:${portA}`;
    const shared = {
      DATABASE_URL: database.url,
      DATA_DIR: dataDir,
      PUBLIC_URL: publicUrl,
      CHAIN_RPC_URL: local.chain.rpcUrl,
      CHAIN_ID: "31337",
      FACTORY_ADDRESS: factory.address,
      INDEXER_START_BLOCK: String(factory.deployBlock),
      ARWEAVE_GATEWAY_URL: local.storage.gatewayUrl,
      SMTP_URL: smtp.url,
    };
    const start = (name: string, role: "web" | "worker", settings: Record<string, string>): Role => {
      const launched = { ...launchRole(role, { ...shared, ...settings }), name };
      roles.push(launched);
      return launched;
    };
    const webA = start("web A", "web", { PORT: String(portA), IRYS_URL: webBundler.url });
    const webB = start("web B", "web", { PORT: String(portB), IRYS_URL: webBundler.url });
    // A short lease and poll so a failover takes seconds; small mail batches so three workers share 300 messages.
    const workerSettings = { IRYS_URL: workerBundler.url, INDEXER_LEASE_MS: String(LEASE_MS), INDEXER_POLL_MS: "200", MAIL_BATCH_SIZE: "10", MAIL_CONCURRENCY: "2" };
    const workers = ["worker 1", "worker 2", "worker 3"].map((name) => start(name, "worker", workerSettings));
    await Promise.all([...[webA, webB].map((web) => web.waitFor(/^web +pid \d+, serving /m, 30_000)), ...workers.map((worker) => worker.waitFor(/^worker +pid \d+, running /m, 30_000))]);
    phase("five roles ready");
    const urlB = `http://127.0.0.1:${portB}`;

    // One worker reads the chain; the two others stand by.
    const holderLine = /^indexer +holding the indexer lease as (\S+)$/m;
    const standingBy = /^indexer +another process reads the chain; standing by$/m;
    await until("one indexer holding the lease and two standing by", () => workers.filter((w) => holderLine.test(w.output())).length === 1 && workers.filter((w) => standingBy.test(w.output())).length === 2);
    const holder = workers.find((w) => holderLine.test(w.output()))!;
    expect(holderLine.exec(holder.output())![1]).toContain(`:${holder.child.pid}:`);

    // A writer signs in on web A (Sign-In with Ethereum) and picks a handle; they have confirmed subscribers.
    const account = privateKeyToAccount(generatePrivateKey());
    const writer = await signedInBrowser(publicUrl, account);
    const handle = `shape-${crypto.randomBytes(3).toString("hex")}`;
    const profile = new FormData();
    for (const [name, value] of Object.entries({ handle, displayName: "Grace Hopper", bio: "" })) profile.set(name, value);
    expect((await writer.fetch("/settings/profile", { method: "POST", body: profile })).status).toBe(302);
    const { id: writerId } = await db.writer.findUniqueOrThrow({ where: { address: account.address.toLowerCase() } });
    const emails = Array.from({ length: SUBSCRIBERS }, (_, i) => `reader-${i}-${crypto.randomBytes(3).toString("hex")}@example.com`);
    await db.subscriber.createMany({ data: emails.map((email) => ({ writerId, email, status: "confirmed" })) });

    // A reader on web B has the writer's page, without the essay yet: web B keeps it.
    const writerPage = async () => readable(await (await fetch(`${urlB}/${handle}`)).text());
    expect(await writerPage()).not.toContain(essay.title);

    // The writer publishes over HTTP as the editor does: new draft, save, prepare, sign (EIP-712), publish.
    const draftPath = (await writer.fetch("/drafts/new", { method: "POST" })).headers.get("location")!;
    expect(draftPath).toMatch(/^\/drafts\/[^/]+$/);
    const saved = await writer.postJson(`${draftPath}/save`, { ...essay, baseRevision: 1 });
    expect(saved.status, await saved.clone().text()).toBe(200);
    const prepared = (await (await writer.postJson(`${draftPath}/publish`, { intent: "prepare" })).json()) as { revision: number; timestamp: number; typedData: Parameters<typeof account.signTypedData>[0] };
    const signature = await account.signTypedData(prepared.typedData);
    const answer = await writer.postJson(`${draftPath}/publish`, { intent: "publish", revision: prepared.revision, timestamp: prepared.timestamp, signature });
    expect(answer.status, await answer.clone().text()).toBe(200);
    const published = (await answer.json()) as { url: string; arweaveId: string; entryId: string; status: string };
    const publishedAt = Date.now();
    phase("published");
    expect(published.url.startsWith(`/${handle}/`)).toBe(true);
    // Web A could not reach the bundler: the essay waits in the outbox.
    expect(published.status).toBe("queued");

    // 1. Web B shows the essay, on the writer's page it kept and on the entry page, within a validation.
    const entryPage = async () => {
      const response = await fetch(`${urlB}${published.url}`);
      return response.status === 200 ? readable(await response.text()) : "";
    };
    await until("web B to show the essay on the writer's page", async () => (await writerPage()).includes(essay.title), VALIDATION_MS + 2_000);
    await until("web B to show the entry page", async () => (await entryPage()).includes("Every reader gets one copy"), VALIDATION_MS + 2_000);
    const shownAfterMs = Date.now() - publishedAt;
    expect(shownAfterMs).toBeLessThanOrEqual(VALIDATION_MS + 2_000);

    // 2. The workers' outbox uploads the essay's data item once; the gateway serves it, and web B says so.
    await until("web B to show the version on Arweave", async () => (await entryPage()).includes(`data-status="confirmed"`));
    phase("essay on Arweave");
    expect(webBundler.timesPosted(published.arweaveId)).toBe(1);
    expect(workerBundler.timesPosted(published.arweaveId)).toBe(1);
    expect(workerBundler.posted()).toEqual([{ id: published.arweaveId, status: 200 }]);
    const stored = await fetch(`${local.storage.gatewayUrl}/${published.arweaveId}`);
    expect(stored.status).toBe(200);
    expect(JSON.parse(await stored.text())).toMatchObject({ authorship: { contributor: account.address, signature } });
    expect(workers.map((w) => [...w.output().matchAll(/^outbox +uploaded (\d+),/gm)].reduce((sum, m) => sum + Number(m[1]), 0)).reduce((a, b) => a + b)).toBe(1);

    // 3. The newsletter reaches each confirmed subscriber once, sent by more than one worker.
    await smtp.waitFor(SUBSCRIBERS, 30_000);
    phase("newsletter delivered");
    const received = smtp.acceptedPerRecipient();
    expect([...received.keys()].sort()).toEqual([...emails].sort());
    expect([...received.values()].every((copies) => copies === 1)).toBe(true);
    expect(smtp.messages.every((message) => message.parsed.subject === essay.title)).toBe(true);
    const sentBy = workers.map((w) => [...w.output().matchAll(/^mail +sent (\d+),/gm)].reduce((sum, m) => sum + Number(m[1]), 0));
    expect(sentBy.reduce((a, b) => a + b)).toBe(SUBSCRIBERS);
    expect(sentBy.filter((sent) => sent > 0).length, `sent per worker: ${sentBy.join(", ")}`).toBeGreaterThan(1);

    // 4. The writer makes the essay an edition on chain; the indexer records it and web B shows it.
    await chain.testClient.setBalance({ address: account.address, value: parseEther("10") });
    const author = chain.walletFor(account);
    const edition = await createEditionOnChain({ chain, factory, author, params: editionTerms(factory, account.address, { contentId: toHex(Buffer.from(published.arweaveId, "base64url")) }) });
    await until("web B to show the edition", async () => (await entryPage()).includes("0 collected, open edition"));

    // The worker reading the chain dies without giving the lease up; a sale is made meanwhile.
    const { holder: holderId } = await db.lease.findFirstOrThrow();
    expect(holderId).toContain(`:${holder.child.pid}:`);
    const logSoFar = new Map(workers.map((w) => [w, w.output().length]));
    holder.child.kill("SIGKILL");
    const killedAt = Date.now();
    expect(await holder.exited).toBeNull();
    const collector = await fundedWallet(chain);
    const sale = await purchaseOnChain({ chain, edition: edition.address, collector, message: "one of one" });
    const survivors = workers.filter((w) => w !== holder);
    const tookOver = (w: Role) => holderLine.test(w.output().slice(logSoFar.get(w)));
    const successor = await until("another worker to take the lease over", () => survivors.find(tookOver), LEASE_MS + 10_000);
    const takeoverMs = Date.now() - killedAt;
    // The lease runs out at most LEASE_MS after the holder's last renewal, and a standing-by worker bids every third of it.
    expect(takeoverMs, "from the kill to the takeover").toBeLessThanOrEqual(LEASE_MS + Math.ceil(LEASE_MS / 3) + 1_000);
    expect(holderLine.exec(successor.output())![1]).toContain(`:${successor.child.pid}:`);
    await until("web B to show the sale", async () => (await entryPage()).includes("1 collected, open edition"));
    phase("sale shown after failover");
    expect(await db.purchase.count({ where: { txHash: sale.txHash } })).toBe(1);
    expect(await db.purchase.count({ where: { edition: { entryId: published.entryId } } })).toBe(1);
    expect(await db.edition.count({ where: { entryId: published.entryId } })).toBe(1);
    expect(await db.edition.findFirstOrThrow({ where: { entryId: published.entryId } })).toMatchObject({ address: edition.address.toLowerCase(), status: "live", minted: 1 });
    // The third worker never read the chain: two holders in all, one after the other.
    const bystander = survivors.find((w) => w !== successor)!;
    expect(holderLine.test(bystander.output())).toBe(false);
    expect(workers.map((w) => [...w.output().matchAll(new RegExp(holderLine, "gm"))].length)).toEqual(workers.map((w) => (w === holder || w === successor ? 1 : 0)));

    // Nothing was uploaded or mailed twice meanwhile.
    expect(workerBundler.timesPosted(published.arweaveId)).toBe(1);
    expect([...smtp.acceptedPerRecipient().values()].every((copies) => copies === 1)).toBe(true);
    expect(smtp.accepted()).toBe(SUBSCRIBERS);

    // 5. Every role left stops with 0 on SIGTERM; the lease is given up; nothing is left running.
    const running = roles.filter((role) => role !== holder);
    for (const role of running) role.child.kill("SIGTERM");
    const codes = await Promise.all(running.map((role) => role.exited));
    phase("roles stopped");
    expect(Object.fromEntries(running.map((role, i) => [role.name, codes[i]]))).toEqual(Object.fromEntries(running.map((role) => [role.name, 0])));
    for (const role of roles) expect(commandLine(role.child.pid!), role.name).toBeUndefined();
    expect(pidsListeningOn(portA)).toEqual([]);
    expect(pidsListeningOn(portB)).toEqual([]);
    expect(await db.lease.count()).toBe(0);
    console.log(`shown on web B ${shownAfterMs} ms after publishing; lease taken over ${takeoverMs} ms after the kill; mail sent per worker: ${sentBy.join(", ")}; ${phases.join(", ")}`);
  }, 90_000);
});
