/**
 * The chain events the indexer reads, decoded into plain records. Pure: logs in, records out.
 * Edition events are decoded by their topics and data directly (they arrive by the thousand);
 * the factory's rare `EditionCreated`, with its struct, through viem's ABI decoder.
 */
import { type Address, type Hex, type Log, decodeAbiParameters, decodeEventLog, getAbiItem, toEventSelector } from "viem";
import { writingEditionsAbi, writingEditionsFactoryAbi } from "~/generated/contracts";

const editionCreated = getAbiItem({ abi: writingEditionsFactoryAbi, name: "EditionCreated" });

const TOPIC = {
  editionCreated: toEventSelector(editionCreated),
  transfer: toEventSelector(getAbiItem({ abi: writingEditionsAbi, name: "Transfer" })),
  purchased: toEventSelector(getAbiItem({ abi: writingEditionsAbi, name: "Purchased" })),
  withdrawn: toEventSelector(getAbiItem({ abi: writingEditionsAbi, name: "Withdrawn" })),
  limitChanged: toEventSelector(getAbiItem({ abi: writingEditionsAbi, name: "LimitChanged" })),
};

/** topic0 of every edition event the indexer stores something for. */
export const EDITION_TOPICS: Hex[] = [TOPIC.transfer, TOPIC.purchased, TOPIC.withdrawn, TOPIC.limitChanged];
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
  feeBps: number;
  salt: Hex;
}

/** A token minted (`Transfer` from the zero address): a sale or an author's mint. */
export interface Mint extends LogPosition {
  edition: string;
  tokenId: bigint;
  collector: string;
}

/** What `Purchased` adds to a mint that was a sale. */
export interface Sale {
  edition: string;
  tokenId: bigint;
  price: bigint;
  message: string;
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
  sales: Sale[];
  payouts: Payout[];
  limitChanges: LimitChange[];
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

/**
 * Sorts logs, in chain order, into records. `EditionCreated` counts only from `factory`, and edition
 * events only from other addresses: the caller asks for edition events of the factory's clones alone.
 */
export function decodeLogs(logs: Log[], factory: Address): ChainEvents {
  const events: ChainEvents = { creations: [], mints: [], sales: [], payouts: [], limitChanges: [] };
  const factoryAddress = factory.toLowerCase();
  for (const log of logs) {
    if (log.removed || log.blockNumber === null) continue;
    const address = log.address.toLowerCase();
    const [topic0, topic1, topic2] = log.topics;
    if (address === factoryAddress) {
      if (topic0 !== TOPIC.editionCreated) continue;
      const { args } = decodeEventLog({ abi: [editionCreated], topics: log.topics as [Hex, ...Hex[]], data: log.data, strict: true });
      const { params } = args;
      events.creations.push({
        ...positionOf(log),
        address: args.edition.toLowerCase(),
        author: args.author.toLowerCase(),
        name: storable(params.name),
        symbol: storable(params.symbol),
        contentId: arweaveIdOf(params.contentId),
        metadataId: arweaveIdOf(params.metadataId),
        price: params.price,
        limit: params.limit,
        fundingRecipient: params.fundingRecipient.toLowerCase(),
        royaltyBps: params.royaltyBps,
        feeBps: params.feeBps,
        salt: args.salt.toLowerCase() as Hex,
      });
    } else if (topic0 === TOPIC.transfer) {
      if (topic1 !== ZERO_TOPIC) continue;
      events.mints.push({ ...positionOf(log), edition: address, tokenId: uintTopic(log.topics[3]), collector: addressTopic(topic2) });
    } else if (topic0 === TOPIC.purchased) {
      const [price, message] = decodeAbiParameters([{ type: "uint256" }, { type: "string" }], log.data);
      events.sales.push({ edition: address, tokenId: uintTopic(topic1), price, message: storable(message) });
    } else if (topic0 === TOPIC.withdrawn) {
      const [amount] = decodeAbiParameters([{ type: "uint256" }], log.data);
      events.payouts.push({ ...positionOf(log), edition: address, payee: Number(uintTopic(topic1)), recipient: addressTopic(topic2), amount });
    } else if (topic0 === TOPIC.limitChanged) {
      events.limitChanges.push({ ...positionOf(log), edition: address, limit: uintTopic(topic2) });
    }
  }
  return events;
}
