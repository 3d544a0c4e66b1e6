import { createWalletClient, http, parseEther } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { describe, expect, it } from "vitest";
import { DEV_DEPLOYER_KEY, getEnv } from "~/env.server";
import { chainFor, createChainClient } from "~/modules/editions/chain.server";
import { readDeployment } from "~/modules/editions/deployment.server";

describe("the local chain", () => {
  const env = getEnv();
  const client = createChainClient(env.chain.rpcUrl, env.chain.id);

  it("mines a transfer and moves the balance", async () => {
    const account = privateKeyToAccount(DEV_DEPLOYER_KEY);
    const wallet = createWalletClient({ account, chain: chainFor(env.chain.id, env.chain.rpcUrl), transport: http(env.chain.rpcUrl) });
    const recipient = "0x90F79bf6EB2c4f870365E785982E1f101E93b906";
    const before = await client.getBalance({ address: recipient });
    const hash = await wallet.sendTransaction({ to: recipient, value: parseEther("0.25") });
    const receipt = await client.waitForTransactionReceipt({ hash });
    expect(receipt.status).toBe("success");
    expect(await client.getBalance({ address: recipient })).toBe(before + parseEther("0.25"));
  });

  it("has the factory deployed where the deployment record says", async () => {
    const deployment = readDeployment(env.chain.id, env.dataDir);
    expect(deployment?.chainId).toBe(31337);
    const code = await client.getCode({ address: deployment!.factory as `0x${string}` });
    expect(code && code.length).toBeGreaterThan(2);
  });
});
