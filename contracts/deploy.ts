// Deploys the edition contracts with viem alone (no Hardhat), so it runs under plain tsx: from the
// deploy CLI and from the platform's start-up against a local node.
import { type Address, type Hex, type PublicClient, type WalletClient, getAddress, getContractAddress } from "viem";
import { writingEditionsFactoryAbi, writingEditionsFactoryBytecode } from "../app/generated/contracts";

/** The factory's cap on the platform fee (`MAX_FEE_BPS`). */
const MAX_FEE_BPS = 500;

export type FactoryDeployment = {
  factory: Address;
  implementation: Address;
  /** Block of the factory's deployment: where an indexer of `EditionCreated` starts. */
  deployBlock: bigint;
  transactionHashes: Hex[];
};

/**
 * Deploys `WritingEditionsFactory` (whose constructor deploys the `WritingEditions` implementation) from
 * the wallet client's account and waits for the receipt.
 *
 * @param args.owner may change the platform fee; defaults to the deploying account.
 * @param args.feeBps platform fee for new editions, 0-500; defaults to 0.
 * @param args.feeRecipient receives platform fees; defaults to `owner`.
 * @param args.onStep told as each slow step starts: sending, then waiting for confirmation.
 */
export async function deployFactory(args: {
  publicClient: PublicClient;
  walletClient: WalletClient;
  owner?: Address;
  feeBps?: number;
  feeRecipient?: Address;
  onStep?: (name: string) => void;
}): Promise<FactoryDeployment> {
  const { publicClient, walletClient } = args;
  const account = walletClient.account;
  if (!account) throw new Error("deployFactory: the wallet client has no account");
  const owner = args.owner ?? account.address;
  const feeBps = args.feeBps ?? 0;
  const feeRecipient = args.feeRecipient ?? owner;
  if (!Number.isInteger(feeBps) || feeBps < 0 || feeBps > MAX_FEE_BPS) {
    throw new RangeError(`deployFactory: feeBps must be an integer from 0 to ${MAX_FEE_BPS}, got ${feeBps}`);
  }

  args.onStep?.("sending the factory (its constructor deploys the implementation)");
  const hash = await walletClient.deployContract({
    abi: writingEditionsFactoryAbi,
    bytecode: writingEditionsFactoryBytecode,
    args: [owner, feeBps, feeRecipient],
    account,
    chain: walletClient.chain,
  });
  args.onStep?.(`waiting for confirmation of ${hash}`);
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success" || !receipt.contractAddress) {
    throw new Error(`deployFactory: deployment transaction ${hash} failed`);
  }
  const factory = getAddress(receipt.contractAddress);
  return {
    factory,
    // The factory's constructor creates the implementation as its first contract (nonce 1, EIP-161).
    // Derived rather than read back, so a load-balanced RPC node that lags the receipt cannot fail it.
    implementation: getContractAddress({ from: factory, nonce: 1n }),
    deployBlock: receipt.blockNumber,
    transactionHashes: [hash],
  };
}
