import { spawn } from "node:child_process";
import http from "node:http";
import path from "node:path";
import { type Address, hexToString, parseEther, zeroAddress } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, type Database } from "~/db.server";
import { getEnv, parseEnv } from "~/env.server";
import { writingEditionsAbi, writingEditionsFactoryAbi } from "~/generated/contracts";
import { indexOnce, startIndexer } from "~/modules/editions/indexer.server";
import { createLease } from "~/modules/jobs/lease.server";
import { deployMigrations } from "../../scripts/lib/migrations";
import { startLocalChain } from "../../scripts/local/chain";
import { freePort, type LocalService } from "../../scripts/local/service";
import { databaseProviders, freshDatabase, type TestDatabase } from "../support/databases";
import {
  type Factory,
  type LocalChain,
  type Wallet,
  createEditionOnChain,
  deployFactoryOnChain,
  editionCallOnChain,
  editionOnDatabase,
  editionTerms,
  entryOnDatabase,
  fundedWallet,
  localChain,
  mineEmptyBlocks,
  purchaseOnChain,
  signEdition,
} from "../support/editions";

const ROOT = path.resolve(__dirname, "../..");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// A node of this file's own: the reorg test snapshots and reverts it, which the shared node of the
// other test files must never see. Each test deploys its own factory, so tests share nothing.
let node: LocalService;
let chain: LocalChain;
beforeAll(async () => {
  const port = await freePort();
  node = await startLocalChain({ port, logFile: path.join(getEnv().dataDir, `indexer-chain-${port}.log`) });
  chain = localChain(node.url);
});
afterAll(() => node?.stop());

/**
 * A JSON-RPC endpoint in front of the node that answers slowly (`delayMs`) or fails the calls
 * `fail` picks (by method and how many calls of that method it has seen): with HTTP 503, or with
 * the JSON-RPC error a provider returns for a request it finds too large.
 */
async function startRpcProxy(target: string, opts: { delayMs?: number; fail?: (method: string, count: number) => boolean }) {
  const counts = new Map<string, number>();
  let failed = 0;
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    const parsed = JSON.parse(body) as { id: number; method: string } | { id: number; method: string }[];
    const calls = Array.isArray(parsed) ? parsed : [parsed];
    const failing = calls.map((call) => {
      const count = (counts.get(call.method) ?? 0) + 1;
      counts.set(call.method, count);
      return opts.fail?.(call.method, count) ?? false;
    });
    if (opts.delayMs) await sleep(opts.delayMs);
    if (failing.some(Boolean)) {
      failed++;
      if (failed % 2 === 1) {
        res.writeHead(503, { "content-type": "text/plain" });
        return void res.end("upstream unavailable");
      }
      const errors = calls.map((call) => ({ jsonrpc: "2.0", id: call.id, error: { code: -32005, message: "query returned more than 10000 results" } }));
      res.writeHead(200, { "content-type": "application/json" });
      return void res.end(JSON.stringify(Array.isArray(parsed) ? errors : errors[0]));
    }
    const upstream = await fetch(target, { method: "POST", headers: { "content-type": "application/json" }, body });
    res.writeHead(upstream.status, { "content-type": "application/json" });
    res.end(Buffer.from(await upstream.arrayBuffer()));
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    failed: () => failed,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * Asserts that each edition's rows say what the chain says: the edition live from its creation
 * event, `minted` and the limit as the contract reports them, one purchase per token with the
 * token's owner, the sale's price and message (an author's mint: "0" and ""), its log and block
 * time; one withdrawal per `Withdrawn`.
 */
async function expectIndexedAsOnChain(db: Database, factory: Factory, editions: Address[]) {
  const { publicClient } = chain;
  for (const address of editions) {
    const row = await db.edition.findUniqueOrThrow({
      where: { chainId_address: { chainId: 31337, address: address.toLowerCase() } },
      include: { purchases: { orderBy: { tokenId: "asc" } }, withdrawals: { orderBy: [{ blockNumber: "asc" }, { logIndex: "asc" }] } },
    });
    const contract = { address, abi: writingEditionsAbi } as const;
    const [supply, limit, price, fundingRecipient, feeBps] = await Promise.all([
      publicClient.readContract({ ...contract, functionName: "totalSupply" }),
      publicClient.readContract({ ...contract, functionName: "limit" }),
      publicClient.readContract({ ...contract, functionName: "price" }),
      publicClient.readContract({ ...contract, functionName: "fundingRecipient" }),
      publicClient.readContract({ ...contract, functionName: "feeBps" }),
    ]);
    const [created] = await publicClient.getContractEvents({ address: factory.address, abi: writingEditionsFactoryAbi, eventName: "EditionCreated", args: { edition: address }, fromBlock: 0n });
    expect(row).toMatchObject({
      status: "live",
      createdBlock: Number(created!.blockNumber),
      createdTx: created!.transactionHash,
      minted: Number(supply),
      supplyLimit: Number(limit),
      price: price.toString(),
      fundingRecipient: fundingRecipient.toLowerCase(),
      feeBps: Number(feeBps),
    });

    // From the chain, by the contract's rules: a sale's note is its first Transfer's data (UTF-8); its
    // Referred follows its mints in its transaction; OwnerMinted marks a free mint; every other mint is
    // a sale at the price.
    const logs = await publicClient.getContractEvents({ ...contract, fromBlock: 0n });
    const gifts = new Set(logs.flatMap((log) => (log.eventName === "OwnerMinted" ? [log.args.tokenId!] : [])));
    const noteOf = new Map<bigint, { message: string; referrer: string | null }>();
    let run: bigint[] = [];
    for (const log of logs) {
      if (log.eventName === "Transfer" && BigInt(log.args.from!) === 0n) {
        const previous = logs[logs.indexOf(log) - 1];
        const note = log.data === "0x" ? "" : hexToString(log.data);
        const continues = !note && previous && previous.transactionHash === log.transactionHash && previous.eventName === "Transfer" && previous.args.to === log.args.to;
        run = continues ? [...run, log.args.tokenId!] : [log.args.tokenId!];
        noteOf.set(log.args.tokenId!, { message: note, referrer: null });
      } else if (log.eventName === "Referred") {
        for (const id of run) noteOf.get(id)!.referrer = log.args.referrer!.toLowerCase();
      }
    }
    const mints = logs.filter((log) => log.eventName === "Transfer" && BigInt(log.args.from!) === 0n);
    const expected = await Promise.all(
      mints.map(async (mint) => {
        const tokenId = (mint.args as { tokenId: bigint }).tokenId;
        const note = noteOf.get(tokenId)!;
        const block = await publicClient.getBlock({ blockNumber: mint.blockNumber });
        const owner = await publicClient.readContract({ ...contract, functionName: "ownerOf", args: [tokenId] });
        return {
          tokenId: Number(tokenId),
          collector: owner.toLowerCase(),
          price: gifts.has(tokenId) ? "0" : price.toString(),
          message: note.message.replace(/\u0000/g, ""),
          referrer: note.referrer,
          blockNumber: Number(mint.blockNumber),
          blockHash: mint.blockHash,
          txHash: mint.transactionHash,
          logIndex: mint.logIndex,
          timestamp: new Date(Number(block.timestamp) * 1000),
        };
      }),
    );
    expect(row.purchases.map(({ id, editionId, ...purchase }) => purchase)).toEqual(expected.sort((a, b) => a.tokenId - b.tokenId));
    expect(row.purchases.map((purchase) => purchase.tokenId)).toEqual(Array.from({ length: Number(supply) }, (_, i) => i + 1));

    const payouts = await publicClient.getContractEvents({ ...contract, eventName: "Withdrawn", fromBlock: 0n });
    expect(row.withdrawals.map(({ id, editionId, ...withdrawal }) => withdrawal)).toEqual(
      payouts.map((payout) => ({
        payee: payout.args.payee,
        recipient: payout.args.recipient!.toLowerCase(),
        amount: payout.args.amount!.toString(),
        blockNumber: Number(payout.blockNumber),
        blockHash: payout.blockHash,
        txHash: payout.transactionHash,
        logIndex: payout.logIndex,
      })),
    );
  }
}

/** A plain JSON-RPC forwarder on another address than the node's (a loopback one the press does not treat as local). */
async function startForwarder(host: string, target: string) {
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const upstream = await fetch(target, { method: "POST", headers: { "content-type": "application/json" }, body: Buffer.concat(chunks) });
    res.writeHead(upstream.status, { "content-type": "application/json" });
    res.end(Buffer.from(await upstream.arrayBuffer()));
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  return { url: `http://${host}:${port}`, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** Every kept block hash is the chain's, and the cursor's block too. */
async function expectKeptHashesOnChain(db: Database) {
  const cursor = await db.indexerCursor.findUniqueOrThrow({ where: { chainId: 31337 } });
  const kept = await db.indexedBlock.findMany({ where: { chainId: 31337 } });
  for (const block of [...kept.map((b) => ({ number: b.number, hash: b.hash })), { number: cursor.blockNumber, hash: cursor.blockHash }]) {
    expect((await chain.publicClient.getBlock({ blockNumber: BigInt(block.number) })).hash).toBe(block.hash);
  }
  expect(kept.every((block) => block.number <= cursor.blockNumber)).toBe(true);
}

describe.each(databaseProviders())("the chain indexer on %s", (provider) => {
  const databases: TestDatabase[] = [];
  const clients: Database[] = [];

  async function migrated(): Promise<{ db: Database; url: string }> {
    const database = await freshDatabase(provider);
    databases.push(database);
    await deployMigrations(database.url);
    const db = createDatabase(database.url);
    clients.push(db);
    return { db, url: database.url };
  }

  afterAll(async () => {
    await Promise.all(clients.map((db) => db.$disconnect()));
    await Promise.all(databases.map((database) => database.drop()));
  });

  /** The platform's settings pointed at this file's node and a test's factory. */
  const envFor = (factory: Factory, settings: Record<string, string> = {}) =>
    parseEnv({ ...process.env, CHAIN_RPC_URL: chain.rpcUrl, CHAIN_ID: "31337", FACTORY_ADDRESS: factory.address, INDEXER_START_BLOCK: String(factory.deployBlock), ...settings });

  async function wallets<const Names extends string[]>(...names: Names): Promise<Record<Names[number], Wallet>> {
    const funded = await Promise.all(names.map(() => fundedWallet(chain)));
    return Object.fromEntries(names.map((name, i) => [name, funded[i]])) as Record<Names[number], Wallet>;
  }

  /** An edition of a new entry of `author`'s, created on chain outside the app: the indexer records it. */
  async function editionOfNewEntry(db: Database, factory: Factory, author: Wallet, overrides: Parameters<typeof editionTerms>[2] = {}) {
    const entry = await entryOnDatabase(db, { writer: author.account.address });
    const params = editionTerms(factory, author.account.address, { contentId: entry.contentId, ...overrides });
    return { entry, ...(await createEditionOnChain({ chain, factory, author, params })) };
  }

  it("records editions created directly, lazily and outside the app, with every mint, message and payout", async () => {
    const { db } = await migrated();
    const factory = await deployFactoryOnChain(chain, { feeBps: 250 });
    const { author, alice, bob, stranger } = await wallets("author", "alice", "bob", "stranger");
    const authorAddress = author.account.address;

    // Prepared in the app, then created by the author's wallet.
    const directEntry = await entryOnDatabase(db, { writer: authorAddress });
    const direct = await createEditionOnChain({ chain, factory, author, params: editionTerms(factory, authorAddress, { contentId: directEntry.contentId, referralBps: 1000 }) });
    await editionOnDatabase(db, { entryId: directEntry.entryId, factory, author: authorAddress, address: direct.address, params: direct.params, salt: direct.salt });
    // Signed in the app; the first collector deploys it.
    const lazyEntry = await entryOnDatabase(db, { writer: authorAddress });
    const lazyParams = editionTerms(factory, authorAddress, { contentId: lazyEntry.contentId, price: parseEther("0.02") });
    const signed = await signEdition({ chain, factory, author, params: lazyParams });
    await editionOnDatabase(db, { entryId: lazyEntry.entryId, factory, author: authorAddress, address: signed.address, params: lazyParams, salt: signed.salt, signed });
    const lazy = await createEditionOnChain({ chain, factory, author, params: lazyParams, lazy: { collector: alice, message: "First!", signed } });
    // Created outside the app for one of the author's entries: recorded from the chain alone.
    const outside = await editionOfNewEntry(db, factory, author, { price: 0n, limit: 3n });
    // Not the platform's: a stranger's edition of the author's essay, and an essay no entry has.
    const impostor = await createEditionOnChain({ chain, factory, author: stranger, params: editionTerms(factory, stranger.account.address, { contentId: outside.entry.contentId }) });
    const unknown = await createEditionOnChain({ chain, factory, author, params: editionTerms(factory, authorAddress) });

    await purchaseOnChain({ chain, edition: direct.address, collector: alice, message: "Thank you for this essay!" });
    await purchaseOnChain({ chain, edition: direct.address, collector: bob, message: "Signed, sealed, collected" });
    await editionCallOnChain({ chain, edition: direct.address, wallet: author, call: "ownerMint", to: authorAddress });
    // Three copies in one purchase through a stranger's referral link, then one copy with no note.
    const three = await purchaseOnChain({ chain, edition: direct.address, collector: bob, quantity: 3, referrer: stranger.account.address, message: "three at once" });
    await purchaseOnChain({ chain, edition: direct.address, collector: alice, message: "" });
    await purchaseOnChain({ chain, edition: lazy.address, collector: bob, message: "Second" });
    await purchaseOnChain({ chain, edition: outside.address, collector: alice, message: "free\u0000 as in beer" });
    await purchaseOnChain({ chain, edition: impostor.address, collector: bob, message: "fooled" });
    await editionCallOnChain({ chain, edition: lazy.address, wallet: author, call: "setLimit", limit: 10n });
    await editionCallOnChain({ chain, edition: direct.address, wallet: bob, call: "withdraw" });
    const claim = await stranger.writeContract({ address: direct.address, abi: writingEditionsAbi, functionName: "claim", args: [stranger.account.address] });
    expect((await chain.publicClient.waitForTransactionReceipt({ hash: claim })).status).toBe("success");
    const head = Number(await chain.publicClient.getBlockNumber());

    const lines: string[] = [];
    const result = await indexOnce(db, envFor(factory), { log: (line) => lines.push(line) });
    expect(result).toEqual({ fromBlock: factory.deployBlock, toBlock: head, editions: 3, skipped: 2, purchases: 10, withdrawals: 3, rolledBack: 0 });
    await expectIndexedAsOnChain(db, factory, [direct.address, lazy.address, outside.address]);
    expect(await db.edition.count()).toBe(3);
    expect(await db.purchase.count()).toBe(10);
    expect(await db.purchase.findMany({ where: { txHash: three.txHash }, orderBy: { tokenId: "asc" }, select: { tokenId: true, collector: true, referrer: true, message: true } })).toEqual([
      { tokenId: 4, collector: bob.account.address.toLowerCase(), referrer: stranger.account.address.toLowerCase(), message: "three at once" },
      { tokenId: 5, collector: bob.account.address.toLowerCase(), referrer: stranger.account.address.toLowerCase(), message: "" },
      { tokenId: 6, collector: bob.account.address.toLowerCase(), referrer: stranger.account.address.toLowerCase(), message: "" },
    ]);
    // The referrer's claim is a payout to the referrer (payee 2), for the 10% of three copies.
    expect(await db.withdrawal.findFirst({ where: { payee: 2 }, select: { recipient: true, amount: true } })).toEqual({
      recipient: stranger.account.address.toLowerCase(),
      amount: ((direct.params.price * 3n * 1000n) / 10_000n).toString(),
    });
    expect(await db.edition.findUniqueOrThrow({ where: { entryId: lazyEntry.entryId } })).toMatchObject({ status: "live", signature: signed.signature, supplyLimit: 10 });
    expect(await db.edition.findUniqueOrThrow({ where: { entryId: outside.entry.entryId } })).toMatchObject({ address: outside.address.toLowerCase(), author: authorAddress.toLowerCase() });
    expect((await db.purchase.findFirstOrThrow({ where: { edition: { entryId: outside.entry.entryId } } })).message).toBe("free as in beer");
    expect(lines.find((line) => line.includes(impostor.address.toLowerCase()))).toMatch(/did not write the entry/);
    expect(lines.find((line) => line.includes(unknown.address.toLowerCase()))).toMatch(/no entry has its content/);
    await expectKeptHashesOnChain(db);

    // Nothing new: a second pass writes nothing.
    expect(await indexOnce(db, envFor(factory))).toEqual({ fromBlock: head + 1, toBlock: head, editions: 0, skipped: 0, purchases: 0, withdrawals: 0, rolledBack: 0 });
    expect(await db.purchase.count()).toBe(10);
  });

  it("follows new blocks as they come until stopped", async () => {
    const { db } = await migrated();
    const factory = await deployFactoryOnChain(chain);
    const { author, alice } = await wallets("author", "alice");
    const edition = await editionOfNewEntry(db, factory, author);
    const lines: string[] = [];
    const indexer = startIndexer(db, envFor(factory, { INDEXER_POLL_MS: "100" }), { log: (line) => lines.push(line) });
    try {
      const until = async (done: () => Promise<boolean>) => {
        for (const deadline = Date.now() + 20_000; !(await done()); await sleep(50)) if (Date.now() > deadline) throw new Error(`timed out; log:\n${lines.join("\n")}`);
      };
      await until(async () => (await db.edition.count({ where: { status: "live" } })) === 1);
      const sale = await purchaseOnChain({ chain, edition: edition.address, collector: alice, message: "live" });
      await until(async () => (await db.purchase.count({ where: { txHash: sale.txHash } })) === 1);
    } finally {
      await indexer.stop();
    }
    await expectIndexedAsOnChain(db, factory, [edition.address]);
    expect(lines[0]).toMatch(/^following factory/);
  });

  it("reads the chain from one process at a time; another takes over when the holder dies, each event written once", async () => {
    const { db, url } = await migrated();
    const other = createDatabase(url);
    clients.push(other);
    const factory = await deployFactoryOnChain(chain);
    const { author, alice, bob } = await wallets("author", "alice", "bob");
    const edition = await editionOfNewEntry(db, factory, author);
    const env = envFor(factory, { INDEXER_POLL_MS: "100", INDEXER_LEASE_MS: "1500" });
    const lines = { first: [] as string[], second: [] as string[] };
    const until = async (done: () => Promise<boolean>) => {
      for (const deadline = Date.now() + 20_000; !(await done()); await sleep(50)) {
        if (Date.now() > deadline) throw new Error(`timed out; first:\n${lines.first.join("\n")}\nsecond:\n${lines.second.join("\n")}`);
      }
    };
    const start = (db: Database, holder: "first" | "second") =>
      startIndexer(db, env, { log: (line) => lines[holder].push(line), lease: createLease(db, "indexer:31337", { ttlMs: env.indexer.leaseMs, holder }) });
    const first = start(db, "first");
    await until(async () => (await db.edition.count({ where: { status: "live" } })) === 1);
    const second = start(other, "second");
    try {
      const sale = await purchaseOnChain({ chain, edition: edition.address, collector: alice, message: "one reader" });
      await until(async () => (await db.purchase.count({ where: { txHash: sale.txHash } })) === 1);
      await until(async () => lines.second.includes("another process reads the chain; standing by"));
      expect(lines.first).toContain("holding the indexer lease as first");
      expect(lines.second.some((line) => line.startsWith("holding"))).toBe(false);

      // The first dies without giving the lease up; the second takes over once it runs out.
      await first.stop({ release: false });
      const later = await purchaseOnChain({ chain, edition: edition.address, collector: bob, message: "after the takeover" });
      await until(async () => (await db.purchase.count({ where: { txHash: later.txHash } })) === 1);
      expect(lines.second).toContain("holding the indexer lease as second");
    } finally {
      await second.stop();
      await first.stop();
    }
    await expectIndexedAsOnChain(db, factory, [edition.address]);
    expect(await db.purchase.count()).toBe(2);
    // A graceful stop gave the lease up: nobody holds it.
    expect(await db.lease.count()).toBe(0);
  });

  it("rolls a reorg back to the fork point and reads the new branch", async () => {
    const { db } = await migrated();
    const factory = await deployFactoryOnChain(chain);
    const env = envFor(factory);
    const { author, alice, bob, carol } = await wallets("author", "alice", "bob", "carol");
    const edition = await editionOfNewEntry(db, factory, author);
    await purchaseOnChain({ chain, edition: edition.address, collector: alice, message: "before the fork" });
    await indexOnce(db, env);
    const fork = Number(await chain.publicClient.getBlockNumber());
    const snapshot = await chain.testClient.snapshot();

    // A branch the node will drop: a sale, a lower limit, a lazy edition deployed by its first collector.
    const orphan = await purchaseOnChain({ chain, edition: edition.address, collector: bob, message: "on a branch that vanishes" });
    await editionCallOnChain({ chain, edition: edition.address, wallet: author, call: "setLimit", limit: 5n });
    await editionCallOnChain({ chain, edition: edition.address, wallet: author, call: "setFundingRecipient", recipient: bob.account.address });
    const lazyEntry = await entryOnDatabase(db, { writer: author.account.address });
    const lazyParams = editionTerms(factory, author.account.address, { contentId: lazyEntry.contentId });
    const signed = await signEdition({ chain, factory, author, params: lazyParams });
    await editionOnDatabase(db, { entryId: lazyEntry.entryId, factory, author: author.account.address, address: signed.address, params: lazyParams, salt: signed.salt, signed });
    await createEditionOnChain({ chain, factory, author, params: lazyParams, lazy: { collector: carol, message: "vanishing too", signed } });
    const dropped = await indexOnce(db, env);
    expect(dropped).toMatchObject({ editions: 1, purchases: 2, rolledBack: 0 });
    expect(await db.edition.findUniqueOrThrow({ where: { entryId: lazyEntry.entryId } })).toMatchObject({ status: "live", minted: 1 });
    expect(await db.edition.findUniqueOrThrow({ where: { entryId: edition.entry.entryId } })).toMatchObject({ supplyLimit: 5, minted: 2, fundingRecipient: bob.account.address.toLowerCase() });

    // The node drops the branch for a shorter one: the indexed cursor is above the new head.
    await chain.testClient.revert({ id: snapshot });
    const kept = await purchaseOnChain({ chain, edition: edition.address, collector: carol, message: "on the chain that stays" });
    expect(kept.blockNumber).toBeLessThan(dropped.toBlock);
    const shorter = await indexOnce(db, env);
    expect(shorter).toMatchObject({ rolledBack: dropped.toBlock - fork, purchases: 1, editions: 0, toBlock: kept.blockNumber });
    expect(await db.purchase.count({ where: { txHash: orphan.txHash } })).toBe(0);
    expect(await db.purchase.count({ where: { txHash: kept.txHash } })).toBe(1);
    expect(await db.edition.findUniqueOrThrow({ where: { entryId: lazyEntry.entryId } })).toMatchObject({
      status: "signed",
      signature: signed.signature,
      createdBlock: null,
      createdTx: null,
      minted: 0,
    });
    await expectIndexedAsOnChain(db, factory, [edition.address]);
    await expectKeptHashesOnChain(db);

    // And for a longer one: same height reached with other blocks, then more.
    const second = await chain.testClient.snapshot();
    const forkAgain = Number(await chain.publicClient.getBlockNumber());
    await purchaseOnChain({ chain, edition: edition.address, collector: alice, message: "gone again" });
    await purchaseOnChain({ chain, edition: edition.address, collector: bob, message: "gone as well" });
    const before = await indexOnce(db, env);
    await chain.testClient.revert({ id: second });
    await mineEmptyBlocks(chain, 5);
    const after = await purchaseOnChain({ chain, edition: edition.address, collector: bob, message: "after five empty blocks" });
    const longer = await indexOnce(db, env);
    expect(longer).toMatchObject({ rolledBack: before.toBlock - forkAgain, purchases: 1, toBlock: after.blockNumber });
    expect(await db.purchase.findMany({ where: { edition: { entryId: edition.entry.entryId } }, orderBy: { tokenId: "asc" }, select: { message: true } })).toEqual([
      { message: "before the fork" },
      { message: "on the chain that stays" },
      { message: "after five empty blocks" },
    ]);
    await expectIndexedAsOnChain(db, factory, [edition.address]);
    await expectKeptHashesOnChain(db);
  });

  it("starts over on a replaced local chain: no reorg, the old editions gone, new ones made and counted on the new chain", async () => {
    const { db } = await migrated();
    const factoryA = await deployFactoryOnChain(chain);
    const { author, alice } = await wallets("author", "alice");
    const made = await editionOfNewEntry(db, factoryA, author);
    await purchaseOnChain({ chain, edition: made.address, collector: alice, message: "on the old chain" });
    await indexOnce(db, envFor(factoryA));
    expect(await db.edition.findUniqueOrThrow({ where: { entryId: made.entry.entryId } })).toMatchObject({ status: "live", minted: 1, goneAt: null });

    // The local node restarted: a new chain under the same id, with the contracts deployed again.
    const port = await freePort();
    const nodeB = await startLocalChain({ port, logFile: path.join(getEnv().dataDir, `indexer-chain-${port}.log`) });
    try {
      const chainB = localChain(nodeB.url);
      const [genesisA, genesisB] = await Promise.all([chain, chainB].map(async (c) => (await c.publicClient.getBlock({ blockNumber: 0n })).hash));
      expect(genesisB).not.toBe(genesisA);
      const factoryB = await deployFactoryOnChain(chainB);
      const settingsB = { CHAIN_RPC_URL: nodeB.url, FACTORY_ADDRESS: factoryB.address, INDEXER_START_BLOCK: String(factoryB.deployBlock) };

      const lines: string[] = [];
      const result = await indexOnce(db, envFor(factoryA, settingsB), { log: (line) => lines.push(line) });
      expect(result.reset).toEqual({ genesisHash: genesisB, goneEditions: 1, gonePurchases: 1 });
      expect(result.rolledBack).toBe(0);
      expect(lines).toContain(`the local chain was reset (new genesis ${genesisB}); 1 edition(s) made on the previous one are marked as gone and 1 purchase(s) with them; their entries can have new editions`);
      expect(lines.some((line) => /reorg/.test(line))).toBe(false);
      const gone = await db.edition.findUniqueOrThrow({ where: { entryId: made.entry.entryId } });
      expect(gone).toMatchObject({ status: "prepared", minted: 0, createdBlock: null });
      expect(gone.goneAt).toBeInstanceOf(Date);
      expect(await db.purchase.count({ where: { editionId: gone.id } })).toBe(0);
      expect(await db.indexerCursor.findUniqueOrThrow({ where: { chainId: 31337 } })).toMatchObject({ blockNumber: Number(await chainB.publicClient.getBlockNumber()) });

      // The writer makes the entry collectible again on the new chain; only its sales count.
      const authorB = chainB.walletFor(author.account);
      const aliceB = chainB.walletFor(alice.account);
      for (const wallet of [authorB, aliceB]) await chainB.testClient.setBalance({ address: wallet.account.address, value: parseEther("10") });
      const again = await createEditionOnChain({ chain: chainB, factory: factoryB, author: authorB, params: editionTerms(factoryB, author.account.address, { contentId: made.entry.contentId }) });
      await purchaseOnChain({ chain: chainB, edition: again.address, collector: aliceB, message: "on the new chain" });
      const next = await indexOnce(db, envFor(factoryA, settingsB));
      expect(next).toMatchObject({ editions: 1, purchases: 1, rolledBack: 0 });
      expect(next.reset).toBeUndefined();
      const live = await db.edition.findUniqueOrThrow({ where: { entryId: made.entry.entryId }, include: { purchases: true } });
      expect(live).toMatchObject({ status: "live", address: again.address.toLowerCase(), minted: 1, goneAt: null });
      expect(live.purchases.map((purchase) => purchase.message)).toEqual(["on the new chain"]);

      // Back on the first chain's genesis under a configured, non-local RPC: a wrong network, nothing changed.
      const remote = await startForwarder("127.0.0.2", chain.rpcUrl);
      try {
        await expect(indexOnce(db, envFor(factoryA, { CHAIN_RPC_URL: remote.url }), { retries: 0 })).rejects.toThrow(
          `serves a chain 31337 whose genesis block is ${genesisA}, not ${genesisB} as indexed: is CHAIN_RPC_URL the right network? Nothing was changed.`,
        );
        expect(await db.edition.findUniqueOrThrow({ where: { entryId: made.entry.entryId } })).toMatchObject({ status: "live", minted: 1, goneAt: null });
        expect(await db.purchase.count({ where: { editionId: live.id } })).toBe(1);
      } finally {
        await remote.stop();
      }
    } finally {
      await nodeB.stop();
    }
  });

  it("resumes after being killed mid-backfill, losing and doubling nothing", async () => {
    const { db, url } = await migrated();
    const factory = await deployFactoryOnChain(chain);
    const { author, alice, bob } = await wallets("author", "alice", "bob");
    const editions = [await editionOfNewEntry(db, factory, author), await editionOfNewEntry(db, factory, author, { price: 0n })];
    const SALES = 120;
    for (let i = 0; i < SALES; i++) {
      await purchaseOnChain({ chain, edition: editions[i % 2]!.address, collector: i % 3 ? alice : bob, message: `sale ${i}` });
    }
    const head = Number(await chain.publicClient.getBlockNumber());

    // A slow RPC and ranges of two blocks make the backfill take seconds; the child dies in the middle.
    const proxy = await startRpcProxy(chain.rpcUrl, { delayMs: 15 });
    const code = [
      'const { getDb } = require("~/db.server");',
      'const { getEnv } = require("~/env.server");',
      'const { startIndexer } = require("~/modules/editions/indexer.server");',
      "startIndexer(getDb(), getEnv(), { log: (line) => console.log(line) });",
    ].join("\n");
    const settings = { DATABASE_URL: url, CHAIN_RPC_URL: proxy.url, CHAIN_ID: "31337", FACTORY_ADDRESS: factory.address, INDEXER_START_BLOCK: String(factory.deployBlock), INDEXER_BLOCK_RANGE: "2" };
    const child = spawn(path.join(ROOT, "node_modules/.bin/tsx"), ["-e", code], { cwd: ROOT, env: { ...process.env, ...settings }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise((resolve) => child.once("exit", resolve));
    try {
      const third = factory.deployBlock + Math.floor((head - factory.deployBlock) / 3);
      const deadline = Date.now() + 45_000;
      while (((await db.indexerCursor.findUnique({ where: { chainId: 31337 } }))?.blockNumber ?? 0) < third) {
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the indexer did not get a third of the way:\n${output}`);
        await sleep(20);
      }
      child.kill("SIGKILL");
      await exited;
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
      await proxy.stop();
    }

    // A COMMIT the child sent just before it died still lands on a database server: read the cursor
    // once it has stopped moving, or a range committed after the read is counted as lost.
    let cursor = await db.indexerCursor.findUniqueOrThrow({ where: { chainId: 31337 } });
    for (let still = 0; still < 3; ) {
      await sleep(200);
      const now = await db.indexerCursor.findUniqueOrThrow({ where: { chainId: 31337 } });
      still = now.blockNumber === cursor.blockNumber ? still + 1 : 0;
      cursor = now;
    }
    expect(cursor.blockNumber, "killed before the backfill was done").toBeLessThan(head);
    // What was committed is exactly the chain up to the cursor: each sale had a block of its own.
    const saleBlocks = (await db.purchase.findMany({ select: { blockNumber: true } })).map((p) => p.blockNumber);
    expect(saleBlocks.every((n) => n <= cursor.blockNumber)).toBe(true);
    expect(saleBlocks.length).toBe(cursor.blockNumber - (head - SALES));

    const resumed = await indexOnce(db, envFor(factory));
    expect(resumed).toMatchObject({ fromBlock: cursor.blockNumber + 1, toBlock: head, purchases: SALES - saleBlocks.length, rolledBack: 0 });
    expect(await db.purchase.count()).toBe(SALES);
    await expectIndexedAsOnChain(db, factory, editions.map((edition) => edition.address));
  }, 120_000);

  it("backs off and completes while the RPC fails requests", async () => {
    const { db } = await migrated();
    const factory = await deployFactoryOnChain(chain);
    const { author, alice } = await wallets("author", "alice");
    const editions = [await editionOfNewEntry(db, factory, author), await editionOfNewEntry(db, factory, author)];
    for (let i = 0; i < 20; i++) await purchaseOnChain({ chain, edition: editions[i % 2]!.address, collector: alice, message: `sale ${i}` });
    const proxy = await startRpcProxy(chain.rpcUrl, {
      fail: (method, count) => (method === "eth_getLogs" && count % 3 === 1) || (method === "eth_getBlockByNumber" && count % 11 === 5),
    });
    try {
      const lines: string[] = [];
      const result = await indexOnce(db, envFor(factory, { CHAIN_RPC_URL: proxy.url, INDEXER_BLOCK_RANGE: "4" }), { backoffMs: 5, log: (line) => lines.push(line) });
      expect(proxy.failed()).toBeGreaterThan(5);
      expect(lines.filter((line) => / failed \(.*\); retry \d+ of \d+ in \d+ ms$/.test(line)).length).toBe(proxy.failed());
      expect(result).toMatchObject({ editions: 2, purchases: 20, toBlock: Number(await chain.publicClient.getBlockNumber()) });
    } finally {
      await proxy.stop();
    }
    await expectIndexedAsOnChain(db, factory, editions.map((edition) => edition.address));
  });
});
