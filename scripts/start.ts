/**
 * `npm start`: the whole platform on one machine, as the processes a deployment runs. It applies
 * pending migrations (the release step, `npm run db:deploy`, done before any role starts), starts a
 * local stand-in for every remote service left unconfigured (chain, Arweave gateway with an Irys
 * endpoint, SMTP) in a process of their own, deploys the contracts to a local chain, then starts
 * one web role and one worker role, each in its own process (app/server/start-web.ts and
 * start-worker.ts). Ctrl-C, or SIGTERM, drains the roles, then stops the stand-ins.
 */
import "../app/server/runtime";
import { fork, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { EnvError, parseEnv, sqlitePath, type Env } from "../app/env.server";
import { loadDotEnv } from "../app/server/dotenv.server";
import { logLine as log } from "../app/server/log.server";
import { ROLE_NODE_FLAGS } from "../app/server/node-flags";
import type { Role, RoleMessage } from "../app/server/role.server";
import { demoRefusal } from "./lib/demo/guard";
import { runDemoOn } from "./lib/demo/run";
import { deployContracts } from "./lib/deploy";
import { deployMigrations, ROOT } from "./lib/migrations";
import type { LocalPart } from "./local/stack";
import type { StandInMessage } from "./local/serve";

const started = performance.now();
const seconds = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;
/** How long a role may take to finish its work in hand after SIGTERM before it is killed. */
const DRAIN_MS = 20_000;

interface PartReport {
  status: "up" | "down";
  latencyMs: number;
  detail?: Record<string, unknown>;
  error?: string;
}

function describe(env: Env, local: Set<LocalPart>): Record<string, string> {
  const where = (isLocal: boolean, url: string) => (isLocal ? `local ${url}` : url);
  return {
    database: env.database.provider === "sqlite" ? `SQLite ${sqlitePath(env.database.url)}` : "PostgreSQL",
    chain: `${where(env.chain.id === 31337 && local.has("chain"), env.chain.rpcUrl)} (chain ${env.chain.id})`,
    storage: `bundler ${where(local.has("bundler"), env.storage.irysUrl)}, gateway ${where(local.has("gateway"), env.storage.gatewayUrl)}`,
    mail: local.has("mail") ? `local catcher ${env.mail.smtpUrl}${env.devMailbox ? `, read it at ${env.publicUrl}/dev/mail` : ""}` : env.mail.smtpUrl,
  };
}

/** A module of ours in a child process of the same Node, with a message channel: TypeScript through tsx, or a built role with its Node flags. */
function launch(file: string, execArgv = ["--import", "tsx"]): ChildProcess {
  return fork(path.join(ROOT, file), [], { cwd: ROOT, execArgv, stdio: ["ignore", "inherit", "inherit", "ipc"] });
}

/** Resolves with the first message `accept` takes (it may throw to reject); rejects if the child exits first. */
function firstMessage<T, R>(child: ChildProcess, what: string, accept: (message: T) => R | undefined): Promise<R> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: T) => {
      let result: R | undefined;
      try {
        result = accept(message);
      } catch (error) {
        result = undefined;
        done();
        return reject(error);
      }
      if (result === undefined) return;
      done();
      resolve(result);
    };
    const done = () => {
      child.off("message", onMessage);
      child.off("exit", onExit);
    };
    const onExit = (code: number | null) => reject(new Error(`${what} exited with code ${code} before it was ready`));
    child.on("message", onMessage);
    child.once("exit", onExit);
  });
}

/** Sends SIGTERM and waits for the exit, killing the process if it takes longer than `graceMs`. */
async function stopChild(child: ChildProcess | undefined, graceMs: number): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Whether the press has published nothing yet, as its site feed says. */
async function isEmpty(env: Env): Promise<boolean> {
  const response = await fetch(`${env.publicUrl}/feed.json`).catch(() => null);
  return response?.ok === true && ((await response.json()) as { items: unknown[] }).items.length === 0;
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
  // `npm start -- --demo`: the demo once the press is ready, refused before anything starts.
  const demo = process.argv.includes("--demo");
  const refusal = demo ? demoRefusal(env) : null;
  if (refusal) {
    console.error(`npm start -- --demo: ${refusal}`);
    process.exit(2);
  }
  fs.mkdirSync(env.dataDir, { recursive: true });
  log("node", `${process.version} (${process.execPath})`);

  let stopping = false;
  let standIns: ChildProcess | undefined;
  const roles = new Map<Role, ChildProcess>();
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    log("stop", "shutting down: draining the roles, then the stand-ins");
    await Promise.all([...roles.values()].map((child) => stopChild(child, DRAIN_MS)));
    await stopChild(standIns, 10_000);
    process.exit(code);
  };
  process.on("SIGINT", () => void shutdown(0));
  process.on("SIGTERM", () => void shutdown(0));

  /** A role or the stand-ins ending on their own stops everything: half a platform is worse than none. */
  const watch = (child: ChildProcess, what: string) =>
    child.once("exit", (code, signal) => {
      if (stopping) return;
      console.error(`${what} exited (${signal ?? `code ${code}`}); stopping the rest`);
      void shutdown(1);
    });

  try {
    const local = new Set<LocalPart>();
    const standInsUp = (async () => {
      standIns = launch("scripts/local/serve.ts");
      standIns.on("message", (message: StandInMessage) => {
        if ("started" in message) log(message.started, `started ${message.url} in ${message.ms} ms`);
      });
      const parts = await firstMessage(standIns, "the local stand-ins", (message: StandInMessage) => {
        if ("failed" in message) throw new Error(message.failed);
        return "ready" in message ? message.ready : undefined;
      });
      for (const part of parts) local.add(part);
      watch(standIns, "the local stand-ins");
    })();
    const [applied] = await Promise.all([deployMigrations(env.database.url), standInsUp]);
    log("database", applied.length ? `applied ${applied.length} migration(s): ${applied.join(", ")}` : "migrations up to date");
    if (local.has("chain")) {
      const deployment = await deployContracts(env);
      log("contracts", `factory ${deployment.factory} (implementation ${deployment.implementation})`);
    }
    await Promise.all(
      (["web", "worker"] as const).map(async (role) => {
        const child = launch(`build/roles/start-${role}.js`, ROLE_NODE_FLAGS);
        roles.set(role, child);
        await firstMessage(child, `the ${role} role`, (message: RoleMessage) => {
          if ("failed" in message) throw new Error(message.failed);
          return message.ready ? true : undefined;
        });
        watch(child, `the ${role} role`);
      }),
    );

    const response = await fetch(`http://${env.host}:${env.port}/healthz`);
    const health = (await response.json()) as { status: string; parts: Record<string, PartReport> };
    const descriptions = describe(env, local);
    for (const [part, report] of Object.entries(health.parts)) {
      log(part, `${report.status} ${report.latencyMs} ms  ${descriptions[part] ?? ""}${report.error ? `  (${report.error})` : ""}`);
    }
    const down = Object.entries(health.parts).filter(([, report]) => report.status !== "up").map(([part]) => part);
    log("ready", `${env.publicUrl} in ${seconds()}${down.length ? `, with ${down.join(", ")} down` : ""}`);
    // A demo that fails leaves the press running as it is: what it published so far stays.
    if (demo) await runDemoOn(env).catch((error: Error) => console.error(`demo failed: ${error.message}; the press keeps running`));
    else if (env.devChain && (await isEmpty(env))) log("empty", "nothing is published yet: `npm run demo` in another terminal fills the press with writers, essays and an edition");
  } catch (error) {
    console.error(`start-up failed: ${(error as Error).message}`);
    await shutdown(1);
  }
}

void main();
