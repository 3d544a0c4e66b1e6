import { createPublicClient, defineChain, http, type Chain } from "viem";
import { base, baseSepolia, hardhat, optimism, optimismSepolia } from "viem/chains";

const KNOWN: Chain[] = [hardhat, base, baseSepolia, optimism, optimismSepolia];

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
