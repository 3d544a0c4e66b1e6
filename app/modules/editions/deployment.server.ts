import fs from "node:fs";
import path from "node:path";
import { z } from "zod";

const deploymentSchema = z.object({
  chainId: z.number().int(),
  factory: z.string().regex(/^0x[0-9a-fA-F]{40}$/),
  implementation: z.string().regex(/^0x[0-9a-fA-F]{40}$/),
  deployBlock: z.string().regex(/^\d+$/),
  deployedAt: z.string(),
});

export type Deployment = z.infer<typeof deploymentSchema>;

/**
 * Where a chain's deployment record lives: the local development chain starts fresh every time,
 * so its record sits with the rest of the local data; a real network's record is committed.
 */
export function deploymentFile(chainId: number, dataDir: string): string {
  return chainId === 31337 ? path.join(dataDir, "deployments", `${chainId}.json`) : path.resolve("contracts/deployments", `${chainId}.json`);
}

export function writeDeployment(file: string, deployment: Deployment): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(deployment, null, 2)}\n`);
}

/** The deployment record for a chain, or undefined when the contracts were never deployed there. */
export function readDeployment(chainId: number, dataDir: string): Deployment | undefined {
  const file = deploymentFile(chainId, dataDir);
  if (!fs.existsSync(file)) return undefined;
  return deploymentSchema.parse(JSON.parse(fs.readFileSync(file, "utf8")));
}

/** The factory the app uses: FACTORY_ADDRESS, or the deployment record of the configured chain. */
export function factoryAddress(env: { chain: { id: number; factoryAddress?: `0x${string}` }; dataDir: string }): `0x${string}` | undefined {
  return env.chain.factoryAddress ?? (readDeployment(env.chain.id, env.dataDir)?.factory as `0x${string}` | undefined);
}
