import { createPublicClient, defineChain, http, type Chain, type VerifyMessageParameters, type VerifyTypedDataParameters } from "viem";
import { chainConfig } from "viem/op-stack";
import { DependencyUnavailable } from "~/modules/errors.server";

const ETHER = { name: "Ether", symbol: "ETH", decimals: 18 };
const SEPOLIA_ETHER = { name: "Sepolia Ether", symbol: "ETH", decimals: 18 };
const MULTICALL3 = "0xca11bde05977b3631167028862be2a173976ca11";

/**
 * The L2s the press runs on, as viem defines them: the OP Stack's block, transaction and receipt
 * formats (deposit transactions) and Multicall3. Written out here rather than imported from
 * viem/chains, which defines every chain viem knows (about 26 MB resident in each process).
 */
const opStack = (chain: { id: number; name: string; sourceId: number; nativeCurrency: typeof ETHER; rpc: string; explorer: { name: string; url: string }; multicallFrom: number; testnet?: boolean }): Chain =>
  defineChain({
    ...chainConfig,
    id: chain.id,
    name: chain.name,
    nativeCurrency: chain.nativeCurrency,
    rpcUrls: { default: { http: [chain.rpc] } },
    blockExplorers: { default: chain.explorer },
    contracts: { ...chainConfig.contracts, multicall3: { address: MULTICALL3, blockCreated: chain.multicallFrom } },
    sourceId: chain.sourceId,
    testnet: chain.testnet,
  });

const KNOWN: Chain[] = [
  defineChain({ id: 31337, name: "Hardhat", nativeCurrency: ETHER, rpcUrls: { default: { http: ["http://127.0.0.1:8545"] } } }),
  opStack({ id: 8453, name: "Base", sourceId: 1, nativeCurrency: ETHER, rpc: "https://mainnet.base.org", explorer: { name: "Basescan", url: "https://basescan.org" }, multicallFrom: 5022 }),
  opStack({ id: 84532, name: "Base Sepolia", sourceId: 11155111, nativeCurrency: SEPOLIA_ETHER, rpc: "https://sepolia.base.org", explorer: { name: "Basescan", url: "https://sepolia.basescan.org" }, multicallFrom: 1059647, testnet: true }),
  opStack({ id: 10, name: "OP Mainnet", sourceId: 1, nativeCurrency: ETHER, rpc: "https://mainnet.optimism.io", explorer: { name: "Optimism Explorer", url: "https://optimistic.etherscan.io" }, multicallFrom: 4286263 }),
  opStack({ id: 11155420, name: "OP Sepolia", sourceId: 11155111, nativeCurrency: SEPOLIA_ETHER, rpc: "https://sepolia.optimism.io", explorer: { name: "Blockscout", url: "https://optimism-sepolia.blockscout.com" }, multicallFrom: 1620204, testnet: true }),
];

/** The viem chain for a chain id: a known L2, or a generic one for any other id. */
export function chainFor(id: number, rpcUrl: string): Chain {
  const known = KNOWN.find((chain) => chain.id === id);
  const rpcUrls = { default: { http: [rpcUrl] } };
  if (known) return { ...known, rpcUrls };
  return defineChain({ id, name: `Chain ${id}`, nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 }, rpcUrls });
}

/** A read-only client for the configured chain. */
export function createChainClient(rpcUrl: string, chainId: number) {
  return createPublicClient({ chain: chainFor(chainId, rpcUrl), transport: http(rpcUrl, { timeout: 10_000, retryCount: 1 }) });
}

export type ChainClient = ReturnType<typeof createChainClient>;

/**
 * Whether `signature` is `address`'s signature of a message (EIP-191) or of typed data (EIP-712):
 * recovered offline for a plain wallet, checked through the chain for a contract wallet (ERC-1271,
 * ERC-6492). A "no" is only given once the chain has answered: when its RPC cannot be reached this
 * throws `DependencyUnavailable` (503) instead, because a writer whose signature could not be
 * checked must not be told it is forged.
 */
export async function checkSignature(client: ChainClient, check: { message: VerifyMessageParameters } | { typedData: VerifyTypedDataParameters }): Promise<boolean> {
  const valid = await ("message" in check ? client.verifyMessage(check.message) : client.verifyTypedData(check.typedData)).catch(() => false);
  if (valid) return true;
  const answers = await client.getChainId().then(
    () => true,
    () => false,
  );
  if (!answers) throw new DependencyUnavailable("chain", "The chain cannot be reached right now (its RPC does not answer), so the signature could not be checked. Try again in a minute.");
  return false;
}

/**
 * What a browser wallet needs to switch to (or add) the configured chain. The RPC URL given to
 * wallets is the chain's public one, never the configured URL (which may carry an API key), except
 * for the local chain.
 */
export function walletChain(env: { chain: { id: number; rpcUrl: string }; local: { chain: boolean } }) {
  const known = KNOWN.find((chain) => chain.id === env.chain.id);
  const rpcUrl = env.local.chain || !known ? env.chain.rpcUrl : known.rpcUrls.default.http[0]!;
  return {
    id: env.chain.id,
    name: env.local.chain ? "Local chain" : (known?.name ?? `Chain ${env.chain.id}`),
    rpcUrl,
    explorerUrl: known?.blockExplorers?.default.url ?? null,
  };
}

export type WalletChain = ReturnType<typeof walletChain>;
