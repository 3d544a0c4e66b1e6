// Server-side cost of publishing and of rebuilding from Arweave. Publishing: from calling
// publishDraft until it returns with the data item taken by the Irys endpoint, for 5,000-word
// essays (signature check against the chain, signed data item, rendered HTML, outbox row, upload).
// Rebuilding: rebuildContributor for a writer with 200 entries into an empty database. Starts its
// own local chain, Arweave gateway and Irys endpoint on free ports, with scratch SQLite databases,
// and stops them. `npm run bench:publish`; prints a table, then (last line) one JSON object.
import "../app/server/runtime";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { createDatabase, type Database } from "../app/db.server";
import { parseEnv } from "../app/env.server";
import { documentStats } from "../app/modules/entries/document.server";
import { createDraft } from "../app/modules/entries/drafts.server";
import { publishDraft } from "../app/modules/entries/publish.server";
import { rebuildContributor } from "../app/modules/entries/rebuild.server";
import { essayDocument, publishEntry, signPublication, writerOf } from "../test/support/entries";
import { deployMigrations } from "./lib/migrations";
import { freeLocalPorts } from "./local/service";
import { startLocalStack, type LocalStack } from "./local/stack";
import { withProgress } from "./lib/progress";

const PUBLICATIONS = 50;
const ESSAY_WORDS = 5000;
const REBUILD_ENTRIES = 200;
const REBUILD_ENTRY_WORDS = 400;
const TARGETS = { publishP50Ms: 250, publishP95Ms: 1000, rebuild200Seconds: 60 };

/** The value below which `p` percent of the sorted samples fall (nearest rank). */
function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-publish-"));
  const env = parseEnv({
    NODE_ENV: "production",
    DATA_DIR: dataDir,
    DATABASE_URL: `file:${path.join(dataDir, "publish.db")}`,
    // One writer publishes 200 entries in a minute: far past a writer's hourly allowance.
    PUBLISHES_PER_HOUR: "1000",
    ...(await freeLocalPorts()).settings,
  });
  const rebuiltUrl = `file:${path.join(dataDir, "rebuilt.db")}`;
  const databases: Database[] = [];
  let stack: LocalStack | undefined;
  try {
    const started = performance.now();
    [stack] = await Promise.all([startLocalStack(env, { persist: false }), deployMigrations(env.database.url), deployMigrations(rebuiltUrl)]);
    console.error(`local chain, gateway and Irys endpoint up in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    const db = createDatabase(env.database.url);
    databases.push(db);

    // One writer per publication; the first one warms up the connections and the code paths.
    const samples: number[] = [];
    let entryBytes = 0;
    let words = 0;
    await withProgress("essays published (timed)", async (onProgress) => {
      for (let i = 0; i <= PUBLICATIONS; i++) {
        const account = privateKeyToAccount(generatePrivateKey());
        const writer = await writerOf(db, account);
        const document = essayDocument({ words: ESSAY_WORDS, seed: i });
        const { id: draftId } = await createDraft(db, writer.id, { title: `On permanence, part ${i + 1}`, document });
        const input = await signPublication(db, account, writer, draftId, new Date());
        const start = performance.now();
        const published = await publishDraft(db, env, writer, input);
        const ms = performance.now() - start;
        if (published.status === "queued") throw new Error(`publication ${i} was not taken by the Irys endpoint`);
        onProgress(i + 1, PUBLICATIONS + 1);
        if (i === 0) continue;
        samples.push(ms);
        words = documentStats(document).words;
        entryBytes = Buffer.byteLength((await db.entryVersion.findUniqueOrThrow({ where: { arweaveId: published.arweaveId }, select: { entryJson: true } })).entryJson);
      }
    });
    samples.sort((a, b) => a - b);

    const contributor = privateKeyToAccount(generatePrivateKey());
    const publishStarted = performance.now();
    await withProgress("entries published for the rebuild", async (onProgress) => {
      for (let i = 0; i < REBUILD_ENTRIES; i++) {
        await publishEntry(db, env, contributor, { title: `Letter ${i + 1}`, document: essayDocument({ words: REBUILD_ENTRY_WORDS, seed: 10_000 + i }) });
        onProgress(i + 1, REBUILD_ENTRIES);
      }
    });
    const publishSeconds = (performance.now() - publishStarted) / 1000;
    const rebuilt = createDatabase(rebuiltUrl);
    databases.push(rebuilt);
    const rebuildStarted = performance.now();
    const report = await withProgress("items rebuilt (timed)", (onProgress) => rebuildContributor(rebuilt, env, contributor.address, { onProgress }));
    const rebuildSeconds = (performance.now() - rebuildStarted) / 1000;
    if (report.entriesRestored !== REBUILD_ENTRIES) throw new Error(`the rebuild restored ${report.entriesRestored} entries, not ${REBUILD_ENTRIES}`);

    const result = {
      publishP50Ms: Math.round(percentile(samples, 50)),
      publishP95Ms: Math.round(percentile(samples, 95)),
      rebuild200Seconds: Number(rebuildSeconds.toFixed(2)),
    };
    const verdict = (value: number, target: number) => (value <= target ? "OK" : "ABOVE TARGET");
    const rows: Array<[string, string]> = [
      ["essay", `${words.toLocaleString("en")} words, entry JSON ${(entryBytes / 1024).toFixed(1)} kB`],
      ["publish p50", `${result.publishP50Ms} ms (target <= ${TARGETS.publishP50Ms}) ${verdict(result.publishP50Ms, TARGETS.publishP50Ms)}`],
      ["publish p95", `${result.publishP95Ms} ms (target <= ${TARGETS.publishP95Ms}) ${verdict(result.publishP95Ms, TARGETS.publishP95Ms)}`],
      ["publish min / max", `${Math.round(samples[0]!)} / ${Math.round(samples.at(-1)!)} ms over ${samples.length} publications, one new writer each`],
      ["rebuild", `${REBUILD_ENTRIES} entries of ${REBUILD_ENTRY_WORDS} words in ${result.rebuild200Seconds} s (target <= ${TARGETS.rebuild200Seconds}) ${verdict(result.rebuild200Seconds, TARGETS.rebuild200Seconds)}`],
      ["  published first in", `${publishSeconds.toFixed(1)} s`],
    ];
    const width = Math.max(...rows.map(([name]) => name.length));
    for (const [name, value] of rows) console.log(`${name.padEnd(width)}  ${value}`);
    console.log(JSON.stringify(result));
  } finally {
    await Promise.allSettled(databases.map((db) => db.$disconnect()));
    await stack?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
