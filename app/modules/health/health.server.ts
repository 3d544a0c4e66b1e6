import { getDb } from "~/db.server";
import type { Env } from "~/env.server";
import { createChainClient } from "~/modules/editions/chain.server";
import { factoryAddress } from "~/modules/editions/deployment.server";
import { createMailTransport } from "~/modules/mail/transport.server";

export type PartName = "database" | "chain" | "storage" | "mail";

export interface PartHealth {
  status: "up" | "down";
  latencyMs: number;
  detail?: Record<string, unknown>;
  error?: string;
}

export interface Health {
  status: "up" | "down";
  parts: Record<PartName, PartHealth>;
}

const TIMEOUT_MS = 3_000;

async function probe(check: () => Promise<Record<string, unknown> | undefined>): Promise<PartHealth> {
  const started = performance.now();
  try {
    const detail = await Promise.race([
      check(),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${TIMEOUT_MS} ms`)), TIMEOUT_MS).unref()),
    ]);
    return { status: "up", latencyMs: Math.round(performance.now() - started), ...(detail ? { detail } : {}) };
  } catch (error) {
    return { status: "down", latencyMs: Math.round(performance.now() - started), error: (error as Error).message };
  }
}

async function answers(url: URL) {
  const response = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  if (!response.ok) throw new Error(`${url.origin} answered ${response.status}`);
}

/** Checks every part the platform depends on, all at once. */
export async function checkHealth(env: Env): Promise<Health> {
  const [database, chain, storage, mail] = await Promise.all([
    probe(async () => {
      await getDb().$queryRawUnsafe("SELECT 1");
      return { provider: env.database.provider };
    }),
    probe(async () => {
      const client = createChainClient(env.chain.rpcUrl, env.chain.id);
      const [chainId, blockNumber] = await Promise.all([client.getChainId(), client.getBlockNumber()]);
      if (chainId !== env.chain.id) throw new Error(`the RPC serves chain ${chainId}, not the configured ${env.chain.id}`);
      const factory = factoryAddress(env);
      if (!factory) throw new Error(`no factory is deployed on chain ${chainId}: run npm run deploy or set FACTORY_ADDRESS`);
      const code = await client.getCode({ address: factory });
      if (!code || code === "0x") throw new Error(`the factory ${factory} has no code on chain ${chainId}`);
      return { chainId, blockNumber: Number(blockNumber), factory };
    }),
    probe(async () => {
      await Promise.all([answers(new URL("/info", env.storage.irysUrl)), answers(new URL("/info", env.storage.gatewayUrl))]);
      return { bundler: env.storage.irysUrl, gateway: env.storage.gatewayUrl };
    }),
    probe(async () => {
      const transport = createMailTransport(env.mail.smtpUrl);
      try {
        await transport.verify();
      } finally {
        transport.close();
      }
      return undefined;
    }),
  ]);
  const parts = { database, chain, storage, mail };
  return { status: Object.values(parts).every((part) => part.status === "up") ? "up" : "down", parts };
}
