import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { createDatabase } from "~/db.server";
import { sqlitePath } from "~/env.server";
import { deployMigrations, readMigrations } from "../../scripts/lib/migrations";
import { databaseProviders, freshDatabase, type TestDatabase } from "../support/databases";

const created: TestDatabase[] = [];
afterAll(async () => {
  await Promise.all(created.map((database) => database.drop()));
});

describe.each(databaseProviders())("migrations on %s", (provider) => {
  it("bring a fresh database to the current models, once", async () => {
    const database = await freshDatabase(provider);
    created.push(database);
    const expected = readMigrations(provider).migrationDirectories.map((directory) => directory.path);
    expect(expected.length).toBeGreaterThan(0);

    expect(await deployMigrations(database.url)).toEqual(expected);
    expect(await deployMigrations(database.url)).toEqual([]);

    const db = createDatabase(database.url);
    try {
      const writer = await db.writer.create({ data: { address: "0x70997970c51812dc3a010c7d01b50e0d17dc79c8", handle: "ada" } });
      expect(await db.writer.findUnique({ where: { handle: "ada" } })).toMatchObject({ id: writer.id, address: writer.address });
      await expect(db.writer.create({ data: { address: "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc", handle: "ada" } })).rejects.toMatchObject({ code: "P2002" });
    } finally {
      await db.$disconnect();
    }
  });
});

describe("migrations on a SQLite file another process is writing", () => {
  it("say so, instead of the engine's own words", async () => {
    const database = await freshDatabase("sqlite");
    await deployMigrations(database.url);
    const holder = new Database(sqlitePath(database.url));
    try {
      holder.prepare("BEGIN IMMEDIATE").run();
      await expect(deployMigrations(database.url)).rejects.toThrow(/stayed locked by another process \(a running `npm start`/);
    } finally {
      holder.prepare("ROLLBACK").run();
      holder.close();
    }
  });
});
