import * as viemChains from "viem/chains";
import { describe, expect, it } from "vitest";
import { chainFor, walletChain } from "./chain.server";

describe("the chains the press knows", () => {
  it("are the chains viem defines: same ids, names, currencies, explorers, formats and Multicall3", () => {
    const rpcUrl = "https://rpc.example";
    for (const theirs of [viemChains.hardhat, viemChains.base, viemChains.baseSepolia, viemChains.optimism, viemChains.optimismSepolia]) {
      const ours = chainFor(theirs.id, rpcUrl);
      expect(ours.name).toBe(theirs.name);
      expect(ours.nativeCurrency).toEqual(theirs.nativeCurrency);
      expect(ours.rpcUrls.default.http).toEqual([rpcUrl]);
      expect(ours.blockExplorers?.default.url).toBe(theirs.blockExplorers?.default.url);
      expect(ours.sourceId).toBe(theirs.sourceId);
      expect(Boolean(ours.testnet)).toBe(Boolean(theirs.testnet));
      expect(Object.keys(ours.formatters ?? {}).sort()).toEqual(Object.keys(theirs.formatters ?? {}).sort());
      expect(ours.formatters?.transaction?.format).toBe(theirs.formatters?.transaction?.format);
      expect(ours.serializers?.transaction).toBe(theirs.serializers?.transaction);
      expect(ours.contracts?.multicall3).toEqual(theirs.contracts?.multicall3);
    }
  });

  it("gives wallets the public RPC of a known chain, and any other chain a generic name", () => {
    expect(walletChain({ chain: { id: 8453, rpcUrl: "https://key@rpc.example" }, local: { chain: false } })).toEqual({ id: 8453, name: "Base", rpcUrl: "https://mainnet.base.org", explorerUrl: "https://basescan.org" });
    expect(chainFor(999, "https://rpc.example").name).toBe("Chain 999");
  });
});
