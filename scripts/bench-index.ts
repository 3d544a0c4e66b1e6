// How fast the chain indexer backfills. Starts a Hardhat node of its own on a free port, deploys a
// factory, creates a few editions and makes 5,000 purchases from the node's unlocked accounts, many
// per block (automine off, an evm_mine per batch, empty blocks between batches so the backfill
// spans several ranges); none of that is timed. Then times `indexOnce` from the factory's deploy
// block to the head into a fresh SQLite database, and into a scratch PostgreSQL database (created
// and dropped) when one answers at postgresql://postgres@127.0.0.1:5432/postgres.
// `npm run bench:index`; prints a table, then (last line) one JSON object.
import "../app/server/runtime";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { type Address, type Hex, encodeFunctionData, toHex } from "viem";
import { createDatabase, type Database } from "../app/db.server";
import { parseEnv } from "../app/env.server";
import { writingEditionsAbi } from "../app/generated/contracts";
import { indexOnce, type IndexResult } from "../app/modules/editions/indexer.server";
import {
  type LocalChain,
  createEditionOnChain,
  deployFactoryOnChain,
  editionCallOnChain,
  editionTerms,
  entryOnDatabase,
  fundedWallet,
  localChain,
  mineEmptyBlocks,
} from "../test/support/editions";
import { deployMigrations } from "./lib/migrations";
import { startLocalChain } from "./local/chain";
import { freePort } from "./local/service";
import { createScratchPostgres, LOCAL_POSTGRES, postgresReachable } from "./lib/scratch-postgres";
import { withProgress } from "./lib/progress";

const EDITIONS = 5;
const PURCHASES = 5_000;
const PER_BLOCK = 250;
/** Empty blocks after each block of purchases: the backfill then reads several ranges, as on a real chain. */
const GAP_BLOCKS = 150;
const POSTGRES_SERVER = LOCAL_POSTGRES;
const TARGET_EVENTS_PER_SECOND = 1_000;

async function rpc(url: string, calls: { method: string; params: unknown[] }[]): Promise<unknown[]> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(calls.map((call, id) => ({ jsonrpc: "2.0", id, ...call }))),
  });
  const answers = (await response.json()) as { id: number; result?: unknown; error?: { message: string } }[];
  return answers
    .sort((a, b) => a.id - b.id)
    .map((answer) => {
      if (answer.error) throw new Error(`${calls[answer.id]!.method}: ${answer.error.message}`);
      return answer.result;
    });
}

/** Purchases sent in JSON-RPC batches from the node's own accounts, mined `PER_BLOCK` to a block. */
async function makePurchases(chain: LocalChain, editions: { address: Address; price: bigint }[]) {
  const collectors = ((await rpc(chain.rpcUrl, [{ method: "eth_accounts", params: [] }]))[0] as Address[]).slice(1);
  await chain.testClient.setAutomine(false);
  await withProgress("purchases mined", async (onProgress) => {
    for (let sent = 0; sent < PURCHASES; sent += PER_BLOCK) {
      const calls = Array.from({ length: Math.min(PER_BLOCK, PURCHASES - sent) }, (_, i) => {
        const n = sent + i;
        const edition = editions[n % editions.length]!;
        const collector = collectors[n % collectors.length]!;
        const message = n % 4 === 0 ? "" : `Thank you for essay ${n % editions.length}, collected as #${n}`;
        const data = encodeFunctionData({ abi: writingEditionsAbi, functionName: "buy", args: [message] });
        return { method: "eth_sendTransaction", params: [{ from: collector, to: edition.address, data, value: toHex(edition.price), gas: toHex(150_000) }] };
      });
      await rpc(chain.rpcUrl, calls);
      await mineEmptyBlocks(chain, 1 + GAP_BLOCKS);
      onProgress(Math.min(sent + PER_BLOCK, PURCHASES), PURCHASES);
    }
  });
  await chain.testClient.setAutomine(true);
  for (const edition of editions) {
    const supply = await chain.publicClient.readContract({ address: edition.address, abi: writingEditionsAbi, functionName: "totalSupply" });
    if (supply !== BigInt(PURCHASES / editions.length)) throw new Error(`edition ${edition.address} sold ${supply}, not ${PURCHASES / editions.length}: some purchases were not mined`);
  }
}

interface Run {
  database: string;
  seconds: number;
  result: IndexResult;
}

async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-index-"));
  const node = await startLocalChain({ port: await freePort(), logFile: path.join(dataDir, "chain.log") });
  const scratch: Array<{ drop(): Promise<void> }> = [];
  try {
    const chain = localChain(node.url);
    console.error(`setting up ${EDITIONS} editions and ${PURCHASES} purchases on ${node.url} (not timed)…`);
    const setupStarted = performance.now();
    const factory = await deployFactoryOnChain(chain, { feeBps: 250 });
    const author = await fundedWallet(chain);
    const editions: { address: Address; price: bigint; contentId: Hex }[] = [];
    for (let i = 0; i < EDITIONS; i++) {
      const params = editionTerms(factory, author.account.address, { name: `Essay ${i}`, price: BigInt(i) * 10n ** 15n });
      const created = await createEditionOnChain({ chain, factory, author, params });
      editions.push({ address: created.address, price: params.price, contentId: params.contentId });
    }
    await makePurchases(chain, editions);
    for (const edition of editions) if (edition.price > 0n) await editionCallOnChain({ chain, edition: edition.address, wallet: author, call: "withdraw" });
    const head = Number(await chain.publicClient.getBlockNumber());
    console.error(`set up in ${((performance.now() - setupStarted) / 1000).toFixed(1)} s: blocks ${factory.deployBlock}-${head}`);

    const env = parseEnv({
      DATA_DIR: dataDir,
      CHAIN_RPC_URL: node.url,
      CHAIN_ID: "31337",
      FACTORY_ADDRESS: factory.address,
      INDEXER_START_BLOCK: String(factory.deployBlock),
    });
    /** The editions are an author's entries on the platform: each database gets those rows first. */
    const backfill = async (database: string, url: string): Promise<Run> => {
      await deployMigrations(url);
      const db: Database = createDatabase(url);
      try {
        for (const edition of editions) await entryOnDatabase(db, { writer: author.account.address, contentId: edition.contentId });
        const started = performance.now();
        const result = await indexOnce(db, env);
        const seconds = (performance.now() - started) / 1000;
        const purchases = await db.purchase.count();
        if (result.editions !== EDITIONS || result.purchases !== PURCHASES || purchases !== PURCHASES || result.toBlock !== head) {
          throw new Error(`${database}: incomplete backfill ${JSON.stringify(result)} (${purchases} purchase rows)`);
        }
        return { database, seconds, result };
      } finally {
        await db.$disconnect();
      }
    };

    const runs = [await backfill("SQLite", `file:${path.join(dataDir, "index.db")}`)];
    if (await postgresReachable(POSTGRES_SERVER)) {
      const database = await createScratchPostgres(POSTGRES_SERVER, "bench_index");
      scratch.push(database);
      runs.push(await backfill("PostgreSQL", database.url));
    } else {
      console.error(`no PostgreSQL at ${POSTGRES_SERVER}: SQLite only`);
    }

    const events = (r: IndexResult) => r.editions + r.purchases + r.withdrawals;
    // Each purchase is its Transfer, and a Message when it has a note (three in four do).
    const notes = Array.from({ length: PURCHASES }, (_, n) => n % 4 !== 0).filter(Boolean).length;
    const logs = (r: IndexResult) => r.editions + r.purchases + notes + r.withdrawals;
    const rows = runs.map((run) => ({
      database: run.database,
      blocks: String(run.result.toBlock - run.result.fromBlock + 1),
      events: String(events(run.result)),
      logs: String(logs(run.result)),
      seconds: run.seconds.toFixed(2),
      "events/s": Math.round(events(run.result) / run.seconds).toString(),
      "logs/s": Math.round(logs(run.result) / run.seconds).toString(),
    }));
    const columns = Object.keys(rows[0]!) as (keyof (typeof rows)[number])[];
    const widths = columns.map((column) => Math.max(column.length, ...rows.map((row) => row[column].length)));
    const line = (cells: string[]) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  ");
    console.log(line(columns));
    for (const row of rows) console.log(line(columns.map((column) => row[column])));

    const [sqlite, postgres] = runs;
    const summary = {
      eventsPerSecond: Math.round(events(sqlite!.result) / sqlite!.seconds),
      target: TARGET_EVENTS_PER_SECOND,
      events: events(sqlite!.result),
      purchases: PURCHASES,
      blocks: sqlite!.result.toBlock - sqlite!.result.fromBlock + 1,
      blockRange: env.indexer.blockRange,
      sqliteSeconds: Number(sqlite!.seconds.toFixed(2)),
      ...(postgres ? { postgresEventsPerSecond: Math.round(events(postgres.result) / postgres.seconds), postgresSeconds: Number(postgres.seconds.toFixed(2)) } : {}),
    };
    console.log(JSON.stringify(summary));
    return summary.eventsPerSecond >= TARGET_EVENTS_PER_SECOND ? 0 : 1;
  } finally {
    for (const database of scratch) await database.drop();
    await node.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
