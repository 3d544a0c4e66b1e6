import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, type Database } from "~/db.server";
import { getEnv } from "~/env.server";
import { canonicalJson, entryTags, type Entry } from "~/modules/entries/entry";
import { RebuildRefused, rebuildContributor } from "~/modules/entries/rebuild.server";
import { createSignedDataItem } from "~/modules/storage/data-item.server";
import { bundlerTarget, uploadDataItem } from "~/modules/storage/irys.server";
import { deployMigrations } from "../../scripts/lib/migrations";
import { databaseProviders, freshDatabase, type TestDatabase } from "../support/databases";
import { essayDocument, publishEntry, publishRevision } from "../support/entries";

// One writer publishes 27 versions within minutes here, past a writer's hourly allowance.
process.env.PUBLISHES_PER_HOUR = "100";

const ENTRIES = 20;
/** Entries that get a second version. */
const REVISED = new Set([1, 4, 7, 10, 13, 16, 19]);
// Four essays share a title: slugs `notes` to `notes-4` must come back to the same entries.
const titleOf = (i: number) => (i % 6 === 0 ? "Notes" : `Essay ${i}: on permanence`);

/**
 * What a rebuild restores, per row. Left out: ids (`id`, `writerId`, `entryId`) and the outbox's
 * bookkeeping of how the bytes reached Arweave (`attempts`, `uploadedAt`, `confirmedAt`,
 * `nextAttemptAt`, `createdAt`), which Arweave does not hold; a restored version is confirmed with
 * no attempts of ours.
 */
async function restorableRows(db: Database, address: string) {
  const entries = await db.entry.findMany({
    where: { writer: { address: address.toLowerCase() } },
    orderBy: { originalDigest: "asc" },
    include: { versions: { orderBy: { version: "asc" } } },
  });
  return entries.map(({ id, writerId, versions, ...entry }) => ({
    ...entry,
    versions: versions.map(({ id, entryId, attempts, uploadedAt, confirmedAt, nextAttemptAt, createdAt, ...version }) => version),
  }));
}

describe.each(databaseProviders())("rebuilding a writer from Arweave alone on %s", (provider) => {
  const env = getEnv();
  const account = privateKeyToAccount(generatePrivateKey());
  const databases: TestDatabase[] = [];
  const clients: Database[] = [];
  let source: Database;
  let rebuilt: Database;
  let tamperedId: string;

  async function migrated(): Promise<Database> {
    const database = await freshDatabase(provider);
    databases.push(database);
    await deployMigrations(database.url);
    const db = createDatabase(database.url);
    clients.push(db);
    return db;
  }

  beforeAll(async () => {
    [source, rebuilt] = await Promise.all([migrated(), migrated()]);
    // Publication times a few seconds apart, in the past but inside the signing window.
    const start = Date.now() - 10 * 60_000;
    const drafts: string[] = [];
    for (let i = 0; i < ENTRIES; i++) {
      const published = await publishEntry(source, env, account, { title: titleOf(i), document: essayDocument({ words: 120 + i * 7, seed: i }) }, new Date(start + i * 5_000));
      expect(published.status).toBe("confirmed");
      drafts.push(published.draftId);
    }
    for (const i of REVISED) {
      const revised = await publishRevision(source, env, account, drafts[i]!, { title: `${titleOf(i)} (revised)`, document: essayDocument({ words: 150, seed: 100 + i }) }, new Date(start + 200_000 + i * 5_000));
      expect(revised).toMatchObject({ version: 2, status: "confirmed" });
    }

    // A signed entry whose text was changed afterwards, uploaded with the writer's tags by someone else.
    const genuine = await source.entryVersion.findFirstOrThrow({ where: { contributor: account.address, version: 1 }, orderBy: { timestamp: "asc" } });
    const entry = JSON.parse(genuine.entryJson) as Entry;
    const altered: Entry = { ...entry, content: { ...entry.content, body: `${entry.content.body}\nOne more sentence nobody signed.\n` } };
    const item = await createSignedDataItem(canonicalJson(altered), entryTags(altered), generatePrivateKey());
    await uploadDataItem(item, bundlerTarget(env));
    tamperedId = item.id;
  });

  afterAll(async () => {
    await Promise.all(clients.map((db) => db.$disconnect()));
    await Promise.all(databases.map((database) => database.drop()));
  });

  it("restores every entry and version into an empty database, field by field, and skips what does not verify", async () => {
    const progress: Array<[number, number]> = [];
    const report = await rebuildContributor(rebuilt, env, account.address, { onProgress: (done, total) => progress.push([done, total]) });

    // Each listed item is counted once, as it is read and verified, out of what the gateway listed.
    expect(progress).toEqual(Array.from({ length: report.found }, (_, i) => [i + 1, report.found]));
    expect(report).toMatchObject({
      contributor: account.address,
      found: ENTRIES + REVISED.size + 1,
      entriesRestored: ENTRIES,
      versionsRestored: ENTRIES + REVISED.size,
      entriesPresent: 0,
      versionsPresent: 0,
    });
    expect(report.skipped).toEqual([{ arweaveId: tamperedId, reason: expect.stringMatching(/^it does not verify: The content does not match its digest: .* It was changed after it was signed\.$/) }]);

    const expected = await restorableRows(source, account.address);
    expect(expected).toHaveLength(ENTRIES);
    expect(expected.filter((entry) => entry.latestVersion === 2)).toHaveLength(REVISED.size);
    expect(expected.map((entry) => entry.slug).filter((slug) => slug.startsWith("notes")).sort()).toEqual(["notes", "notes-2", "notes-3", "notes-4"]);
    expect(await restorableRows(rebuilt, account.address)).toEqual(expected);

    const writer = await rebuilt.writer.findUniqueOrThrow({ where: { address: account.address.toLowerCase() } });
    expect(writer.handle).toBeNull();
    const versions = await rebuilt.entryVersion.findMany({ where: { entry: { writerId: writer.id } } });
    expect(versions.every((version) => version.status === "confirmed" && version.dataItem === null && version.confirmedAt !== null && version.attempts === 0)).toBe(true);
  });

  it("adds nothing when run again, nor when run on the database it came from", async () => {
    const counts = async (db: Database) => [await db.entry.count(), await db.entryVersion.count(), await db.writer.count()];
    for (const db of [rebuilt, source]) {
      const before = await counts(db);
      const report = await rebuildContributor(db, env, account.address.toLowerCase());
      expect(report).toMatchObject({ entriesRestored: 0, versionsRestored: 0, entriesPresent: ENTRIES, versionsPresent: ENTRIES + REVISED.size });
      expect(report.skipped.map((item) => item.arweaveId)).toEqual([tamperedId]);
      expect(await counts(db)).toEqual(before);
    }
  });

  it("refuses a database where the writer has entries that are not on Arweave, and changes nothing", async () => {
    const writer = await rebuilt.writer.findUniqueOrThrow({ where: { address: account.address.toLowerCase() } });
    const stray = await rebuilt.entry.create({
      data: { writerId: writer.id, originalDigest: "x".repeat(43), slug: "only-here", latestVersion: 1, title: "Only here", excerpt: "", wordCount: 0, publishedAt: new Date(), updatedAt: new Date() },
    });
    try {
      const error = await rebuildContributor(rebuilt, env, account.address).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RebuildRefused);
      expect((error as RebuildRefused).status).toBe(409);
      expect((error as RebuildRefused).message).toContain(`"only-here" (${"x".repeat(43)}) is not on Arweave as a verified entry of ${account.address}`);
      expect(await rebuilt.entryVersion.count({ where: { entry: { writerId: writer.id } } })).toBe(ENTRIES + REVISED.size);
    } finally {
      await rebuilt.entry.delete({ where: { id: stray.id } });
    }
  });

  it("refuses what is not an address, and finds nothing for a writer with no entries", async () => {
    await expect(rebuildContributor(rebuilt, env, "0x1234")).rejects.toThrow('"0x1234" is not an Ethereum address');
    const stranger = privateKeyToAccount(generatePrivateKey()).address;
    expect(await rebuildContributor(rebuilt, env, stranger)).toEqual({
      contributor: stranger,
      found: 0,
      entriesRestored: 0,
      versionsRestored: 0,
      entriesPresent: 0,
      versionsPresent: 0,
      skipped: [],
      publications: [],
    });
    expect(await rebuilt.writer.findUnique({ where: { address: stranger.toLowerCase() } })).toBeNull();
  });
});
