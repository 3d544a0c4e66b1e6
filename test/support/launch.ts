import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { ROLE_NODE_FLAGS } from "../../app/server/node-flags";

const ROOT = path.resolve(__dirname, "../..");

export interface Launched {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
  /** Resolves once the output matches `pattern`; rejects with the output if the process exits or time runs out first. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
}

export interface LaunchedPlatform extends Launched {
  /** Resolves once the start-up log says "ready"; rejects with the log if it exits or times out first. */
  ready(timeoutMs: number): Promise<void>;
}

/** A process of the project's own, its stdout and stderr collected as one output. */
function launch(command: string, args: string[], env: NodeJS.ProcessEnv): Launched {
  const child = spawn(command, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return {
    child,
    output: () => output,
    exited,
    async waitFor(pattern, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(output)) {
        if (child.exitCode !== null) throw new Error(`${args.at(-1)} exited with ${child.exitCode}:\n${output}`);
        if (Date.now() > deadline) throw new Error(`no ${pattern} after ${timeoutMs} ms:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
  };
}

/** The settings a launched process gets besides the given ones: a PATH and a HOME, production mode. */
const baseEnv = (): NodeJS.ProcessEnv => ({ PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", NODE_ENV: "production" });

/** Runs `scripts/start.ts` (what `npm start` runs) with exactly the given settings, and its arguments (`npm start -- …`). */
export function launchPlatform(settings: Record<string, string>, args: string[] = []): LaunchedPlatform {
  const launched = launch(path.join(ROOT, "node_modules/.bin/tsx"), ["scripts/start.ts", ...args], { ...baseEnv(), ...settings });
  return { ...launched, ready: (timeoutMs) => launched.waitFor(/^ready /m, timeoutMs) };
}

/**
 * Runs one role as `npm run start:web` or `start:worker` does, with the given settings over a
 * PATH and HOME only, or over this process's environment when `inherit` is set.
 */
export function launchRole(role: "web" | "worker", settings: Record<string, string>, opts: { inherit?: boolean } = {}): Launched {
  const env = { ...(opts.inherit ? process.env : baseEnv()), NODE_ENV: "production" as const, ...settings };
  return launch(process.execPath, [...ROLE_NODE_FLAGS, `build/roles/start-${role}.js`], env);
}
