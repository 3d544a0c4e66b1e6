// contracts/export-abi.ts and contracts/deploy.ts, as the app and the start-up script use them: plain
// viem clients (here over the in-process Hardhat provider), no hardhat-viem.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import hre from "hardhat";
import { createPublicClient, createWalletClient, custom, getAddress } from "viem";
import { hardhat } from "viem/chains";
import { beforeAll, describe, expect, it } from "vitest";

const root = path.resolve(__dirname, "..", "..");
const generated = path.join(root, "app", "generated", "contracts.ts");

function exportAbis() {
  execFileSync(path.join(root, "node_modules", ".bin", "tsx"), ["contracts/export-abi.ts"], {
    cwd: root,
    stdio: "pipe",
  });
  return fs.readFileSync(generated, "utf8");
}

describe("export-abi and deployFactory", () => {
  let first: string;
  beforeAll(() => {
    first = exportAbis();
  });

  it("writes the ABIs and factory bytecode from the artifacts, the same on every run", async () => {
    expect(exportAbis()).toBe(first);
    const module = await import("../../app/generated/contracts");
    expect(module.writingEditionsAbi).toEqual(hre.artifacts.readArtifactSync("WritingEditions").abi);
    expect(module.writingEditionsFactoryAbi).toEqual(hre.artifacts.readArtifactSync("WritingEditionsFactory").abi);
    expect(module.writingEditionsFactoryBytecode).toBe(
      hre.artifacts.readArtifactSync("WritingEditionsFactory").bytecode
    );
  });

  it("deploys the factory and implementation with plain viem clients and reports where", async () => {
    const { deployFactory } = await import("../../contracts/deploy");
    const { writingEditionsFactoryAbi } = await import("../../app/generated/contracts");
    const transport = custom(hre.network.provider);
    const publicClient = createPublicClient({ chain: hardhat, transport });
    const [deployer, treasury] = await createWalletClient({ chain: hardhat, transport }).getAddresses();
    const walletClient = createWalletClient({ chain: hardhat, transport, account: deployer! });

    const result = await deployFactory({ publicClient, walletClient, feeBps: 250, feeRecipient: treasury });
    expect(result.transactionHashes).toHaveLength(1);
    const receipt = await publicClient.getTransactionReceipt({ hash: result.transactionHashes[0]! });
    expect(receipt.blockNumber).toBe(result.deployBlock);
    expect(result.factory).toBe(getAddress(receipt.contractAddress!));

    const read = <const F extends "owner" | "feeBps" | "feeRecipient" | "implementation">(functionName: F) =>
      publicClient.readContract({ address: result.factory, abi: writingEditionsFactoryAbi, functionName });
    expect(await read("owner")).toBe(getAddress(deployer!));
    expect(await read("feeBps")).toBe(250);
    expect(await read("feeRecipient")).toBe(getAddress(treasury!));
    expect(await read("implementation")).toBe(result.implementation);
    expect(await publicClient.getCode({ address: result.implementation })).toMatch(/^0x[0-9a-f]{1000,}/);
    // The v2 factory: its signatures are for domain version 2, and it owns no edition yet.
    const domain = await publicClient.readContract({
      address: result.factory,
      abi: writingEditionsFactoryAbi,
      functionName: "eip712Domain",
    });
    expect(domain.slice(1, 4)).toEqual(["WritingEditionsFactory", "2", 31337n]);
    expect(
      await publicClient.readContract({
        address: result.factory,
        abi: writingEditionsFactoryAbi,
        functionName: "isEdition",
        args: [result.implementation],
      })
    ).toBe(false);

    const defaults = await deployFactory({ publicClient, walletClient });
    expect(
      await publicClient.readContract({
        address: defaults.factory,
        abi: writingEditionsFactoryAbi,
        functionName: "feeBps",
      })
    ).toBe(0);
    expect(
      await publicClient.readContract({
        address: defaults.factory,
        abi: writingEditionsFactoryAbi,
        functionName: "feeRecipient",
      })
    ).toBe(getAddress(deployer!));
  });

  it("rejects fees outside 0-500 before sending anything", async () => {
    const { deployFactory } = await import("../../contracts/deploy");
    const transport = custom(hre.network.provider);
    const publicClient = createPublicClient({ chain: hardhat, transport });
    const [deployer] = await createWalletClient({ chain: hardhat, transport }).getAddresses();
    const walletClient = createWalletClient({ chain: hardhat, transport, account: deployer! });
    const before = await publicClient.getBlockNumber();
    await expect(deployFactory({ publicClient, walletClient, feeBps: 501 })).rejects.toThrow(RangeError);
    await expect(deployFactory({ publicClient, walletClient, feeBps: 2.5 })).rejects.toThrow(RangeError);
    expect(await publicClient.getBlockNumber()).toBe(before);
  });
});
