/**
 * The chain indexer: follows the factory's `EditionCreated` and its editions' sales, mints, payouts
 * and limit changes, and writes them to the database. It reads up to the chain head; the blocks
 * within `confirmations` of the head are unconfirmed, their hashes kept, and checked on every pass:
 * a reorg is rolled back to the fork point and read again. The cursor moves in the same transaction
 * as the rows of its range, so a stopped or killed indexer resumes where the last commit left it,
 * with nothing lost and nothing twice. See docs/decisions/006-chain-indexer.md.
 */
import crypto from "node:crypto";
import { type Address, type Hex, type Log, type PublicClient, type RpcLog, BlockNotFoundError, createPublicClient, formatLog, http } from "viem";
import type { Database } from "~/db.server";
import { type Env, isLoopbackUrl } from "~/env.server";
import { writingEditionsAbi } from "~/generated/contracts";
import { Prisma } from "~/generated/prisma/sqlite/client";
import { retryDelayMs } from "~/modules/jobs/backoff.server";
import type { Lease } from "~/modules/jobs/lease.server";
import { chainFor } from "./chain.server";
import { factoryAddress, readDeployment } from "./deployment.server";
import { ALL_TOPICS, EDITION_TOPICS, createdEditionOf, decodeLogs, type ChainEvents, type EditionCreation } from "./events.server";

export type IndexerEnv = Pick<Env, "chain" | "dataDir" | "indexer">;

export interface IndexResult {
  /** First block this call read; above `toBlock` when there was nothing new. */
  fromBlock: number;
  /** The cursor after the call: the last block indexed. */
  toBlock: number;
  /** Editions that went live (created on chain and recorded). */
  editions: number;
  /** Editions the factory created that are not the platform's (no entry of their author's has their content). */
  skipped: number;
  purchases: number;
  withdrawals: number;
  /** Blocks undone by reorgs. */
  rolledBack: number;
  /** Set when the local development chain was replaced by a new one since the last pass. */
  reset?: ChainReset;
}

export interface ChainReset {
  genesisHash: string;
  /** Editions deployed on the replaced chain, now marked gone. */
  goneEditions: number;
  /** Their purchases, which no longer exist. */
  gonePurchases: number;
}

export interface IndexOptions {
  client?: PublicClient;
  log?: (line: string) => void;
  /** Ends the pass after the range being written. */
  signal?: AbortSignal;
  /** Failed attempts at one request (or range) before the pass gives up. */
  retries?: number;
  /** The first retry's delay; each further one doubles it (with jitter), up to a minute. */
  backoffMs?: number;
}

/** Requests with more addresses than this are split (providers cap the address list). */
const ADDRESSES_PER_REQUEST = 500;
const RPC_BATCH_SIZE = 100;
const MAX_BACKOFF_MS = 60_000;
/** Passes restarted because the chain changed while they read it, before one fails. */
const MAX_RESTARTS = 5;
const PROGRESS_EVERY_MS = 10_000;
/** 11 parameters a row: far below SQLite's 32,766 and PostgreSQL's 65,535 per statement. */
const ROWS_PER_INSERT = 500;
/** Int columns hold 32 bits; a uint64 limit above that is, for any edition, no limit in practice. */
const MAX_INT = 2 ** 31 - 1;

type Tx = Prisma.TransactionClient;
type Cursor = { blockNumber: number; blockHash: string };
type Header = { hash: Hex; parentHash: Hex; timestamp: number };

/** The chain moved under a pass (a reorg), or another indexer moved the cursor: retrying the same request cannot help. */
class PassInterrupted extends Error {
  constructor(
    message: string,
    readonly reason: "reorg" | "cursor",
  ) {
    super(message);
  }
}

/** A client for the indexer: JSON-RPC batching for headers and calls, and no retries of its own (the indexer's back off and log). */
export function createIndexerClient(env: IndexerEnv): PublicClient {
  return createPublicClient({
    chain: chainFor(env.chain.id, env.chain.rpcUrl),
    transport: http(env.chain.rpcUrl, { batch: { batchSize: RPC_BATCH_SIZE }, retryCount: 0, timeout: 30_000 }),
  }) as PublicClient;
}

/** The factory whose editions are indexed, and the block reading starts from when there is no cursor. */
export function indexedFactory(env: IndexerEnv): { address: Address; startBlock: number } {
  const address = factoryAddress(env);
  if (!address) {
    throw new Error(`No factory to index on chain ${env.chain.id}: set FACTORY_ADDRESS (and INDEXER_START_BLOCK), or deploy the contracts with npm run deploy.`);
  }
  const record = readDeployment(env.chain.id, env.dataDir);
  const recorded = record && record.factory.toLowerCase() === address.toLowerCase() ? Number(record.deployBlock) : undefined;
  return { address, startBlock: env.indexer.startBlock ?? recorded ?? 0 };
}

interface Context {
  db: Database;
  env: IndexerEnv;
  client: PublicClient;
  chainId: number;
  factory: { address: Address; lower: string; startBlock: number };
  log: (line: string) => void;
  signal?: AbortSignal;
  retries: number;
  backoffMs: number;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

function reasonOf(error: unknown): string {
  const { shortMessage, message } = error as { shortMessage?: string; message?: string };
  return (shortMessage ?? message ?? String(error)).split("\n")[0]!;
}

/** Runs `call` until it succeeds, backing off between failures; `onFailure` may shrink the next attempt. */
async function retrying<T>(ctx: Context, what: () => string, call: () => Promise<T>, onFailure?: () => void): Promise<T> {
  for (let failures = 1; ; failures++) {
    try {
      return await call();
    } catch (error) {
      if (error instanceof PassInterrupted || failures > ctx.retries || ctx.signal?.aborted) throw error;
      const failed = what();
      onFailure?.();
      const delay = retryDelayMs(failures, { baseMs: ctx.backoffMs, maxMs: MAX_BACKOFF_MS });
      ctx.log(`${failed} failed (${reasonOf(error)}); retry ${failures} of ${ctx.retries} in ${delay} ms`);
      await sleep(delay, ctx.signal);
      if (ctx.signal?.aborted) throw error;
    }
  }
}

/** The header of block `number`, or null when the chain has no such block (any more). */
async function headerAt(client: PublicClient, number: number): Promise<Header | null> {
  try {
    const block = await client.getBlock({ blockNumber: BigInt(number) });
    return { hash: block.hash, parentHash: block.parentHash, timestamp: Number(block.timestamp) };
  } catch (error) {
    if (error instanceof BlockNotFoundError) return null;
    throw error;
  }
}

/** Headers of several blocks, in batched requests; a missing block means the chain just got shorter. */
async function headersOf(client: PublicClient, numbers: Iterable<number>): Promise<Map<number, Header>> {
  const list = [...numbers];
  const headers = await Promise.all(list.map((n) => headerAt(client, n)));
  const byNumber = new Map<number, Header>();
  headers.forEach((header, i) => {
    if (!header) throw new PassInterrupted(`block ${list[i]} is no longer on the chain`, "reorg");
    byNumber.set(list[i]!, header);
  });
  return byNumber;
}

/** Logs with any of `topics` from `addresses`; viem's getLogs would decode them too, for a second time. */
async function getLogs(client: PublicClient, addresses: string[], topics: Hex[], fromBlock: number, toBlock: number): Promise<Log[]> {
  const requests: Promise<RpcLog[]>[] = [];
  for (let i = 0; i < addresses.length; i += ADDRESSES_PER_REQUEST) {
    requests.push(
      client.request({
        method: "eth_getLogs",
        params: [{ address: addresses.slice(i, i + ADDRESSES_PER_REQUEST) as Address[], topics: [topics], fromBlock: toQuantity(fromBlock), toBlock: toQuantity(toBlock) }],
      }),
    );
  }
  return (await Promise.all(requests)).flat().map((log) => formatLog(log));
}

const toQuantity = (n: number): Hex => `0x${n.toString(16)}`;

interface Range {
  from: number;
  to: number;
  toHash: Hex;
  events: ChainEvents;
  headers: Map<number, Header>;
  /** Blocks within `confirmations` of the head: their hashes are kept to detect a reorg. */
  unconfirmed: number[];
}

/**
 * Reads a range's logs: the factory's and the live editions' in one request (per address chunk),
 * then those of editions created inside the range, from their creation on. Checks that what it read
 * is one chain that continues the indexed one.
 */
async function readRange(ctx: Context, live: Map<string, string>, cursor: Cursor | null, from: number, to: number, head: number): Promise<Range> {
  const { client, factory } = ctx;
  const firstUnconfirmed = Math.max(from, head - ctx.env.indexer.confirmations + 1);
  // Near the head a reorg can happen mid-read: the last block's hash before and after the logs
  // must agree (one hash fixes every block below it).
  const toBefore = to >= firstUnconfirmed ? await headerAt(client, to) : undefined;
  const logs = await getLogs(client, [factory.address, ...live.keys()], ALL_TOPICS, from, to);
  const newcomers = new Map<string, number>();
  for (const log of logs) {
    const edition = createdEditionOf(log, factory.address);
    if (edition && !live.has(edition) && !newcomers.has(edition)) newcomers.set(edition, Number(log.blockNumber));
  }
  if (newcomers.size > 0) {
    const since = Math.min(...newcomers.values());
    logs.push(...(await getLogs(client, [...newcomers.keys()], EDITION_TOPICS, since, to)));
    logs.sort((a, b) => Number(a.blockNumber! - b.blockNumber!) || a.logIndex! - b.logIndex!);
  }
  const events = decodeLogs(logs, factory.address);

  const unconfirmed: number[] = [];
  for (let n = firstUnconfirmed; n <= to; n++) unconfirmed.push(n);
  const wanted = new Set<number>([to, ...unconfirmed]);
  const follows = cursor !== null && from === cursor.blockNumber + 1;
  if (follows) wanted.add(from);
  for (const mint of events.mints) if (mint.blockTimestamp === undefined) wanted.add(mint.blockNumber);
  const headers = await headersOf(client, wanted);

  if (follows && headers.get(from)!.parentHash !== cursor.blockHash) {
    throw new PassInterrupted(`block ${from} does not follow the indexed block ${cursor.blockNumber}`, "reorg");
  }
  if (toBefore !== undefined && toBefore?.hash !== headers.get(to)!.hash) throw new PassInterrupted(`block ${to} changed while its logs were read`, "reorg");
  for (const log of logs) {
    const header = headers.get(Number(log.blockNumber));
    if (header && header.hash !== log.blockHash) throw new PassInterrupted(`the logs of block ${log.blockNumber} are from another branch`, "reorg");
  }
  return { from, to, toHash: headers.get(to)!.hash, events, headers, unconfirmed };
}

/** Moves the cursor only from where this indexer left it: a second indexer's write fails instead of doubling rows. */
async function moveCursor(tx: Tx, chainId: number, from: Cursor | null, to: Cursor | null) {
  if (from === null) {
    if ((await tx.indexerCursor.findUnique({ where: { chainId } })) !== null) throw new PassInterrupted(`another indexer started chain ${chainId}`, "cursor");
    if (to) await tx.indexerCursor.create({ data: { chainId, ...to } });
    return;
  }
  const where = { chainId, blockNumber: from.blockNumber, blockHash: from.blockHash };
  const moved = to ? await tx.indexerCursor.updateMany({ where, data: to }) : await tx.indexerCursor.deleteMany({ where });
  if (moved.count !== 1) throw new PassInterrupted(`another indexer moved the cursor of chain ${chainId}`, "cursor");
}

/** Back to "not deployed": `signed` where collectors hold the author's signature, `prepared` otherwise. */
async function undeploy(tx: Tx, where: Prisma.EditionWhereInput) {
  const reverted = { createdBlock: null, createdTx: null };
  await tx.edition.updateMany({ where: { ...where, signature: null }, data: { ...reverted, status: "prepared" } });
  await tx.edition.updateMany({ where: { ...where, signature: { not: null } }, data: { ...reverted, status: "signed" } });
}

/** Sets `minted` to the number of Purchase rows of each edition. */
async function recountMinted(tx: Tx, editionIds: Iterable<string>) {
  const ids = [...new Set(editionIds)];
  if (ids.length === 0) return;
  const counts = await tx.purchase.groupBy({ by: ["editionId"], where: { editionId: { in: ids } }, _count: { _all: true } });
  const byId = new Map(counts.map((row) => [row.editionId, row._count._all]));
  for (const id of ids) await tx.edition.update({ where: { id }, data: { minted: byId.get(id) ?? 0 } });
}

type PurchaseRow = Omit<Prisma.PurchaseCreateManyInput, "id">;
type WithdrawalRow = Omit<Prisma.WithdrawalCreateManyInput, "id">;
const PURCHASE_COLUMNS: (keyof PurchaseRow)[] = ["editionId", "tokenId", "collector", "price", "message", "referrer", "blockNumber", "blockHash", "txHash", "logIndex", "timestamp"];
const WITHDRAWAL_COLUMNS: (keyof WithdrawalRow)[] = ["editionId", "payee", "recipient", "amount", "blockNumber", "blockHash", "txHash", "logIndex"];

/**
 * Multi-row INSERTs, the same SQL on SQLite and PostgreSQL: Prisma's createMany costs about eight
 * times as much per row, and these are the rows a backfill writes by the thousand. No "or ignore":
 * the cursor makes every range written once, so a duplicate is a bug to hear about.
 */
async function insertRows<Row extends object>(tx: Tx, table: "Purchase" | "Withdrawal", columns: (keyof Row & string)[], rows: Row[]) {
  const names = Prisma.raw(["id", ...columns].map((column) => `"${column}"`).join(", "));
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    const values = rows.slice(i, i + ROWS_PER_INSERT).map((row) => Prisma.sql`(${Prisma.join([crypto.randomUUID(), ...columns.map((column) => row[column])])})`);
    await tx.$executeRaw`INSERT INTO ${Prisma.raw(`"${table}"`)} (${names}) VALUES ${Prisma.join(values)}`;
  }
}

const asInt = (value: bigint) => (value > BigInt(MAX_INT) ? MAX_INT : Number(value));

/**
 * Records a created edition: the row the app wrote for it goes live; an edition made elsewhere is
 * recorded only when its content is an entry's and its author that entry's writer (anyone can
 * create a clone naming any essay), and the entry has no other edition than a prepared one.
 */
async function recordCreation(tx: Tx, ctx: Context, creation: EditionCreation): Promise<{ id: string } | { skipped: string }> {
  const data = {
    factory: ctx.factory.lower,
    author: creation.author,
    name: creation.name,
    symbol: creation.symbol,
    price: creation.price.toString(),
    supplyLimit: asInt(creation.limit),
    royaltyBps: creation.royaltyBps,
    feeBps: creation.feeBps,
    referralBps: creation.referralBps,
    fundingRecipient: creation.fundingRecipient,
    splitRecipient: creation.splitRecipient,
    splitBps: creation.splitBps,
    contentId: creation.contentId,
    metadataId: creation.metadataId,
    status: "live",
    goneAt: null,
    createdBlock: creation.blockNumber,
    createdTx: creation.txHash,
  };
  const known = await tx.edition.findUnique({ where: { chainId_address: { chainId: ctx.chainId, address: creation.address } }, select: { id: true } });
  if (known) return tx.edition.update({ where: { id: known.id }, data, select: { id: true } });
  // Not the app's: the address alone names it (the salt only names a signature the app never saw).
  const unsigned = { ...data, salt: `0x${"0".repeat(64)}` };
  const version = await tx.entryVersion.findUnique({
    where: { arweaveId: creation.contentId },
    select: { entry: { select: { id: true, writer: { select: { address: true } }, edition: { select: { id: true, status: true } } } } },
  });
  if (!version) return { skipped: `no entry has its content ${creation.contentId}` };
  const { entry } = version;
  if (entry.writer.address.toLowerCase() !== creation.author) return { skipped: `its author ${creation.author} did not write the entry` };
  if (entry.edition && entry.edition.status !== "prepared") return { skipped: `the entry already has a ${entry.edition.status} edition` };
  const placed = { chainId: ctx.chainId, address: creation.address, ...unsigned };
  if (entry.edition) return tx.edition.update({ where: { id: entry.edition.id }, data: { ...placed, signature: null, deadline: null }, select: { id: true } });
  return tx.edition.create({ data: { entryId: entry.id, ...placed }, select: { id: true } });
}

/** Writes one range and moves the cursor past it, in one transaction. */
async function writeRange(ctx: Context, live: Map<string, string>, cursor: Cursor | null, range: Range, head: number) {
  const { chainId } = ctx;
  return ctx.db.$transaction(
    async (tx) => {
      await moveCursor(tx, chainId, cursor, { blockNumber: range.to, blockHash: range.toHash });
      const ids = new Map(live);
      const indexed = new Map<string, string>();
      let skipped = 0;
      for (const creation of range.events.creations) {
        const outcome = await recordCreation(tx, ctx, creation);
        if ("skipped" in outcome) {
          skipped++;
          ctx.log(`edition ${creation.address} (block ${creation.blockNumber}) is not the platform's: ${outcome.skipped}`);
        } else {
          ids.set(creation.address, outcome.id);
          indexed.set(creation.address, outcome.id);
        }
      }
      // The app marks an edition live from its creation receipt; if that block was replaced before
      // the indexer got there, the creation is not on the chain it read.
      await undeploy(tx, { chainId, status: "live", createdBlock: { gte: range.from, lte: range.to }, address: { notIn: [...indexed.keys()] } });

      // Every mint but an author's free one is a sale at the edition's fixed price.
      const sold = [...new Set(range.events.mints.filter((mint) => mint.sale && ids.has(mint.edition)).map((mint) => ids.get(mint.edition)!))];
      const prices = new Map((await tx.edition.findMany({ where: { id: { in: sold } }, select: { id: true, price: true } })).map((row) => [row.id, row.price]));
      const purchases = range.events.mints
        .filter((mint) => ids.has(mint.edition))
        .map((mint): PurchaseRow => {
          const editionId = ids.get(mint.edition)!;
          return {
            editionId,
            tokenId: Number(mint.tokenId),
            collector: mint.collector,
            price: mint.sale ? prices.get(editionId)! : "0",
            message: mint.message,
            referrer: mint.referrer,
            blockNumber: mint.blockNumber,
            blockHash: mint.blockHash,
            txHash: mint.txHash,
            logIndex: mint.logIndex,
            timestamp: new Date((mint.blockTimestamp ?? range.headers.get(mint.blockNumber)!.timestamp) * 1000),
          };
        });
      await insertRows(tx, "Purchase", PURCHASE_COLUMNS, purchases);
      const withdrawals = range.events.payouts
        .filter((payout) => ids.has(payout.edition))
        .map((payout): WithdrawalRow => ({
          editionId: ids.get(payout.edition)!,
          payee: payout.payee,
          recipient: payout.recipient,
          amount: payout.amount.toString(),
          blockNumber: payout.blockNumber,
          blockHash: payout.blockHash,
          txHash: payout.txHash,
          logIndex: payout.logIndex,
        }));
      await insertRows(tx, "Withdrawal", WITHDRAWAL_COLUMNS, withdrawals);
      for (const [id, data] of movedTerms(range.events, ids)) await tx.edition.update({ where: { id }, data });
      await recountMinted(tx, purchases.map((purchase) => purchase.editionId));

      if (range.unconfirmed.length > 0) {
        await tx.indexedBlock.createMany({ data: range.unconfirmed.map((number) => ({ chainId, number, hash: range.headers.get(number)!.hash })) });
      }
      await tx.indexedBlock.deleteMany({ where: { chainId, number: { lte: head - ctx.env.indexer.confirmations } } });
      return { indexed, skipped, purchases: purchases.length, withdrawals: withdrawals.length };
    },
    { maxWait: 30_000, timeout: 120_000 },
  );
}

/** What can change on chain after creation: the writer's limit and recipient, a publication's recipient. */
type MovableTerms = { supplyLimit?: number; fundingRecipient?: string; splitRecipient?: string | null };

/**
 * The terms each known edition (`ids`: address to id) moved in a range, one update each. The events are
 * in chain order, so an edition's last change of each term wins.
 */
function movedTerms(events: ChainEvents, ids: Map<string, string>): Map<string, MovableTerms> {
  const moved = new Map<string, MovableTerms>();
  const move = (change: { edition: string }, terms: MovableTerms) => {
    const id = ids.get(change.edition);
    if (id) moved.set(id, { ...moved.get(id), ...terms });
  };
  for (const change of events.limitChanges) move(change, { supplyLimit: asInt(change.limit) });
  for (const change of events.fundingRecipientChanges) move(change, { fundingRecipient: change.recipient });
  for (const change of events.splitRecipientChanges) move(change, { splitRecipient: change.recipient });
  return moved;
}

/**
 * Each live edition's limit, funding recipient and split recipient as of block `number`, where they
 * differ from the stored ones (the writer can change the first two on chain, the publication the last).
 */
async function termsAt(ctx: Context, number: number): Promise<Map<string, MovableTerms>> {
  const editions = await ctx.db.edition.findMany({
    where: { chainId: ctx.chainId, factory: ctx.factory.lower, status: "live", createdBlock: { lte: number } },
    select: { id: true, address: true, supplyLimit: true, fundingRecipient: true, splitRecipient: true },
  });
  const changed = new Map<string, MovableTerms>();
  for (let i = 0; i < editions.length; i += ADDRESSES_PER_REQUEST) {
    const chunk = editions.slice(i, i + ADDRESSES_PER_REQUEST);
    const read = (edition: { address: string }, functionName: "limit" | "fundingRecipient" | "splitRecipient") =>
      ctx.client.readContract({ address: edition.address as Address, abi: writingEditionsAbi, functionName, blockNumber: BigInt(number) });
    // Only an edition with a split has a split recipient to read.
    const terms = await Promise.all(chunk.map(async (edition) => [await read(edition, "limit"), await read(edition, "fundingRecipient"), edition.splitRecipient ? await read(edition, "splitRecipient") : null] as const));
    chunk.forEach((edition, j) => {
      const limit = asInt(terms[j]![0] as bigint);
      const recipient = (terms[j]![1] as string).toLowerCase();
      const split = terms[j]![2] === null ? edition.splitRecipient : (terms[j]![2] as string).toLowerCase();
      const change = {
        ...(limit !== edition.supplyLimit ? { supplyLimit: limit } : {}),
        ...(recipient !== edition.fundingRecipient ? { fundingRecipient: recipient } : {}),
        ...(split !== edition.splitRecipient ? { splitRecipient: split } : {}),
      };
      if (Object.keys(change).length > 0) changed.set(edition.id, change);
    });
  }
  return changed;
}

/**
 * Undoes every block after `fork` (all of them when `fork` is null): their purchases and
 * withdrawals go, editions created in them are no longer deployed, counts, limits and both
 * recipients are as they were at the fork.
 */
async function rollBack(ctx: Context, cursor: Cursor, fork: Cursor | null) {
  const { chainId } = ctx;
  const last = fork?.blockNumber ?? -1;
  const terms = fork ? await retrying(ctx, () => `reading limits and recipients at block ${last}`, () => termsAt(ctx, last)) : new Map<string, MovableTerms>();
  await ctx.db.$transaction(
    async (tx) => {
      await moveCursor(tx, chainId, cursor, fork);
      const after = { edition: { chainId }, blockNumber: { gt: last } };
      const touched = await tx.purchase.groupBy({ by: ["editionId"], where: after });
      await tx.purchase.deleteMany({ where: after });
      await tx.withdrawal.deleteMany({ where: after });
      await undeploy(tx, { chainId, status: "live", createdBlock: { gt: last } });
      for (const [id, data] of terms) await tx.edition.update({ where: { id }, data });
      await recountMinted(tx, touched.map((row) => row.editionId));
      await tx.indexedBlock.deleteMany({ where: { chainId, number: { gt: last } } });
    },
    { maxWait: 30_000, timeout: 120_000 },
  );
}

/**
 * Compares the indexed chain with the node's. The cursor's block hash fixes all blocks below it, so
 * one header answers in the usual case; on a mismatch, the kept hashes find the fork point. No kept
 * hash matching means a reorg deeper than the window, or another chain behind the same id (a
 * restarted local node): everything is read again from the start block.
 */
async function undoReorg(ctx: Context, cursor: Cursor): Promise<{ blocks: number; cursor: Cursor | null } | undefined> {
  const { client, chainId } = ctx;
  const current = await retrying(ctx, () => `reading block ${cursor.blockNumber}`, () => headerAt(client, cursor.blockNumber));
  if (current?.hash === cursor.blockHash) return undefined;
  const kept = await ctx.db.indexedBlock.findMany({ where: { chainId, number: { lt: cursor.blockNumber } }, orderBy: { number: "desc" } });
  const onChain = await retrying(ctx, () => "reading kept blocks", () => Promise.all(kept.map((block) => headerAt(client, block.number))));
  const match = kept.find((block, i) => onChain[i]?.hash === block.hash);
  const fork = match ? { blockNumber: match.number, blockHash: match.hash } : null;
  const restart = ctx.factory.startBlock - 1;
  if (fork) ctx.log(`reorg: block ${cursor.blockNumber} changed; rolling back to block ${fork.blockNumber}`);
  else ctx.log(`reorg deeper than ${ctx.env.indexer.confirmations} blocks (or a new chain behind chain id ${chainId}): reading everything again from block ${ctx.factory.startBlock}`);
  await rollBack(ctx, cursor, fork);
  return { blocks: cursor.blockNumber - (fork?.blockNumber ?? restart), cursor: fork };
}

/** Only the local development chain can be replaced by a new one; any other chain's genesis never changes. */
function isLocalChain(env: IndexerEnv): boolean {
  return env.chain.id === 31337 && isLoopbackUrl(env.chain.rpcUrl);
}

/**
 * A different genesis under the same chain id is another chain, not a reorg: the local Hardhat node
 * starts a new chain (its genesis stamped with its start time) at every start. Its editions and
 * purchases no longer exist: the editions are marked gone (their entries can have new ones), the
 * purchases and withdrawals removed, and the index starts over. On any other chain it means the RPC
 * points at the wrong network: the indexer stops and changes nothing.
 */
async function checkGenesis(ctx: Context): Promise<ChainReset | undefined> {
  const genesis = await retrying(ctx, () => "reading block 0", () => headerAt(ctx.client, 0));
  if (!genesis) throw new Error(`${ctx.env.chain.rpcUrl} has no block 0`);
  let known = await ctx.db.indexedChain.findUnique({ where: { chainId: ctx.chainId } });
  if (known?.genesisHash === genesis.hash) return undefined;
  if (!known) {
    // Indexed before genesis hashes were recorded: the last indexed block tells whether this is still that chain.
    const last = await ctx.db.indexedBlock.findFirst({ where: { chainId: ctx.chainId }, orderBy: { number: "desc" } });
    const still = !last || (await retrying(ctx, () => `reading block ${last.number}`, () => headerAt(ctx.client, last.number)))?.hash === last.hash;
    known = await ctx.db.indexedChain.create({ data: { chainId: ctx.chainId, genesisHash: still || !isLocalChain(ctx.env) ? genesis.hash : "unrecorded" } });
    if (known.genesisHash === genesis.hash) return undefined;
  }
  if (!isLocalChain(ctx.env)) {
    throw new Error(
      `${ctx.env.chain.rpcUrl} serves a chain ${ctx.chainId} whose genesis block is ${genesis.hash}, not ${known.genesisHash} as indexed: is CHAIN_RPC_URL the right network? Nothing was changed.`,
    );
  }
  const { chainId } = ctx;
  return ctx.db.$transaction(
    async (tx) => {
      const moved = await tx.indexedChain.updateMany({ where: { chainId, genesisHash: known.genesisHash }, data: { genesisHash: genesis.hash } });
      if (moved.count !== 1) throw new PassInterrupted(`another indexer reset chain ${chainId}`, "cursor");
      const gone = { chainId, status: "live" };
      const goneEditions = await tx.edition.count({ where: gone });
      const gonePurchases = await tx.purchase.deleteMany({ where: { edition: { chainId } } });
      await tx.withdrawal.deleteMany({ where: { edition: { chainId } } });
      await tx.edition.updateMany({ where: gone, data: { goneAt: new Date() } });
      await undeploy(tx, gone);
      await tx.edition.updateMany({ where: { chainId }, data: { minted: 0 } });
      await tx.indexerCursor.deleteMany({ where: { chainId } });
      await tx.indexedBlock.deleteMany({ where: { chainId } });
      return { genesisHash: genesis.hash, goneEditions, gonePurchases: gonePurchases.count };
    },
    { maxWait: 30_000, timeout: 120_000 },
  );
}

/** The plain words for a replaced local chain, for the start-up output and the worker's log. */
export function describeReset(reset: ChainReset): string {
  return `the local chain was reset (new genesis ${reset.genesisHash}); ${reset.goneEditions} edition(s) made on the previous one are marked as gone and ${reset.gonePurchases} purchase(s) with them; their entries can have new editions`;
}

async function liveEditions(ctx: Context): Promise<Map<string, string>> {
  const rows = await ctx.db.edition.findMany({ where: { chainId: ctx.chainId, factory: ctx.factory.lower, status: "live" }, select: { id: true, address: true } });
  return new Map(rows.map((row) => [row.address.toLowerCase(), row.id]));
}

/** One pass: undo a reorg if there was one, then index every block up to the head seen at its start. */
async function pass(ctx: Context, result: IndexResult) {
  const { env } = ctx;
  const head = Number(await retrying(ctx, () => "reading the chain head", () => ctx.client.getBlockNumber({ cacheTime: 0 })));
  let cursor: Cursor | null = await ctx.db.indexerCursor.findUnique({ where: { chainId: ctx.chainId }, select: { blockNumber: true, blockHash: true } });
  if (cursor) {
    const undone = await undoReorg(ctx, cursor);
    if (undone) {
      result.rolledBack += undone.blocks;
      cursor = undone.cursor;
    }
  }
  const live = await liveEditions(ctx);
  let from = Math.max(cursor ? cursor.blockNumber + 1 : 0, ctx.factory.startBlock);
  result.fromBlock = Math.min(result.fromBlock, from);
  result.toBlock = cursor?.blockNumber ?? from - 1;

  let span = env.indexer.blockRange;
  let reported = Date.now();
  while (from <= head && !ctx.signal?.aborted) {
    let to = from;
    const { range, written } = await retrying(
      ctx,
      () => `indexing blocks ${from}-${to}`,
      async () => {
        to = Math.min(head, from + span - 1);
        const range = await readRange(ctx, live, cursor, from, to, head);
        return { range, written: await writeRange(ctx, live, cursor, range, head) };
      },
      // A provider that refuses a request often refuses its size: ask for fewer blocks.
      () => (span = Math.max(1, Math.ceil(span / 2))),
    );
    for (const [address, id] of written.indexed) live.set(address, id);
    cursor = { blockNumber: range.to, blockHash: range.toHash };
    result.toBlock = range.to;
    result.editions += written.indexed.size;
    result.skipped += written.skipped;
    result.purchases += written.purchases;
    result.withdrawals += written.withdrawals;
    from = range.to + 1;
    span = Math.min(env.indexer.blockRange, span * 2);
    if (Date.now() - reported > PROGRESS_EVERY_MS) {
      reported = Date.now();
      ctx.log(`indexed to block ${range.to} of ${head}: ${result.purchases} purchases so far`);
    }
  }
}

/**
 * Indexes from the cursor (or the factory's start block) up to the chain head, undoing a reorg
 * first if the chain changed under the indexed blocks. RPC and database errors are retried with
 * backoff; the pass fails once one request has failed `retries` times.
 */
export async function indexOnce(db: Database, env: IndexerEnv, opts: IndexOptions = {}): Promise<IndexResult> {
  const factory = indexedFactory(env);
  const ctx: Context = {
    db,
    env,
    client: opts.client ?? createIndexerClient(env),
    chainId: env.chain.id,
    factory: { ...factory, lower: factory.address.toLowerCase() },
    log: opts.log ?? (() => {}),
    signal: opts.signal,
    retries: opts.retries ?? 6,
    backoffMs: opts.backoffMs ?? 500,
  };
  const served = await retrying(ctx, () => "reading the chain id", () => ctx.client.getChainId());
  if (served !== env.chain.id) throw new Error(`${env.chain.rpcUrl} serves chain ${served}, not chain ${env.chain.id} (CHAIN_ID)`);
  const result: IndexResult = { fromBlock: Number.MAX_SAFE_INTEGER, toBlock: 0, editions: 0, skipped: 0, purchases: 0, withdrawals: 0, rolledBack: 0 };
  result.reset = await checkGenesis(ctx);
  if (result.reset) ctx.log(describeReset(result.reset));
  for (let restarts = 0; ; restarts++) {
    try {
      await pass(ctx, result);
      return result;
    } catch (error) {
      if (!(error instanceof PassInterrupted) || error.reason !== "reorg" || restarts >= MAX_RESTARTS) throw error;
      ctx.log(`${error.message}: checking for a reorg`);
    }
  }
}

function summary(result: IndexResult): string {
  const parts = [
    `${result.editions} edition(s) live`,
    `${result.purchases} purchase(s)`,
    `${result.withdrawals} withdrawal(s)`,
    ...(result.skipped ? [`${result.skipped} edition(s) not the platform's`] : []),
    ...(result.rolledBack ? [`${result.rolledBack} block(s) rolled back`] : []),
    ...(result.reset ? ["after a reset of the local chain"] : []),
  ];
  return `blocks ${result.fromBlock}-${result.toBlock}: ${parts.join(", ")}`;
}

/**
 * Runs the indexer until stopped: a pass every `INDEXER_POLL_MS` (each reads the head, so it
 * catches up on everything since the last). A failed pass is logged and retried with backoff.
 * With a `lease`, only the process holding it reads the chain: the others stand by, renewing their
 * bid each pass, and one takes over within the lease's time when the holder dies; the holder renews
 * it several times a lease, also during a long pass. `stop()` gives the lease up, unless told not to.
 * Throws at once when there is no factory to follow.
 */
export function startIndexer(db: Database, env: IndexerEnv, opts: { log?: (line: string) => void; client?: PublicClient; lease?: Lease } = {}) {
  const log = opts.log ?? (() => {});
  const factory = indexedFactory(env);
  const client = opts.client ?? createIndexerClient(env);
  const { lease } = opts;
  const controller = new AbortController();
  let failures = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<void> = Promise.resolve();
  let holding: boolean | undefined;
  /** Takes or renews the lease; says so in the log when that changes. */
  const bid = async () => {
    if (!lease) return true;
    const now = await lease.hold();
    if (now !== holding) log(now ? `holding the indexer lease as ${lease.holder}` : "another process reads the chain; standing by");
    holding = now;
    return now;
  };
  const renewal = lease ? setInterval(() => void bid().catch(() => undefined), Math.max(50, Math.floor(env.indexer.leaseMs / 3))) : undefined;
  log(`following factory ${factory.address} on chain ${env.chain.id} from block ${factory.startBlock}`);
  const tick = () => {
    running = bid()
      .then(async (mine) => {
        if (!mine) return;
        const result = await indexOnce(db, env, { client, log, signal: controller.signal });
        failures = 0;
        if (result.editions || result.purchases || result.withdrawals || result.skipped || result.rolledBack || result.reset) log(summary(result));
      })
      .catch((error: unknown) => {
        if (controller.signal.aborted) return;
        failures++;
        log(`indexing failed: ${reasonOf(error)}`);
      })
      .finally(() => {
        if (!controller.signal.aborted) timer = setTimeout(tick, failures > 0 ? retryDelayMs(failures, { baseMs: env.indexer.pollMs, maxMs: MAX_BACKOFF_MS }) : env.indexer.pollMs);
      });
  };
  tick();
  return {
    async stop(stopOpts: { release?: boolean } = {}) {
      controller.abort();
      clearTimeout(timer);
      clearInterval(renewal);
      await running;
      if (lease && holding && stopOpts.release !== false) await lease.release();
    },
  };
}
