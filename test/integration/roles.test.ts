import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createDatabase } from "~/db.server";
import { expectedMigrations } from "~/server/schema.server";
import { ROLE_NODE_FLAGS } from "~/server/node-flags";
import { deployMigrations, ROOT } from "../../scripts/lib/migrations";
import { freePort } from "../../scripts/local/service";
import { launchRole } from "../support/launch";
import { commandLine } from "../support/processes";

describe("the web and worker roles, each started alone", () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "press-roles-"));
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  // Remote services the roles are pointed at but never reach in these tests.
  const remote = { CHAIN_RPC_URL: "http://127.0.0.1:9", IRYS_URL: "http://127.0.0.1:9", ARWEAVE_GATEWAY_URL: "http://127.0.0.1:9", SMTP_URL: "smtp://127.0.0.1:9", FACTORY_ADDRESS: "0x5FbDB2315678afecb367f032d93F642f64180aa3", DATA_DIR: dataDir };

  it("refuse a database that was never migrated, saying to run db:deploy, and leave it untouched", async () => {
    const file = path.join(dataDir, "empty.db");
    for (const role of ["web", "worker"] as const) {
      const run = launchRole(role, { ...remote, DATABASE_URL: `file:${file}`, PORT: String(await freePort()) });
      expect(await run.exited).toBe(1);
      expect(run.output()).toContain(`The database is ${expectedMigrations("sqlite").length} migration(s) behind this code`);
      expect(run.output()).toContain(`Run \`npm run db:deploy\` once, then start the ${role} role again.`);
    }
    const db = createDatabase(`file:${file}`);
    const tables = await db.$queryRawUnsafe<Array<{ name: string }>>(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`);
    await db.$disconnect();
    expect(tables).toEqual([]);
  });

  it("refuse a database one migration behind, naming it", async () => {
    const url = `file:${path.join(dataDir, "behind.db")}`;
    await deployMigrations(url);
    const latest = expectedMigrations("sqlite").at(-1)!;
    const db = createDatabase(url);
    await db.$executeRawUnsafe(`DELETE FROM "_prisma_migrations" WHERE "migration_name" = ?`, latest);
    await db.$disconnect();
    const run = launchRole("web", { ...remote, DATABASE_URL: url, PORT: String(await freePort()) });
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain(`The database is 1 migration(s) behind this code (${latest}).`);
  });

  it("are started by npm with the roles' Node flags, as npm start starts them", () => {
    const scripts = (JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
    for (const role of ["web", "worker"]) expect(scripts[`start:${role}`]).toBe(`node ${ROLE_NODE_FLAGS.join(" ")} build/roles/start-${role}.js`);
  });

  it("serve (web) and work (worker) on a current database, named in ps, and drain on SIGTERM", async () => {
    const url = `file:${path.join(dataDir, "current.db")}`;
    await deployMigrations(url);
    const port = await freePort();
    const web = launchRole("web", { ...remote, DATABASE_URL: url, PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` });
    const worker = launchRole("worker", { ...remote, DATABASE_URL: url });
    try {
      await web.waitFor(/^web +pid \d+, serving /m);
      await worker.waitFor(/^worker +pid \d+, running /m);
      expect(commandLine(web.child.pid!)).toBe("press-web");
      expect(commandLine(worker.child.pid!)).toBe("press-worker");
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      // The remote parts are unreachable here: the answer says so, and which role gave it.
      expect(health.status).toBe(503);
      const body = (await health.json()) as { memory: { rssMb: number; heapLimitMb: number } };
      expect(body).toMatchObject({ role: "web", pid: web.child.pid, status: "down", parts: { database: { status: "up" } } });
      // It runs with the roles' Node flags, as npm run start:web does: a heap bound near 256 MB.
      expect(body.memory.heapLimitMb).toBeGreaterThanOrEqual(256);
      expect(body.memory.heapLimitMb).toBeLessThan(300);
      expect(body.memory.rssMb).toBeGreaterThan(0);
      expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(200);
    } finally {
      web.child.kill("SIGTERM");
      worker.child.kill("SIGTERM");
    }
    expect(await web.exited).toBe(0);
    expect(await worker.exited).toBe(0);
    expect(web.output()).toMatch(/^web +stopping \(SIGTERM\): finishing the work in hand$/m);
    expect(worker.output()).toMatch(/^worker +stopping \(SIGTERM\): finishing the work in hand$/m);
  });
});
