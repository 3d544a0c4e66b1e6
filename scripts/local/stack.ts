import path from "node:path";
import type { Env } from "../../app/env.server";
import { startLocalArweave, startLocalBundler } from "./arweave";
import { startLocalChain } from "./chain";
import { startLocalMailCatcher } from "./mail";
import { assertPortFree, type LocalService } from "./service";

export type LocalPart = "chain" | "gateway" | "bundler" | "mail";

export interface LocalStack {
  services: Partial<Record<LocalPart, LocalService>>;
  stop(): Promise<void>;
}

/**
 * Starts the local stand-in of every remote service the configuration leaves unset, on the
 * configured local ports, all on 127.0.0.1. `persist` keeps the gateway's data in the data folder
 * across restarts; without it the gateway's folder is scratch space.
 */
export async function startLocalStack(env: Env, opts: { persist: boolean; onStarted?: (part: LocalPart, service: LocalService, ms: number) => void }): Promise<LocalStack> {
  const services: LocalStack["services"] = {};
  const stop = async () => {
    const started = Object.values(services).reverse();
    await Promise.allSettled(started.map((service) => service.stop()));
  };
  const { ports } = env.local;
  const timed = async <T extends LocalService>(part: LocalPart, start: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    const service = await start();
    services[part] = service;
    opts.onStarted?.(part, service, Math.round(performance.now() - started));
    return service;
  };
  try {
    const checks: Array<Promise<void>> = [];
    if (env.local.chain) checks.push(assertPortFree(ports.chain, "the local chain", "LOCAL_CHAIN_PORT"));
    if (env.local.gateway) checks.push(assertPortFree(ports.arweave, "the local Arweave gateway", "LOCAL_ARWEAVE_PORT"));
    if (env.local.bundler) checks.push(assertPortFree(ports.bundler, "the local Irys endpoint", "LOCAL_BUNDLER_PORT"));
    if (env.local.mail) checks.push(assertPortFree(ports.smtp, "the local mail catcher", "LOCAL_SMTP_PORT"));
    await Promise.all(checks);

    await Promise.all([
      env.local.chain ? timed("chain", () => startLocalChain({ port: ports.chain, logFile: path.join(env.dataDir, "logs/chain.log") })) : undefined,
      (async () => {
        if (!env.local.gateway) return;
        const gateway = await timed("gateway", () => startLocalArweave({ port: ports.arweave, dir: path.join(env.dataDir, "arweave"), persist: opts.persist }));
        if (env.local.bundler) {
          await timed("bundler", () => startLocalBundler({ port: ports.bundler, gatewayUrl: gateway.url, walletFile: path.join(env.dataDir, "keys/bundler-arweave.json") }));
        }
      })(),
      env.local.mail ? timed("mail", () => startLocalMailCatcher({ port: ports.smtp, dir: env.mailboxDir })) : undefined,
    ]);
  } catch (error) {
    await stop();
    throw error;
  }
  return { services, stop };
}
