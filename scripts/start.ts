/**
 * `npm start`: the whole platform on one machine. Starts a local stand-in for every remote service
 * left unconfigured (chain, Arweave gateway with an Irys endpoint, SMTP), applies pending
 * migrations, deploys the contracts to a local chain, serves the app, and stops it all on Ctrl-C.
 */
import "./lib/runtime";
import fs from "node:fs";
import { getDb } from "../app/db.server";
import { EnvError, parseEnv, sqlitePath, type Env } from "../app/env.server";
import { startIndexer } from "../app/modules/editions/indexer.server";
import { startOutboxWorker } from "../app/modules/entries/outbox.server";
import { startPruner } from "../app/modules/jobs/prune.server";
import { startMailWorker } from "../app/modules/mail/outbox.server";
import { deployContracts } from "./lib/deploy";
import { deployMigrations } from "./lib/migrations";
import { startWebServer } from "./lib/web";
import { startLocalStack, type LocalStack } from "./local/stack";
import { loadDotEnv } from "./lib/dotenv";

const started = performance.now();
const log = (part: string, message: string) => console.log(`${part.padEnd(9)} ${message}`);
const seconds = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;

interface PartReport {
  status: "up" | "down";
  latencyMs: number;
  detail?: Record<string, unknown>;
  error?: string;
}

function describe(env: Env, stack: LocalStack): Record<string, string> {
  const where = (local: boolean, url: string) => (local ? `local ${url}` : url);
  const { services } = stack;
  return {
    database: env.database.provider === "sqlite" ? `SQLite ${sqlitePath(env.database.url)}` : "PostgreSQL",
    chain: `${where(env.chain.id === 31337 && !!services.chain, env.chain.rpcUrl)} (chain ${env.chain.id})`,
    storage: `bundler ${where(!!services.bundler, env.storage.irysUrl)}, gateway ${where(!!services.gateway, env.storage.gatewayUrl)}`,
    mail: services.mail ? `local catcher ${env.mail.smtpUrl}${env.devMailbox ? `, read it at ${env.publicUrl}/dev/mail` : ""}` : env.mail.smtpUrl,
  };
}

async function main() {
  loadDotEnv();
  let env: Env;
  try {
    env = parseEnv(process.env);
  } catch (error) {
    if (error instanceof EnvError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  fs.mkdirSync(env.dataDir, { recursive: true });
  log("node", `${process.version} (${process.execPath})`);

  let stopping = false;
  let stack: LocalStack | undefined;
  let web: Awaited<ReturnType<typeof startWebServer>> | undefined;
  let outbox: ReturnType<typeof startOutboxWorker> | undefined;
  let mail: ReturnType<typeof startMailWorker> | undefined;
  let indexer: ReturnType<typeof startIndexer> | undefined;
  let pruner: ReturnType<typeof startPruner> | undefined;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    log("stop", "shutting down");
    await web?.stop();
    await outbox?.stop();
    await mail?.stop();
    await indexer?.stop();
    await pruner?.stop();
    await stack?.stop();
    process.exit(code);
  };
  process.on("SIGINT", () => void shutdown(0));
  process.on("SIGTERM", () => void shutdown(0));

  try {
    const [applied, localStack] = await Promise.all([
      deployMigrations(env.database.url),
      startLocalStack(env, { persist: true, onStarted: (part, service, ms) => log(part, `started ${service.url} in ${ms} ms`) }),
    ]);
    stack = localStack;
    log("database", applied.length ? `applied ${applied.length} migration(s): ${applied.join(", ")}` : "migrations up to date");
    if (stack.services.chain) {
      const deployment = await deployContracts(env);
      log("contracts", `factory ${deployment.factory} (implementation ${deployment.implementation})`);
    }
    web = await startWebServer({ host: env.host, port: env.port });
    // Uploads that a publish could not finish (bundler down, process stopped) resume here.
    outbox = startOutboxWorker(getDb(), env, { log: (line) => log("outbox", line) });
    // Confirmations, welcomes and newsletters: queued in the database, sent (and resumed) here.
    mail = startMailWorker(getDb(), env, { log: (line) => log("mail", line) });
    // Expired nonces and sessions and ended rate-limit windows are deleted, hourly.
    pruner = startPruner(getDb(), { log: (line) => log("prune", line) });
    // The database follows the chain: editions, purchases and withdrawals, reorgs undone.
    try {
      indexer = startIndexer(getDb(), env, { log: (line) => log("indexer", line) });
    } catch (error) {
      log("indexer", `not started: ${(error as Error).message}`);
    }
    const response = await fetch(`${web.url}/healthz`);
    const health = (await response.json()) as { status: string; parts: Record<string, PartReport> };
    const descriptions = describe(env, stack);
    for (const [part, report] of Object.entries(health.parts)) {
      log(part, `${report.status} ${report.latencyMs} ms  ${descriptions[part] ?? ""}${report.error ? `  (${report.error})` : ""}`);
    }
    const down = Object.entries(health.parts).filter(([, report]) => report.status !== "up").map(([part]) => part);
    log("ready", `${env.publicUrl} in ${seconds()}${down.length ? `, with ${down.join(", ")} down` : ""}`);
  } catch (error) {
    console.error(`start-up failed: ${(error as Error).message}`);
    await shutdown(1);
  }
}

void main();
