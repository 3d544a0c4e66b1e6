/**
 * `npm run deploy -- --network <name>`: deploys the writing-edition factory and writes its
 * addresses to the deployment record the app reads. Networks: local (the chain at CHAIN_RPC_URL,
 * by default the local one), base-sepolia, op-sepolia, base, optimism. The key comes from
 * DEPLOYER_PRIVATE_KEY; the RPC URL from CHAIN_RPC_URL, or the network's public endpoint.
 */
import "../app/server/runtime";
import path from "node:path";
import { parseArgs } from "node:util";
import { base, baseSepolia, optimism, optimismSepolia } from "viem/chains";
import { EnvError, parseEnv } from "../app/env.server";
import { deployContracts } from "./lib/deploy";
import { loadDotEnv } from "../app/server/dotenv.server";
import { withSteps } from "./lib/progress";

const NETWORKS = {
  "base-sepolia": baseSepolia,
  "op-sepolia": optimismSepolia,
  base,
  optimism,
} as const;

async function main() {
  loadDotEnv();
  const { values } = parseArgs({ options: { network: { type: "string", default: "local" } } });
  const name = values.network!;
  const overrides: Record<string, string | undefined> = {};
  if (name !== "local") {
    const network = NETWORKS[name as keyof typeof NETWORKS];
    if (!network) throw new Error(`unknown network ${name}: use local, ${Object.keys(NETWORKS).join(", ")}`);
    overrides.CHAIN_ID = String(network.id);
    overrides.CHAIN_RPC_URL = process.env.CHAIN_RPC_URL || network.rpcUrls.default.http[0];
  }
  const env = parseEnv({ ...process.env, ...overrides });
  const deployment = await withSteps((onStep) => deployContracts(env, onStep));
  console.log(`network        ${name} (chain ${deployment.chainId})`);
  console.log(`factory        ${deployment.factory}`);
  console.log(`implementation ${deployment.implementation}`);
  console.log(`deploy block   ${deployment.deployBlock}`);
  console.log(`written to     ${path.relative(process.cwd(), deployment.file)}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof EnvError || error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
