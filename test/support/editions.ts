/**
 * Writing editions on a local Hardhat node, for integration tests and benchmarks: funded accounts,
 * a factory, editions created directly or lazily, purchases and the other edition calls; and the
 * rows the app writes before anything is on chain (an entry with its Arweave id, a prepared or
 * signed edition).
 *
 * Accounts are fresh keys funded with `hardhat_setBalance`, not the node's shared dev accounts, so
 * test files running at once on one node never race for an account's nonce.
 */
import crypto from "node:crypto";
import {
  type Account,
  type Address,
  type Chain,
  type Hex,
  type Transport,
  type WalletClient,
  createPublicClient,
  createTestClient,
  createWalletClient,
  getAddress,
  http,
  parseEther,
  parseEventLogs,
  toHex,
  zeroAddress,
} from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import type { Database } from "~/db.server";
import { writingEditionsAbi, writingEditionsFactoryAbi } from "~/generated/contracts";
import { chainFor } from "~/modules/editions/chain.server";
import { arweaveIdOf } from "~/modules/editions/events.server";
import { deployFactory } from "../../contracts/deploy";
import { type EditionParams, editionTypedData } from "../../contracts/typed-data";

export type Wallet = WalletClient<Transport, Chain, Account>;

/** Clients for a local Hardhat node (chain 31337) at `rpcUrl`. */
export function localChain(rpcUrl: string) {
  const chain = chainFor(31337, rpcUrl);
  const transport = http(rpcUrl);
  return {
    rpcUrl,
    publicClient: createPublicClient({ chain, transport, pollingInterval: 50 }),
    /** Hardhat's own methods: balances, snapshots, mining. */
    testClient: createTestClient({ chain, mode: "hardhat", transport }),
    walletFor: (account: Account): Wallet => createWalletClient({ account, chain, transport }),
  };
}

export type LocalChain = ReturnType<typeof localChain>;

/**
 * Mines `count` empty blocks, with one JSON-RPC batch of `evm_mine`. Not `hardhat_mine`: the blocks
 * it reserves report a zero parent hash now and then, which no real chain does and an indexer that
 * checks the chain's linkage rightly refuses.
 */
export async function mineEmptyBlocks(chain: LocalChain, count: number) {
  const response = await fetch(chain.rpcUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(Array.from({ length: count }, (_, id) => ({ jsonrpc: "2.0", id, method: "evm_mine", params: [] }))),
  });
  const answers = (await response.json()) as { error?: { message: string } }[];
  const failed = answers.find((answer) => answer.error);
  if (failed) throw new Error(`evm_mine: ${failed.error!.message}`);
}

/** A new account holding `ether`. */
export async function fundedWallet(chain: LocalChain, ether = "1000"): Promise<Wallet> {
  const account = privateKeyToAccount(generatePrivateKey());
  await chain.testClient.setBalance({ address: account.address, value: parseEther(ether) });
  return chain.walletFor(account);
}

/** Deploys a factory of its own (owned by a fresh account, fees to it); its deploy block is where an indexer starts. */
export async function deployFactoryOnChain(chain: LocalChain, opts: { feeBps?: number } = {}) {
  const owner = await fundedWallet(chain);
  const deployment = await deployFactory({ publicClient: chain.publicClient, walletClient: owner, feeBps: opts.feeBps ?? 0 });
  return { address: deployment.factory, deployBlock: Number(deployment.deployBlock), owner, feeBps: opts.feeBps ?? 0 };
}

export type Factory = Awaited<ReturnType<typeof deployFactoryOnChain>>;

/** 32 random bytes: an Arweave id as the contracts take it. */
export const randomBytes32 = (): Hex => toHex(crypto.randomBytes(32));

/** Terms for an edition paying `fundingRecipient`, with a random essay and metadata id unless given. */
export function editionTerms(factory: Factory, fundingRecipient: Address, overrides: Partial<EditionParams> = {}): EditionParams {
  return {
    name: "The Slow Web, Revisited",
    symbol: "ESSAY",
    contentId: randomBytes32(),
    metadataId: randomBytes32(),
    price: parseEther("0.01"),
    limit: 0n,
    fundingRecipient,
    royaltyBps: 1000,
    feeBps: factory.feeBps,
    referralBps: 0,
    splitRecipient: zeroAddress,
    splitBps: 0,
    ...overrides,
  };
}

export interface SignedEdition {
  /** Where the edition will be deployed. */
  address: Address;
  salt: Hex;
  deadline: bigint;
  signature: Hex;
}

/** The author's EIP-712 consent to lazy creation, as the app asks the author's wallet for it. */
export async function signEdition(args: { chain: LocalChain; factory: Factory; author: Wallet; params: EditionParams; salt?: Hex; deadline?: bigint }): Promise<SignedEdition> {
  const { chain, factory, author, params } = args;
  const salt = args.salt ?? randomBytes32();
  const deadline = args.deadline ?? (await chain.publicClient.getBlock()).timestamp + 3600n;
  const signature = await author.signTypedData({
    ...editionTypedData({ chainId: 31337, factory: factory.address, author: author.account.address, params, salt, deadline }),
  });
  const address = await chain.publicClient.readContract({
    address: factory.address,
    abi: writingEditionsFactoryAbi,
    functionName: "predictAddress",
    args: [author.account.address, params],
  });
  return { address, salt, deadline, signature };
}

async function mined(chain: LocalChain, hash: Hex) {
  const receipt = await chain.publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new Error(`transaction ${hash} reverted`);
  return receipt;
}

function tokenMintedIn(logs: Parameters<typeof parseEventLogs>[0]["logs"]): bigint {
  const minted = parseEventLogs({ abi: writingEditionsAbi, logs, eventName: "Transfer" }).filter((log) => BigInt(log.args.from) === 0n);
  if (minted.length === 0) throw new Error("the transaction minted no token");
  return minted[0]!.args.tokenId;
}

/**
 * Creates an edition on chain. Directly: the author calls `factory.create`. Lazily (`lazy`): the
 * author signs (unless `lazy.signed` holds a signature already) and the collector's
 * `createWithSignature` deploys the edition and buys token 1 in one transaction.
 */
export async function createEditionOnChain(args: {
  chain: LocalChain;
  factory: Factory;
  author: Wallet;
  params: EditionParams;
  salt?: Hex;
  lazy?: { collector: Wallet; message?: string; signed?: SignedEdition; quantity?: number; referrer?: Address };
}) {
  const { chain, factory, author, params, lazy } = args;
  if (!lazy) {
    const salt = args.salt ?? randomBytes32();
    const hash = await author.writeContract({ address: factory.address, abi: writingEditionsFactoryAbi, functionName: "create", args: [params] });
    const receipt = await mined(chain, hash);
    const [created] = parseEventLogs({ abi: writingEditionsFactoryAbi, logs: receipt.logs, eventName: "EditionCreated" });
    return { address: getAddress(created!.args.edition), params, salt, txHash: hash, blockNumber: Number(receipt.blockNumber) };
  }
  const signed = lazy.signed ?? (await signEdition({ chain, factory, author, params, salt: args.salt }));
  const hash = await lazy.collector.writeContract({
    address: factory.address,
    abi: writingEditionsFactoryAbi,
    functionName: "createWithSignature",
    args: [params, { author: author.account.address, salt: signed.salt, deadline: signed.deadline, signature: signed.signature }, lazy.collector.account.address, BigInt(lazy.quantity ?? 1), lazy.referrer ?? zeroAddress, lazy.message ?? ""],
    value: params.price * BigInt(lazy.quantity ?? 1),
  });
  const receipt = await mined(chain, hash);
  return { address: signed.address, params, salt: signed.salt, txHash: hash, blockNumber: Number(receipt.blockNumber), signed, tokenId: tokenMintedIn(receipt.logs) };
}

/**
 * `collector` buys the next token of `edition` (for `recipient`, itself by default) at its price: one
 * copy with `buy` (for itself) or `purchase` (for `recipient`), or `quantity` copies and/or a
 * `referrer` with `collect`.
 */
export async function purchaseOnChain(args: { chain: LocalChain; edition: Address; collector: Wallet; message?: string; recipient?: Address; quantity?: number; referrer?: Address }) {
  const { chain, edition, collector } = args;
  const price = await chain.publicClient.readContract({ address: edition, abi: writingEditionsAbi, functionName: "price" });
  const to = args.recipient ?? collector.account.address;
  const single = args.quantity === undefined && args.referrer === undefined;
  const hash =
    single && args.recipient === undefined
      ? await collector.writeContract({ address: edition, abi: writingEditionsAbi, functionName: "buy", args: [args.message ?? ""], value: price })
      : single
        ? await collector.writeContract({ address: edition, abi: writingEditionsAbi, functionName: "purchase", args: [to, args.message ?? ""], value: price })
      : await collector.writeContract({
          address: edition,
          abi: writingEditionsAbi,
          functionName: "collect",
          args: [to, BigInt(args.quantity ?? 1), args.referrer ?? zeroAddress, args.message ?? ""],
          value: price * BigInt(args.quantity ?? 1),
        });
  const receipt = await mined(chain, hash);
  return { tokenId: tokenMintedIn(receipt.logs), txHash: hash, blockNumber: Number(receipt.blockNumber) };
}

/** One of the author's own calls on an edition: a free mint, lowering the limit, moving the proceeds; or anyone's `withdraw`. */
export async function editionCallOnChain(
  args: { chain: LocalChain; edition: Address; wallet: Wallet } & (
    | { call: "ownerMint"; to: Address }
    | { call: "setLimit"; limit: bigint }
    | { call: "setFundingRecipient"; recipient: Address }
    | { call: "withdraw" }
  ),
) {
  const { chain, edition, wallet } = args;
  const target = { address: edition, abi: writingEditionsAbi } as const;
  const hash =
    args.call === "ownerMint"
      ? await wallet.writeContract({ ...target, functionName: "ownerMint", args: [args.to] })
      : args.call === "setLimit"
        ? await wallet.writeContract({ ...target, functionName: "setLimit", args: [args.limit] })
        : args.call === "setFundingRecipient"
          ? await wallet.writeContract({ ...target, functionName: "setFundingRecipient", args: [args.recipient] })
          : await wallet.writeContract({ ...target, functionName: "withdraw" });
  const receipt = await mined(chain, hash);
  return { txHash: hash, blockNumber: Number(receipt.blockNumber) };
}

/**
 * A published entry as the app stores one (writer, entry, version 1) whose Arweave id is
 * `contentId`: what an edition's content id points to.
 */
export async function entryOnDatabase(db: Database, args: { writer: Address; contentId?: Hex; title?: string }) {
  const contentId = args.contentId ?? randomBytes32();
  const arweaveId = arweaveIdOf(contentId);
  const address = args.writer.toLowerCase();
  const writer = await db.writer.upsert({ where: { address }, create: { address, handle: `w-${crypto.randomBytes(4).toString("hex")}` }, update: {} });
  const digest = crypto.randomBytes(32).toString("base64url");
  const title = args.title ?? "The Slow Web, Revisited";
  const now = new Date();
  const entry = await db.entry.create({
    data: {
      writerId: writer.id,
      originalDigest: digest,
      slug: `essay-${crypto.randomBytes(4).toString("hex")}`,
      latestVersion: 1,
      title,
      excerpt: "",
      wordCount: 0,
      publishedAt: now,
      updatedAt: now,
      versions: {
        create: { version: 1, digest, arweaveId, title, entryJson: "{}", html: "", contributor: getAddress(args.writer), signature: "0x", timestamp: Math.floor(now.getTime() / 1000), status: "confirmed" },
      },
    },
  });
  return { entryId: entry.id, writerId: writer.id, contentId, arweaveId };
}

/**
 * An Edition row for `entryId` as the app shows it, with neutral terms (free, open supply, signed
 * for the first collector) that `terms` overrides: for page and mail tests that need an edition's
 * state, not the chain.
 */
export function editionRow(
  db: Database,
  args: { entryId: string; author: string; contentId: string; name: string; address?: string; salt?: Hex; terms?: { status?: string; supplyLimit?: number; minted?: number; deadline?: number | null } },
) {
  const author = args.author.toLowerCase();
  return db.edition.create({
    data: {
      entryId: args.entryId,
      chainId: 31337,
      address: (args.address ?? `0x${crypto.randomBytes(20).toString("hex")}`).toLowerCase(),
      factory: author,
      author,
      name: args.name,
      symbol: "PRESS",
      price: "0",
      supplyLimit: 0,
      royaltyBps: 0,
      feeBps: 0,
      fundingRecipient: author,
      contentId: args.contentId,
      metadataId: args.contentId,
      salt: args.salt ?? `0x${"0".repeat(64)}`,
      status: "signed",
      ...args.terms,
    },
  });
}

/**
 * The Edition row the app writes before the chain has the edition: `prepared` (terms fixed, the
 * author's create transaction to come) or `signed` (lazy: the author's signature kept for the
 * first collector).
 */
export async function editionOnDatabase(
  db: Database,
  args: { entryId: string; factory: Factory; author: Address; address: Address; params: EditionParams; salt: Hex; signed?: SignedEdition },
) {
  const { params } = args;
  return db.edition.create({
    data: {
      entryId: args.entryId,
      chainId: 31337,
      address: args.address.toLowerCase(),
      factory: args.factory.address.toLowerCase(),
      author: args.author.toLowerCase(),
      name: params.name,
      symbol: params.symbol,
      price: params.price.toString(),
      supplyLimit: Number(params.limit),
      royaltyBps: params.royaltyBps,
      feeBps: params.feeBps,
      referralBps: params.referralBps,
      fundingRecipient: params.fundingRecipient.toLowerCase(),
      contentId: arweaveIdOf(params.contentId),
      metadataId: arweaveIdOf(params.metadataId),
      salt: args.salt,
      status: args.signed ? "signed" : "prepared",
      signature: args.signed?.signature ?? null,
      deadline: args.signed ? Number(args.signed.deadline) : null,
    },
  });
}
