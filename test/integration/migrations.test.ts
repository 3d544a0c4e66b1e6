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

describe.each(databaseProviders())("the migration that makes domains wait for their proof, on %s", (provider) => {
  it("moves a domain saved before the proof existed to a claim with a fresh token, each its own", async () => {
    const database = await freshDatabase(provider);
    created.push(database);
    await deployMigrations(database.url);
    const migration = readMigrations(provider).migrationDirectories.find((directory) => directory.path.endsWith("_publication_pending_domain"))!;
    const content = migration.migrationFile.content;
    const update = (content.tag === "ok" ? content.value : "").split("\n").find((line) => line.startsWith("UPDATE"))!;
    expect(update).toContain('"domain" = NULL');

    const db = createDatabase(database.url);
    try {
      const owner = await db.writer.create({ data: { address: "0x70997970c51812dc3a010c7d01b50e0d17dc79c8" } });
      const publication = (address: string, domain: string | null) => ({
        account: { create: { address, kind: "publication" } },
        owner: { connect: { id: owner.id } },
        ownerAddress: owner.address,
        salt: "00".repeat(32),
        recordJson: "{}",
        recordId: address.slice(2, 45),
        recordTimestamp: 0,
        domain,
      });
      const saved = await db.publication.create({ data: publication(`0x${"1".repeat(64)}`, "quarterly.example") });
      const other = await db.publication.create({ data: publication(`0x${"2".repeat(64)}`, "monthly.example") });
      const none = await db.publication.create({ data: publication(`0x${"3".repeat(64)}`, null) });
      await db.$executeRawUnsafe(update);

      const after = async (writerId: string) => db.publication.findUniqueOrThrow({ where: { writerId }, select: { domain: true, pendingDomain: true, domainToken: true } });
      const [first, second] = [await after(saved.writerId), await after(other.writerId)];
      expect(first).toMatchObject({ domain: null, pendingDomain: "quarterly.example", domainToken: expect.stringMatching(/^[0-9a-f]{32}$/) });
      expect(second).toMatchObject({ domain: null, pendingDomain: "monthly.example" });
      expect(second.domainToken).not.toBe(first.domainToken);
      expect(await after(none.writerId)).toEqual({ domain: null, pendingDomain: null, domainToken: null });
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
