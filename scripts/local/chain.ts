import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { ROOT } from "../lib/migrations";
import { StartError, waitFor, type LocalService } from "./service";

/**
 * A local Hardhat node (chain id 31337) in a child process of its own process group, so that
 * stopping it leaves nothing behind. Its per-request log goes to a file, not the console.
 */
export async function startLocalChain(opts: { port: number; logFile: string }): Promise<LocalService> {
  fs.mkdirSync(path.dirname(opts.logFile), { recursive: true });
  const log = fs.openSync(opts.logFile, "a");
  const child = spawn(path.join(ROOT, "node_modules/.bin/hardhat"), ["node", "--hostname", "127.0.0.1", "--port", String(opts.port)], {
    cwd: ROOT,
    detached: true,
    stdio: ["ignore", log, log],
  });
  fs.closeSync(log);
  const url = `http://127.0.0.1:${opts.port}`;
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once("exit", () => ((exited = true), resolve())));
  // Even if this process dies without stopping it, the chain goes with it.
  const killOnExit = () => {
    if (!exited && child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
  };
  process.once("exit", killOnExit);
  const stop = async () => {
    process.off("exit", killOnExit);
    if (exited || child.pid === undefined) return;
    process.kill(-child.pid, "SIGTERM");
    await Promise.race([exit, new Promise((resolve) => setTimeout(resolve, 5000))]);
    if (!exited) process.kill(-child.pid, "SIGKILL");
  };
  try {
    await waitFor(`the local chain on ${url}`, 60_000, async () => {
      if (exited) throw new StartError(`the local chain exited at start; see ${opts.logFile}`);
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      });
      return response.ok;
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, stop };
}
