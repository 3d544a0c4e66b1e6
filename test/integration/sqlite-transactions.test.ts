import { spawn } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, type Database } from "~/db.server";
import { sqlitePath } from "~/env.server";
import { deployMigrations } from "../../scripts/lib/migrations";
import { freshDatabase, type TestDatabase } from "../support/databases";

/**
 * The web server and the worker are two processes on one SQLite file. A transaction in one that
 * reads and then writes must not fail because the other wrote in between: a reader subscribing
 * while the worker sent a newsletter got a 500 (SQLITE_BUSY_SNAPSHOT).
 */
describe("SQLite transactions while another process writes", () => {
  let database: TestDatabase;
  let db: Database;
  let writerId: string;
  beforeAll(async () => {
    database = await freshDatabase("sqlite");
    await deployMigrations(database.url);
    db = createDatabase(database.url);
    writerId = (await db.writer.create({ data: { address: "0x00000000000000000000000000000000000000a1", handle: "ada" } })).id;
  });
  afterAll(() => db?.$disconnect());

  /** Another process adds a subscriber, waiting for the write lock as long as SQLite's busy timeout allows. */
  function otherProcessSubscribes(email: string): Promise<{ code: number | null; output: string }> {
    const script = `
      const Database = require(${JSON.stringify(path.resolve("node_modules/better-sqlite3"))});
      const db = new Database(${JSON.stringify(sqlitePath(database.url))}, { timeout: 10000 });
      db.prepare("INSERT INTO Subscriber (id, writerId, email, status, source, createdAt, updatedAt) VALUES (?, ?, ?, 'pending', 'form', ?, ?)").run("other-" + Date.now(), ${JSON.stringify(writerId)}, ${JSON.stringify(email)}, new Date().toISOString(), new Date().toISOString());
      process.stdout.write("written");`;
    return new Promise((resolve) => {
      const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "pipe"] });
      let output = "";
      child.stdout.on("data", (chunk) => (output += chunk));
      child.stderr.on("data", (chunk) => (output += chunk));
      child.on("exit", (code) => resolve({ code, output }));
    });
  }

  it("lets a transaction that read before the other process wrote still write and commit, and the other write lands after it", async () => {
    let other: ReturnType<typeof otherProcessSubscribes> | undefined;
    let otherDoneFirst = false;
    await db.$transaction(
      async (tx) => {
        expect(await tx.subscriber.findUnique({ where: { writerId_email: { writerId, email: "reader@example.com" } } })).toBeNull();
        other = otherProcessSubscribes("worker@example.com");
        // Begun deferred, this transaction would let the other process write now, then fail its own write.
        otherDoneFirst = await Promise.race([other.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 1500))]);
        await tx.subscriber.create({ data: { writerId, email: "reader@example.com" } });
      },
      { timeout: 10_000 },
    );
    expect(otherDoneFirst).toBe(false);
    expect(await other).toEqual({ code: 0, output: "written" });
    const emails = (await db.subscriber.findMany({ where: { writerId }, orderBy: { email: "asc" } })).map((s) => s.email);
    expect(emails).toEqual(["reader@example.com", "worker@example.com"]);
  });
});
