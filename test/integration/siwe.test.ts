import { createWalletClient, encodeFunctionData, getAddress, hashMessage, http, keccak256, toHex, type Address } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { createSiweMessage } from "viem/siwe";
import { serializeErc6492Signature } from "viem/utils";
import { describe, expect, it } from "vitest";
import { getDb } from "~/db.server";
import { DEV_DEPLOYER_KEY, getEnv } from "~/env.server";
import { issueSignInMessage, verifySignIn } from "~/modules/auth/siwe.server";
import { chainFor, createChainClient } from "~/modules/editions/chain.server";
import { UserError } from "~/modules/errors.server";
import { artifact } from "../support/artifacts";

const env = getEnv();
const db = getDb();
const chain = createChainClient(env.chain.rpcUrl, env.chain.id);
const deployer = createWalletClient({ account: privateKeyToAccount(DEV_DEPLOYER_KEY), chain: chainFor(env.chain.id, env.chain.rpcUrl), transport: http(env.chain.rpcUrl) });

async function refusal(promise: Promise<unknown>): Promise<UserError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(UserError);
  return error as UserError;
}

describe("Sign-In with Ethereum", () => {
  it("accepts a plain wallet's signature once, and refuses the replay", async () => {
    const account = privateKeyToAccount(generatePrivateKey());
    const { message } = await issueSignInMessage(db, env, account.address);
    expect(message).toContain(`${new URL(env.publicUrl).host} wants you to sign in with your Ethereum account:\n${account.address}`);
    expect(message).toContain(`Chain ID: ${env.chain.id}`);
    const signature = await account.signMessage({ message });

    expect(await verifySignIn(db, env, { message, signature })).toBe(account.address);
    const replay = await refusal(verifySignIn(db, env, { message, signature }));
    expect(replay.message).toBe("This sign-in message was already used: sign in again.");
    expect(replay.status).toBe(401);
  });

  it("lets exactly one of two simultaneous uses of a message through", async () => {
    const account = privateKeyToAccount(generatePrivateKey());
    const { message } = await issueSignInMessage(db, env, account.address);
    const signature = await account.signMessage({ message });
    const results = await Promise.allSettled([verifySignIn(db, env, { message, signature }), verifySignIn(db, env, { message, signature })]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
  });

  it("refuses an expired message", async () => {
    const account = privateKeyToAccount(generatePrivateKey());
    const issued = new Date(Date.now() - 11 * 60 * 1000);
    const { message } = await issueSignInMessage(db, env, account.address, issued);
    const signature = await account.signMessage({ message });
    expect((await refusal(verifySignIn(db, env, { message, signature }))).message).toBe("This sign-in message has expired: sign in again.");
  });

  it("refuses a message for another domain, another chain, or a nonce it never issued", async () => {
    const account = privateKeyToAccount(generatePrivateKey());
    const { nonce } = await issueSignInMessage(db, env, account.address);
    const base = { address: account.address, chainId: env.chain.id, domain: new URL(env.publicUrl).host, uri: env.publicUrl, nonce, version: "1" as const, issuedAt: new Date() };
    const attempt = async (fields: Partial<typeof base>) => {
      const message = createSiweMessage({ ...base, ...fields });
      return refusal(verifySignIn(db, env, { message, signature: await account.signMessage({ message }) }));
    };
    expect((await attempt({ domain: "evil.example" })).message).toBe(`This message is for evil.example, not ${new URL(env.publicUrl).host}.`);
    expect((await attempt({ uri: "https://evil.example/login" })).message).toBe(`This message is for https://evil.example/login, not ${env.publicUrl}.`);
    expect((await attempt({ chainId: 1 })).message).toBe(`This message is for chain 1; sign in on chain ${env.chain.id}.`);
    expect((await attempt({ nonce: "abcdef0123456789abcdef0123456789" })).message).toBe("This sign-in message was not issued here: sign in again.");
  });

  it("refuses a signature by another key", async () => {
    const account = privateKeyToAccount(generatePrivateKey());
    const other = privateKeyToAccount(generatePrivateKey());
    const { message } = await issueSignInMessage(db, env, account.address);
    const error = await refusal(verifySignIn(db, env, { message, signature: await other.signMessage({ message }) }));
    expect(error.message).toBe("The signature does not match this message and address.");
  });

  it("accepts a deployed smart-contract wallet (ERC-1271)", async () => {
    const owner = privateKeyToAccount(generatePrivateKey());
    const { abi, bytecode } = artifact("test/OwnedWallet.sol", "OwnedWallet");
    const receipt = await chain.waitForTransactionReceipt({ hash: await deployer.deployContract({ abi, bytecode, args: [owner.address] }) });
    const wallet = getAddress(receipt.contractAddress!);
    const { message } = await issueSignInMessage(db, env, wallet);
    const signature = await owner.sign({ hash: hashMessage(message) });
    expect(await verifySignIn(db, env, { message, signature })).toBe(wallet);
  });

  it("accepts a smart-contract wallet that is not deployed yet (ERC-6492), without deploying it", async () => {
    const owner = privateKeyToAccount(generatePrivateKey());
    const factoryArtifact = artifact("test/OwnedWalletFactory.sol", "OwnedWalletFactory");
    const receipt = await chain.waitForTransactionReceipt({ hash: await deployer.deployContract(factoryArtifact) });
    const factory = receipt.contractAddress!;
    const salt = keccak256(toHex("writer"));
    const wallet = (await chain.readContract({ address: factory, abi: factoryArtifact.abi, functionName: "predict", args: [owner.address, salt] })) as Address;
    const { message } = await issueSignInMessage(db, env, wallet);
    const signature = serializeErc6492Signature({
      address: factory,
      data: encodeFunctionData({ abi: factoryArtifact.abi, functionName: "deploy", args: [owner.address, salt] }),
      signature: await owner.sign({ hash: hashMessage(message) }),
    });
    expect(await verifySignIn(db, env, { message, signature })).toBe(wallet);
    expect(await chain.getCode({ address: wallet })).toBeUndefined();
  });
});
