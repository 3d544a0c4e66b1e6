import { createPublicClient, createWalletClient, http } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import type { Env } from "../../app/env.server";
import { chainFor } from "../../app/modules/editions/chain.server";
import { deploymentFile, writeDeployment, type Deployment } from "../../app/modules/editions/deployment.server";
import { deployFactory } from "../../contracts/deploy";

/**
 * Deploys the writing-edition contracts to the configured chain with the deployer key and writes
 * the deployment record the app reads. The same function serves the local chain at start-up and
 * an operator's `npm run deploy` to a real network. `onStep` is told as each step starts.
 */
export async function deployContracts(env: Env, onStep?: (name: string) => void): Promise<Deployment & { file: string }> {
  const key = env.chain.deployerKey;
  if (!key) throw new Error(`DEPLOYER_PRIVATE_KEY: must be set to deploy to ${env.chain.rpcUrl}`);
  const account = privateKeyToAccount(key);
  const chain = chainFor(env.chain.id, env.chain.rpcUrl);
  const transport = http(env.chain.rpcUrl, { timeout: 60_000 });
  const publicClient = createPublicClient({ chain, transport });
  const walletClient = createWalletClient({ account, chain, transport });
  // Not the RPC URL: a provider's URL often carries its API key.
  onStep?.(`checking that the RPC serves chain ${env.chain.id}`);
  const servedChainId = await publicClient.getChainId();
  if (servedChainId !== env.chain.id) throw new Error(`CHAIN_RPC_URL serves chain ${servedChainId}, not ${env.chain.id}`);
  const result = await deployFactory({ publicClient, walletClient, owner: account.address, onStep });
  const deployment: Deployment = {
    chainId: env.chain.id,
    factory: result.factory,
    implementation: result.implementation,
    deployBlock: result.deployBlock.toString(),
    deployedAt: new Date().toISOString(),
  };
  const file = deploymentFile(env.chain.id, env.dataDir);
  onStep?.(`writing ${file}`);
  writeDeployment(file, deployment);
  return { ...deployment, file };
}
