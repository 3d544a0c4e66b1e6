import { afterAll, describe, expect, it } from "vitest";
import { createDatabase, isPostgres, type Database } from "~/db.server";
import { createLease } from "~/modules/jobs/lease.server";
import { deployMigrations } from "../../scripts/lib/migrations";
import { databaseProviders, freshDatabase, type TestDatabase } from "../support/databases";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(databaseProviders())("a single-holder lease on %s", (provider) => {
  const databases: TestDatabase[] = [];
  const clients: Database[] = [];
  afterAll(async () => {
    await Promise.all(clients.map((db) => db.$disconnect()));
    await Promise.all(databases.map((database) => database.drop()));
  });
  /** Two clients on one fresh database: two processes, as far as the database can tell. */
  async function twoProcesses(): Promise<[Database, Database]> {
    const database = await freshDatabase(provider);
    databases.push(database);
    await deployMigrations(database.url);
    const pair: [Database, Database] = [createDatabase(database.url), createDatabase(database.url)];
    clients.push(...pair);
    return pair;
  }

  it("is held by one holder at a time, renewed by it, and taken over only once it runs out", async () => {
    const [one, two] = await twoProcesses();
    const a = createLease(one, "indexer:31337", { ttlMs: 600, holder: "a" });
    const b = createLease(two, "indexer:31337", { ttlMs: 600, holder: "b" });
    expect(await a.hold()).toBe(true);
    expect(await b.hold()).toBe(false);
    // a renews within its time: b never gets it.
    for (let i = 0; i < 4; i++) {
      await sleep(250);
      expect(await a.hold()).toBe(true);
      expect(await b.hold()).toBe(false);
    }
    // a stops renewing (a process that died): b takes over after the lease's time, and a is out.
    await sleep(700);
    expect(await b.hold()).toBe(true);
    expect(await a.hold()).toBe(false);
    expect(await one.lease.findUniqueOrThrow({ where: { name: "indexer:31337" } })).toMatchObject({ holder: "b" });
    // A graceful stop gives it up at once; releasing what one does not hold changes nothing.
    await a.release();
    expect(await a.hold()).toBe(false);
    await b.release();
    expect(await a.hold()).toBe(true);
    // Another lease's name is another job.
    expect(await createLease(two, "indexer:8453", { ttlMs: 600, holder: "b" }).hold()).toBe(true);
  });

  it("is kept by the database's clock, whichever kind of database (also inside a transaction)", async () => {
    const [one] = await twoProcesses();
    expect(isPostgres(one)).toBe(provider === "postgres");
    expect(await one.$transaction(async (tx) => isPostgres(tx))).toBe(provider === "postgres");
    const [clock] = await one.$queryRawUnsafe<Array<{ now: string }>>(
      provider === "postgres" ? "SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT) AS now" : "SELECT CAST(unixepoch('subsec') * 1000 AS INTEGER) AS now",
    );
    expect(await createLease(one, "clock", { ttlMs: 60_000, holder: "a" }).hold()).toBe(true);
    const expires = Number((await one.lease.findUniqueOrThrow({ where: { name: "clock" } })).expiresAtMs);
    expect(expires - Number(clock!.now)).toBeGreaterThanOrEqual(60_000);
    expect(expires - Number(clock!.now)).toBeLessThan(65_000);
  });

  it("lets exactly one of many racing holders win", async () => {
    const [one, two] = await twoProcesses();
    const bids = Array.from({ length: 12 }, (_, i) => createLease(i % 2 ? one : two, "indexer:31337", { ttlMs: 5_000, holder: `h${i}` }));
    const won = await Promise.all(bids.map((lease) => lease.hold()));
    expect(won.filter(Boolean)).toHaveLength(1);
    const winner = bids[won.indexOf(true)]!;
    expect((await one.lease.findUniqueOrThrow({ where: { name: "indexer:31337" } })).holder).toBe(winner.holder);
  });
});
