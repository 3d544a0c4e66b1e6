import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freeLocalPorts } from "../../scripts/local/service";
import { launchPlatform } from "../support/launch";
import { commandLine, pidsListeningOn } from "../support/processes";

const portAnswers = (port: number) =>
  fetch(`http://127.0.0.1:${port}`, { method: "POST", signal: AbortSignal.timeout(1000) }).then(
    () => true,
    () => false,
  );

describe("npm start", () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "press-start-"));
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it("starts every part, answers /healthz, and leaves nothing running after Ctrl-C", async () => {
    const { ports, settings } = await freeLocalPorts();
    const run = launchPlatform({ ...settings, DATA_DIR: dataDir, DATABASE_URL: `file:${path.join(dataDir, "platform.db")}` });
    let workerPid = 0;
    try {
      await run.ready(90_000);
      const output = run.output();
      expect(output).toMatch(new RegExp(`^ready +http://127\\.0\\.0\\.1:${ports.web} in [\\d.]+ s$`, "m"));
      for (const part of ["database", "chain", "storage", "mail"]) expect(output).toMatch(new RegExp(`^${part} +up `, "m"));
      expect(output).toMatch(/^node +v24\.\d+\.\d+ /m);
      expect(output).toMatch(/^contracts +factory 0x[0-9a-fA-F]{40}/m);

      // One web and one worker role, each a process of its own, named in `ps`; the stand-ins in another.
      const webPid = Number(/^web +pid (\d+), serving http:\/\/127\.0\.0\.1:(\d+)$/m.exec(output)?.[1]);
      workerPid = Number(/^worker +pid (\d+), running /m.exec(output)?.[1]);
      expect(commandLine(webPid)).toBe("press-web");
      expect(commandLine(workerPid)).toBe("press-worker");
      expect(pidsListeningOn(ports.web)).toEqual([webPid]);
      for (const port of [ports.arweave, ports.bundler, ports.smtp]) {
        const [owner] = pidsListeningOn(port);
        expect(commandLine(owner!)).toBe("press-stand-ins");
      }
      expect(new Set([run.child.pid, webPid, workerPid]).size).toBe(3);

      const response = await fetch(`http://127.0.0.1:${ports.web}/healthz`);
      expect(response.status).toBe(200);
      const health = (await response.json()) as { role: string; pid: number; status: string; parts: Record<string, { status: string }> };
      expect(health.status).toBe("up");
      expect(health).toMatchObject({ role: "web", pid: webPid });
      expect(Object.keys(health.parts).sort()).toEqual(["chain", "database", "mail", "storage"]);

      // A first start on an empty press says how to fill it.
      await run.waitFor(/^empty +nothing is published yet: `npm run demo`/m, 10_000);
      const home = await fetch(`http://127.0.0.1:${ports.web}/`);
      expect(await home.text()).toContain("Writing that outlives its platform");
      expect((await fetch(`http://127.0.0.1:${ports.web}/dev/mail`)).status).toBe(200);
    } finally {
      run.child.kill("SIGINT");
    }
    expect(await run.exited).toBe(0);
    expect(run.output()).toMatch(/^web +stopping \(SIGTERM\): finishing the work in hand$/m);
    expect(run.output()).toMatch(/^worker +stopping \(SIGTERM\): finishing the work in hand$/m);
    expect(commandLine(workerPid)).toBeUndefined();
    expect(await portAnswers(ports.chain)).toBe(false);
    expect(await portAnswers(ports.web)).toBe(false);
    expect(await portAnswers(ports.arweave)).toBe(false);
  });

  it("stops everything, with exit 1, when a role dies on its own", async () => {
    const { ports, settings } = await freeLocalPorts();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "press-start-crash-"));
    const run = launchPlatform({ ...settings, DATA_DIR: dir, DATABASE_URL: `file:${path.join(dir, "platform.db")}` });
    try {
      await run.ready(90_000);
      const webPid = Number(/^web +pid (\d+), serving /m.exec(run.output())?.[1]);
      const workerPid = Number(/^worker +pid (\d+), running /m.exec(run.output())?.[1]);
      process.kill(webPid, "SIGKILL");
      expect(await run.exited).toBe(1);
      expect(run.output()).toMatch(/^the web role exited \(SIGKILL\); stopping the rest$/m);
      expect(commandLine(workerPid)).toBeUndefined();
      expect(await portAnswers(ports.chain)).toBe(false);
      expect(await portAnswers(ports.arweave)).toBe(false);
    } finally {
      run.child.kill("SIGKILL");
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses the demo, before starting anything, for a chain that is not the local one", async () => {
    const { settings } = await freeLocalPorts();
    const run = launchPlatform({ ...settings, DATA_DIR: dataDir, CHAIN_RPC_URL: "https://sepolia.base.org", CHAIN_ID: "84532" }, ["--demo"]);
    expect(await run.exited).toBe(2);
    expect(run.output()).toContain("npm start -- --demo: the demo runs only against the local development chain; CHAIN_RPC_URL names https://sepolia.base.org (chain 84532)");
    expect(run.output()).not.toMatch(/^(chain|gateway|web) /m);
  });

  it("refuses bad configuration with a message naming each setting", async () => {
    const run = launchPlatform({ DATA_DIR: dataDir, CHAIN_RPC_URL: "localhost:8545", PLATFORM_PRIVATE_KEY: "0xnot-a-key" });
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain("Invalid configuration:");
    expect(run.output()).toContain("CHAIN_RPC_URL: must start with http:// or https://");
    expect(run.output()).toContain("PLATFORM_PRIVATE_KEY: must be a 32-byte private key");
  });
});
