/**
 * The chain events the indexer reads, decoded into plain records. Pure: logs in, records out.
 * Edition events are decoded by their topics and data directly (they arrive by the thousand);
 * the factory's rare `EditionCreated` through viem's ABI decoder, then its packed terms by layout.
 *
 * A sale is its `Transfer`s from the zero address. The buyer's note, if any, is the data of the first
 * one, as raw UTF-8 (every `Transfer` parameter is indexed, so ERC-721 readers ignore it); a
 * `Referred` follows them in the same transaction and edition if the buyer named a referrer. A free
 * mint by the author is marked by `OwnerMinted`; every other mint is a sale at the edition's price.
 */
import { type Address, type Hex, type Log, decodeAbiParameters, decodeEventLog, getAbiItem, toEventSelector } from "viem";
import { writingEditionsAbi, writingEditionsFactoryAbi } from "~/generated/contracts";

const editionCreated = getAbiItem({ abi: writingEditionsFactoryAbi, name: "EditionCreated" });

const TOPIC = {
  editionCreated: toEventSelector(editionCreated),
  transfer: toEventSelector(getAbiItem({ abi: writingEditionsAbi, name: "Transfer" })),
  referred: toEventSelector(getAbiItem({ abi: writingEditionsAbi, name: "Referred" })),
  ownerMinted: toEventSelector(getAbiItem({ abi: writingEditionsAbi, name: "OwnerMinted" })),
  fundingRecipientChanged: toEventSelector(getAbiItem({ abi: writingEditionsAbi, name: "FundingRecipientChanged" })),
  splitRecipientChanged: toEventSelector(getAbiItem({ abi: writingEditionsAbi, name: "SplitRecipientChanged" })),
  withdrawn: toEventSelector(getAbiItem({ abi: writingEditionsAbi, name: "Withdrawn" })),
  limitChanged: toEventSelector(getAbiItem({ abi: writingEditionsAbi, name: "LimitChanged" })),
};

/** topic0 of every edition event the indexer stores something for. */
export const EDITION_TOPICS: Hex[] = [
  TOPIC.transfer,
  TOPIC.referred,
  TOPIC.ownerMinted,
  TOPIC.withdrawn,
  TOPIC.limitChanged,
  TOPIC.fundingRecipientChanged,
  TOPIC.splitRecipientChanged,
];
/** The same with the factory's `EditionCreated`, for one request over the factory and the editions. */
export const ALL_TOPICS: Hex[] = [TOPIC.editionCreated, ...EDITION_TOPICS];

const ZERO_TOPIC = `0x${"0".repeat(64)}`;

/** Where a log sits on the chain; `blockTimestamp` only where the RPC node reports it. */
export interface LogPosition {
  blockNumber: number;
  blockHash: Hex;
  txHash: Hex;
  logIndex: number;
  blockTimestamp?: number;
}

export interface EditionCreation extends LogPosition {
  /** Lower-case, as every address the indexer writes. */
  address: string;
  author: string;
  name: string;
  symbol: string;
  /** Arweave ids (base64url) of the essay and of the metadata document. */
  contentId: string;
  metadataId: string;
  price: bigint;
  limit: bigint;
  fundingRecipient: string;
  royaltyBps: number;
  /** The fee the edition takes (the factory's, if it was below the terms' at creation). */
  feeBps: number;
  referralBps: number;
  /** A publication's share fixed in the terms: its address (lower-case) and basis points, or null and 0. */
  splitRecipient: string | null;
  splitBps: number;
}

/** A token minted (`Transfer` from the zero address): a sale or an author's mint. */
export interface Mint extends LogPosition {
  edition: string;
  tokenId: bigint;
  collector: string;
  /** False for an author's free mint (`OwnerMinted`). */
  sale: boolean;
  /** The buyer's referrer, lower-case, if the purchase named one. */
  referrer: string | null;
  /** The buyer's note; on the first token of a purchase only. */
  message: string;
}

/** The writer moved its proceeds (`FundingRecipientChanged`) or the publication its share (`SplitRecipientChanged`). */
export interface RecipientChange extends LogPosition {
  edition: string;
  recipient: string;
}

export interface Payout extends LogPosition {
  edition: string;
  payee: number;
  recipient: string;
  amount: bigint;
}

export interface LimitChange extends LogPosition {
  edition: string;
  limit: bigint;
}

export interface ChainEvents {
  creations: EditionCreation[];
  mints: Mint[];
  payouts: Payout[];
  limitChanges: LimitChange[];
  fundingRecipientChanges: RecipientChange[];
  splitRecipientChanges: RecipientChange[];
}

/** The base64url Arweave id of a raw 32-byte id, as the app stores ids. */
export const arweaveIdOf = (bytes32: Hex): string => Buffer.from(bytes32.slice(2), "hex").toString("base64url");

// PostgreSQL refuses NUL in text; a buyer's message (or a stranger's edition name) may contain one.
const storable = (text: string) => text.replace(/\u0000/g, "");

const addressTopic = (topic: Hex | undefined): string => `0x${(topic ?? ZERO_TOPIC).slice(26)}`.toLowerCase();
const uintTopic = (topic: Hex | undefined): bigint => BigInt(topic ?? ZERO_TOPIC);

function positionOf(log: Log): LogPosition {
  const withTimestamp = log as Log & { blockTimestamp?: bigint | null };
  return {
    blockNumber: Number(log.blockNumber),
    blockHash: log.blockHash!,
    txHash: log.transactionHash!,
    logIndex: log.logIndex!,
    ...(withTimestamp.blockTimestamp ? { blockTimestamp: Number(withTimestamp.blockTimestamp) } : {}),
  };
}

/** The edition a log of the factory announces, if it is an `EditionCreated`; lower-case. */
export function createdEditionOf(log: Log, factory: Address): string | undefined {
  if (log.address.toLowerCase() !== factory.toLowerCase() || log.topics[0] !== TOPIC.editionCreated) return undefined;
  return addressTopic(log.topics[1]);
}

/** The terms an edition's packed arguments hold (`EditionArgs` in the contracts). */
export function decodeEditionArgs(args: Hex) {
  const bytes = Buffer.from(args.slice(2), "hex");
  if (bytes.length < 132) throw new RangeError(`edition arguments are ${bytes.length} bytes, fewer than 132`);
  const hex = (from: number, to: number) => `0x${bytes.subarray(from, to).toString("hex")}` as Hex;
  const nameLength = bytes[130]!;
  const symbolAt = 131 + nameLength;
  const symbolLength = bytes[symbolAt] ?? 0;
  // A split, when the terms have one, follows the symbol: recipient (20 bytes) and basis points (2).
  const splitAt = symbolAt + 1 + symbolLength;
  const split = bytes.length >= splitAt + 22 ? { splitRecipient: hex(splitAt, splitAt + 20).toLowerCase(), splitBps: bytes.readUInt16BE(splitAt + 20) } : { splitRecipient: null, splitBps: 0 };
  return {
    author: hex(0, 20).toLowerCase(),
    fundingRecipient: hex(20, 40).toLowerCase(),
    price: BigInt(hex(40, 52)),
    limit: BigInt(hex(52, 60)),
    royaltyBps: bytes.readUInt16BE(60),
    feeBps: bytes.readUInt16BE(62),
    referralBps: bytes.readUInt16BE(64),
    contentId: hex(66, 98),
    metadataId: hex(98, 130),
    name: bytes.subarray(131, 131 + nameLength).toString("utf8"),
    symbol: bytes.subarray(symbolAt + 1, symbolAt + 1 + symbolLength).toString("utf8"),
    ...split,
  };
}

/**
 * Sorts logs, in chain order, into records. `EditionCreated` counts only from `factory`, and edition
 * events only from other addresses: the caller asks for edition events of the factory's clones alone.
 * A `Referred` belongs to the run of mints to one collector just before it, in the same transaction
 * and edition (a purchase emits its transfers, then that).
 */
export function decodeLogs(logs: Log[], factory: Address): ChainEvents {
  const events: ChainEvents = { creations: [], mints: [], payouts: [], limitChanges: [], fundingRecipientChanges: [], splitRecipientChanges: [] };
  const factoryAddress = factory.toLowerCase();
  // The latest purchase's mints per transaction and edition, and whether another event has followed.
  const runs = new Map<string, { mints: Mint[]; open: boolean }>();
  for (const log of logs) {
    if (log.removed || log.blockNumber === null) continue;
    const address = log.address.toLowerCase();
    const [topic0, topic1, topic2] = log.topics;
    const runKey = `${log.transactionHash}:${address}`;
    if (address === factoryAddress) {
      if (topic0 !== TOPIC.editionCreated) continue;
      const { args } = decodeEventLog({ abi: [editionCreated], topics: log.topics as [Hex, ...Hex[]], data: log.data, strict: true });
      const terms = decodeEditionArgs(args.args);
      events.creations.push({
        ...positionOf(log),
        address: args.edition.toLowerCase(),
        author: args.author.toLowerCase(),
        name: storable(terms.name),
        symbol: storable(terms.symbol),
        contentId: arweaveIdOf(terms.contentId),
        metadataId: arweaveIdOf(terms.metadataId),
        price: terms.price,
        limit: terms.limit,
        fundingRecipient: terms.fundingRecipient,
        royaltyBps: terms.royaltyBps,
        feeBps: Number(args.feeBps),
        referralBps: terms.referralBps,
        splitRecipient: terms.splitRecipient,
        splitBps: terms.splitBps,
      });
    } else if (topic0 === TOPIC.transfer) {
      if (topic1 !== ZERO_TOPIC) continue;
      const message = log.data && log.data !== "0x" ? storable(Buffer.from(log.data.slice(2), "hex").toString("utf8")) : "";
      const mint: Mint = { ...positionOf(log), edition: address, tokenId: uintTopic(log.topics[3]), collector: addressTopic(topic2), sale: true, referrer: null, message };
      events.mints.push(mint);
      const run = runs.get(runKey);
      // A note starts a purchase: only a purchase's first Transfer carries one.
      if (run?.open && !message && run.mints[0]!.collector === mint.collector) run.mints.push(mint);
      else runs.set(runKey, { mints: [mint], open: true });
    } else if (topic0 === TOPIC.referred) {
      const run = runs.get(runKey);
      if (!run) continue;
      run.open = false;
      for (const mint of run.mints) mint.referrer = addressTopic(topic1);
    } else if (topic0 === TOPIC.ownerMinted) {
      const tokenId = uintTopic(topic1);
      const run = runs.get(runKey);
      if (run) run.open = false;
      const mint = run?.mints.find((candidate) => candidate.tokenId === tokenId);
      if (mint) mint.sale = false;
    } else if (topic0 === TOPIC.withdrawn) {
      const [amount] = decodeAbiParameters([{ type: "uint256" }], log.data);
      events.payouts.push({ ...positionOf(log), edition: address, payee: Number(uintTopic(topic1)), recipient: addressTopic(topic2), amount });
    } else if (topic0 === TOPIC.limitChanged) {
      events.limitChanges.push({ ...positionOf(log), edition: address, limit: uintTopic(topic2) });
    } else if (topic0 === TOPIC.fundingRecipientChanged) {
      events.fundingRecipientChanges.push({ ...positionOf(log), edition: address, recipient: addressTopic(topic2) });
    } else if (topic0 === TOPIC.splitRecipientChanged) {
      events.splitRecipientChanges.push({ ...positionOf(log), edition: address, recipient: addressTopic(topic2) });
    }
  }
  return events;
}
