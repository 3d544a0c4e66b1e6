// Shared set-up and assertions for the contract tests. Every test file runs in its own process with
// its own in-process Hardhat chain (see test/setup/hardhat.ts).
import hre from "hardhat";
import type { ContractTypesMap } from "hardhat/types/artifacts";
import {
  type Abi,
  type Address,
  type Hex,
  type Log,
  decodeErrorResult,
  getAddress,
  parseEther,
  parseEventLogs,
  toHex,
  zeroAddress,
} from "viem";
import { expect } from "vitest";
import { type EditionParams, editionTypedData } from "../../contracts/typed-data";

export type Factory = ContractTypesMap["WritingEditionsFactory"];
export type Edition = ContractTypesMap["WritingEditions"];
export type Wallet = Awaited<ReturnType<typeof hre.viem.getWalletClients>>[number];

export const PRICE = parseEther("0.01");
export const FEE_BPS = 250;
export const MESSAGE = "Thank you for this essay!";

/** Named accounts. `treasury` and `funding` never send transactions, so their balances move only by payouts. */
export async function wallets() {
  const [platform, treasury, author, funding, alice, bob, carol] = await hre.viem.getWalletClients();
  if (!platform || !treasury || !author || !funding || !alice || !bob || !carol) {
    throw new Error("the Hardhat network has too few accounts");
  }
  return { platform, treasury, author, funding, alice, bob, carol };
}

/** Deploys a factory owned by `platform`, paying fees to `treasury`. */
export async function deploySystem(feeBps = FEE_BPS) {
  const named = await wallets();
  const publicClient = await hre.viem.getPublicClient();
  const factory = await hre.viem.deployContract("WritingEditionsFactory", [
    named.platform.account.address,
    feeBps,
    named.treasury.account.address,
  ]);
  return { ...named, publicClient, factory };
}
export type System = Awaited<ReturnType<typeof deploySystem>>;

/**
 * Caches the chain state after `build` with a snapshot, so each test starts from it without redeploying.
 * A snapshot destroyed by reverting to an older one is rebuilt.
 */
export function fixture<T>(build: () => Promise<T>): () => Promise<T> {
  let cached: { snapshot: string; value: T } | undefined;
  return async () => {
    if (cached && (await hre.network.provider.send("evm_revert", [cached.snapshot]))) {
      cached.snapshot = await hre.network.provider.send("evm_snapshot");
      return cached.value;
    }
    const value = await build();
    cached = { snapshot: await hre.network.provider.send("evm_snapshot"), value };
    return value;
  };
}

/** Checksummed address of a wallet (Hardhat's JSON-RPC accounts report lower case). */
export const addressOf = (wallet: Wallet): Address => getAddress(wallet.account.address);

export const bytes32 = (byte: number): Hex => toHex(new Uint8Array(32).fill(byte));
export const salt = (n: number): Hex => toHex(n, { size: 32 });

export function editionParams(system: System, overrides: Partial<EditionParams> = {}): EditionParams {
  return {
    name: "The Slow Web, Revisited",
    symbol: "ESSAY",
    contentId: bytes32(0x11),
    metadataId: bytes32(0x12),
    price: PRICE,
    limit: 0n,
    fundingRecipient: system.funding.account.address,
    royaltyBps: 1000,
    feeBps: FEE_BPS,
    referralBps: 0,
    splitRecipient: zeroAddress,
    splitBps: 0,
    ...overrides,
  };
}

export async function editionAt(address: Address, wallet?: Wallet): Promise<Edition> {
  return hre.viem.getContractAt("WritingEditions", address, wallet ? { client: { wallet } } : undefined);
}

export async function factoryAs(system: System, wallet: Wallet): Promise<Factory> {
  return hre.viem.getContractAt("WritingEditionsFactory", system.factory.address, { client: { wallet } });
}

/** Creates an edition directly, as `system.author`. */
export async function createEdition(system: System, overrides: Partial<EditionParams> = {}) {
  const params = editionParams(system, overrides);
  const address = await system.factory.read.predictAddress([system.author.account.address, params]);
  const hash = await (await factoryAs(system, system.author)).write.create([params]);
  const receipt = await system.publicClient.waitForTransactionReceipt({ hash });
  return { params, address, receipt, edition: await editionAt(address) };
}

/**
 * Creates an edition directly (as {@link createEdition}) and sells `sales` copies to alice, one purchase
 * each; `proceeds` is what they paid.
 */
export async function createEditionWithSales(system: System, sales: number, overrides: Partial<EditionParams> = {}) {
  const { address, params } = await createEdition(system, overrides);
  const edition = await editionAt(address, system.alice);
  for (let i = 0; i < sales; i++) await edition.write.purchase([system.alice.account.address, MESSAGE], { value: params.price });
  return { address, edition, proceeds: BigInt(sales) * params.price };
}

/** The author's EIP-712 signature authorising lazy creation of `params`. */
export async function signEdition(
  system: System,
  params: EditionParams,
  options: { salt?: Hex; deadline?: bigint; signer?: Wallet; factory?: Address } = {}
) {
  const signer = options.signer ?? system.author;
  const deadline = options.deadline ?? (await latestTimestamp()) + 3600n;
  const saltValue = options.salt ?? salt(7);
  const signature = await signer.signTypedData({
    account: signer.account,
    ...editionTypedData({
      chainId: await system.publicClient.getChainId(),
      factory: options.factory ?? system.factory.address,
      author: signer.account.address,
      params,
      salt: saltValue,
      deadline,
    }),
  });
  return { author: signer.account.address, salt: saltValue, deadline, signature };
}

export async function latestTimestamp(): Promise<bigint> {
  const publicClient = await hre.viem.getPublicClient();
  return (await publicClient.getBlock()).timestamp;
}

export async function receiptOf(hash: Hex) {
  const publicClient = await hre.viem.getPublicClient();
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  expect(receipt.status).toBe("success");
  return receipt;
}

export async function balanceOf(address: Address): Promise<bigint> {
  const publicClient = await hre.viem.getPublicClient();
  return publicClient.getBalance({ address });
}

/** Decoded events named `eventName` among `logs`, with `abi` (a contract's `.abi`). */
export function eventsNamed<const TAbi extends Abi>(abi: TAbi, logs: Log[], eventName: string) {
  return parseEventLogs({ abi, logs, strict: true }).filter((log) => log.eventName === eventName) as unknown as {
    eventName: string;
    address: Address;
    args: Record<string, unknown>;
  }[];
}

const CONTRACTS_WITH_ERRORS = [
  "WritingEditions",
  "WritingEditionsFactory",
  "MockERC1271Wallet",
  "MockERC721Receiver",
  "ReenteringRecipient",
  "RevertingRecipient",
];

let errorAbi: Abi | undefined;
function allErrors(): Abi {
  errorAbi ??= CONTRACTS_WITH_ERRORS.flatMap((name) =>
    (hre.artifacts.readArtifactSync(name).abi as Abi).filter((item) => item.type === "error")
  );
  return errorAbi;
}

/**
 * The revert data inside an error from a contract call: viem's decoded `raw` after a simulation, or the
 * `data` of Hardhat's provider error at the bottom of the `cause` chain after a sent transaction.
 * (Hardhat's viem and the tests' may be different module instances, so `instanceof` is not used.)
 */
function revertData(error: unknown): Hex | undefined {
  type Cause = { raw?: unknown; data?: unknown; cause?: unknown };
  for (let e = error as Cause | undefined; e; e = e.cause as Cause | undefined) {
    for (const candidate of [e.raw, e.data]) {
      if (typeof candidate === "string" && candidate.startsWith("0x")) return candidate as Hex;
    }
  }
  return undefined;
}

/**
 * Asserts that `action` reverts with the custom error `errorName` (and `args`, if given), decoded with
 * the errors of every contract in the project, so errors bubbling up from a called contract count.
 */
export async function expectRevert(action: Promise<unknown>, errorName: string, args?: readonly unknown[]) {
  let error: unknown;
  try {
    await action;
  } catch (caught) {
    error = caught;
  }
  expect(error, `expected a revert with ${errorName}, but the call succeeded`).toBeDefined();
  const data = revertData(error);
  expect(data, `expected revert data for ${errorName}; got: ${String(error)}`).toMatch(/^0x[0-9a-f]{8}/i);
  const decoded = decodeErrorResult({ abi: allErrors(), data: data as Hex });
  expect(decoded.errorName).toBe(errorName);
  if (args) expect(decoded.args).toEqual(args);
}

/**
 * The clone's immutable arguments for `author` and `params`, packed as `EditionArgs.encode` lays them out
 * (what `EditionCreated` carries, and what a look-alike clone would copy).
 */
export function packedArgs(author: Address, params: EditionParams): Hex {
  const hex = (value: number | bigint, size: number) => toHex(value, { size }).slice(2);
  const text = (value: string) => {
    const bytes = new TextEncoder().encode(value);
    return hex(bytes.length, 1) + Buffer.from(bytes).toString("hex");
  };
  return `0x${[
    author.slice(2),
    params.fundingRecipient.slice(2),
    hex(params.price, 12),
    hex(params.limit, 8),
    hex(params.royaltyBps, 2),
    hex(params.feeBps, 2),
    hex(params.referralBps, 2),
    params.contentId.slice(2),
    params.metadataId.slice(2),
    text(params.name),
    text(params.symbol),
    params.splitBps === 0 ? "" : params.splitRecipient.slice(2) + hex(params.splitBps, 2),
  ]
    .join("")
    .toLowerCase()}`;
}

/** Moves the chain's clock forward by `seconds` and mines a block at the new time. */
export async function increaseTime(seconds: number | bigint): Promise<void> {
  await hre.network.provider.send("evm_increaseTime", [Number(seconds)]);
  await hre.network.provider.send("evm_mine");
}
