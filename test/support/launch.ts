import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

const ROOT = path.resolve(__dirname, "../..");

export interface LaunchedPlatform {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
  /** Resolves once the start-up log says "ready"; rejects with the log if it exits or times out first. */
  ready(timeoutMs: number): Promise<void>;
}

/** Runs `scripts/start.ts` (what `npm start` runs) with exactly the given settings. */
export function launchPlatform(settings: Record<string, string>): LaunchedPlatform {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", NODE_ENV: "production", ...settings };
  const child = spawn(path.join(ROOT, "node_modules/.bin/tsx"), ["scripts/start.ts"], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return {
    child,
    output: () => output,
    exited,
    async ready(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (!/^ready /m.test(output)) {
        if (child.exitCode !== null) throw new Error(`the platform exited with ${child.exitCode}:\n${output}`);
        if (Date.now() > deadline) throw new Error(`the platform was not ready after ${timeoutMs} ms:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
  };
}
