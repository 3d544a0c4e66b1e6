// Newsletter delivery: messages delivered per second by the mail worker (planning included) to a
// local SMTP server that counts them, for 10,000 and 100,000 confirmed subscribers, on SQLite and
// on PostgreSQL (a scratch database on POSTGRES_SERVER, dropped afterwards; skipped with a note
// when the server is unreachable), then 100,000 shared by three worker processes on PostgreSQL,
// counting any recipient who got two copies. Workers run in child processes, as in production, so
// their peak RSS is their own; the SMTP server runs here. `npm run bench:newsletter`; prints a
// table, then (last line) one JSON object for the largest single-worker run (the slowest database
// at that size) with the three-worker run's `workers`, `duplicates`, seconds and peak RSS.
import "../app/server/runtime";
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { createDatabase, getDb } from "../app/db.server";
import { getEnv, parseEnv } from "../app/env.server";
import { documentToMarkdown } from "../app/modules/entries/document.server";
import { storedHtml } from "../app/modules/entries/html.server";
import { createMailer } from "../app/modules/mail/outbox.server";
import { essayDocument } from "../test/support/entries";
import { startTestSmtp } from "../test/support/smtp";
import { deployMigrations, ROOT } from "./lib/migrations";
import { createScratchPostgres, LOCAL_POSTGRES, postgresReachable } from "./lib/scratch-postgres";
import { withProgress } from "./lib/progress";

const SIZES = [10_000, 100_000];
const ESSAY_WORDS = 1_500;
const TARGET = { subscribers: 100_000, seconds: 300 };
const POSTGRES_SERVER = process.env.POSTGRES_SERVER ?? LOCAL_POSTGRES;
const SEED_CHUNK = 5_000;
const SHARED_BY = 3;

interface WorkerReport {
  sent: number;
  seconds: number;
  peakRssMb: number;
}

/** The child: runs the mail worker until the newsletter is done, then reports on its last line. */
async function worker() {
  const db = getDb();
  const mailer = createMailer(db, getEnv());
  const started = performance.now();
  let sent = 0;
  for (;;) {
    const pass = await mailer.drain();
    sent += pass.sent;
    if (pass.relayDown) throw new Error("the SMTP server failed");
    if ((await db.newsletter.count({ where: { status: { not: "done" } } })) === 0) break;
    // What is left is held by other workers: look again shortly, as the worker loop does.
    if (pass.sent === 0) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const report: WorkerReport = { sent, seconds: (performance.now() - started) / 1000, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) };
  mailer.close();
  await db.$disconnect();
  console.log(JSON.stringify(report));
  process.exit(0);
}

/** A scratch database of each kind, migrated; `drop` removes it. */
async function scratchDatabase(provider: "sqlite" | "postgres", dir: string, label: string) {
  if (provider === "sqlite") {
    const url = `file:${path.join(dir, `${label}.db`)}`;
    await deployMigrations(url);
    return { url, drop: async () => {} };
  }
  const database = await createScratchPostgres(POSTGRES_SERVER, `bench_newsletter_${label}`);
  await deployMigrations(database.url);
  return database;
}

/** A writer with one published entry, its queued newsletter, and `count` confirmed email subscribers. */
async function seed(url: string, count: number) {
  const db = createDatabase(url);
  try {
    const writer = await db.writer.create({ data: { address: `0x${"b".repeat(40)}`, handle: "bench", displayName: "Bench Writer" } });
    const document = essayDocument({ words: ESSAY_WORDS, seed: 7 });
    const title = "On sending one essay to many readers";
    const now = new Date();
    const entry = await db.entry.create({ data: { writerId: writer.id, originalDigest: "bench-digest", slug: "on-sending", latestVersion: 1, title, excerpt: "", wordCount: ESSAY_WORDS, publishedAt: now, updatedAt: now } });
    const { html, renderer } = storedHtml(document);
    const entryJson = JSON.stringify({ content: { title, body: documentToMarkdown(document), json: document, timestamp: Math.floor(now.getTime() / 1000) } });
    await db.entryVersion.create({
      data: { entryId: entry.id, version: 1, digest: "bench-digest", arweaveId: "bench-arweave-id", title, entryJson, html, renderer, contributor: writer.address, signature: "0x", timestamp: 0, status: "confirmed" },
    });
    for (let i = 0; i < count; i += SEED_CHUNK) {
      const data = Array.from({ length: Math.min(SEED_CHUNK, count - i) }, (_, j) => ({ writerId: writer.id, email: `reader-${i + j}@bench.example`, status: "confirmed", confirmedAt: now }));
      await db.subscriber.createMany({ data });
    }
    await db.newsletter.create({ data: { entryId: entry.id, writerId: writer.id } });
    return { essayBytes: Buffer.byteLength(html) + Buffer.byteLength(entryJson) };
  } finally {
    await db.$disconnect();
  }
}

async function runWorker(url: string, smtpUrl: string, dir: string): Promise<WorkerReport> {
  const child = spawn(path.join(ROOT, "node_modules/.bin/tsx"), ["scripts/bench-newsletter.ts", "--worker"], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", NODE_ENV: "production", DATA_DIR: dir, DATABASE_URL: url, SMTP_URL: smtpUrl },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  const last = output.trim().split("\n").pop() ?? "";
  if (code !== 0 || !last.startsWith("{")) throw new Error(`the worker exited with ${code}:\n${output}`);
  return JSON.parse(last) as WorkerReport;
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-newsletter-"));
  const providers: Array<"sqlite" | "postgres"> = ["sqlite"];
  if (await postgresReachable(POSTGRES_SERVER)) providers.push("postgres");
  else console.log(`note: PostgreSQL at ${POSTGRES_SERVER} is unreachable; measuring SQLite only`);
  const env = parseEnv({});
  const rows: Array<{ provider: string; subscribers: number; workers: number; seconds: number; perSecond: number; peakRssMb: number; duplicates: number }> = [];
  let essayBytes = 0;
  try {
    const runs = providers.flatMap((provider) => SIZES.map((subscribers) => ({ provider, subscribers, workers: 1 })));
    if (providers.includes("postgres")) runs.push({ provider: "postgres", subscribers: Math.max(...SIZES), workers: SHARED_BY });
    for (const { provider, subscribers, workers } of runs) {
      const database = await scratchDatabase(provider, dir, `n${subscribers}w${workers}`);
      const smtp = await startTestSmtp({ countOnly: true });
      try {
        const seeding = performance.now();
        essayBytes = (await seed(database.url, subscribers)).essayBytes;
        console.error(`${provider} ${subscribers.toLocaleString("en")}, ${workers} worker(s): seeded in ${((performance.now() - seeding) / 1000).toFixed(1)} s, sending…`);
        const reports = await withProgress("messages accepted", async (onProgress) => {
          // Counted at the SMTP server, which runs in this process; a worker's output is its report alone.
          const polling = setInterval(() => onProgress(smtp.accepted(), subscribers), 250);
          try {
            return await Promise.all(Array.from({ length: workers }, () => runWorker(database.url, smtp.url, dir)));
          } finally {
            clearInterval(polling);
            onProgress(smtp.accepted(), subscribers);
          }
        });
        const sent = reports.reduce((sum, report) => sum + report.sent, 0);
        const copies = [...smtp.acceptedPerRecipient().values()];
        const duplicates = copies.filter((n) => n > 1).length;
        if (sent !== subscribers || copies.length !== subscribers) {
          throw new Error(`${provider}: ${subscribers} subscribers, but the workers sent ${sent} and the SMTP server accepted mail for ${copies.length}`);
        }
        const seconds = Math.max(...reports.map((report) => report.seconds));
        rows.push({ provider, subscribers, workers, seconds, perSecond: subscribers / seconds, peakRssMb: Math.max(...reports.map((report) => report.peakRssMb)), duplicates });
      } finally {
        await smtp.stop();
        await database.drop();
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }

  console.log(`essay: ${ESSAY_WORDS} words, ${(essayBytes / 1024).toFixed(0)} kB of HTML and entry JSON; ${env.mail.concurrency} SMTP connections, batches of ${env.mail.batchSize}`);
  console.log(["database", "subscribers", "workers", "seconds", "msg/s", "worker peak RSS", "duplicates"].map((h, i) => (i === 0 ? h.padEnd(10) : h.padStart(16))).join(""));
  for (const row of rows) {
    console.log(
      [
        row.provider.padEnd(10),
        row.subscribers.toLocaleString("en").padStart(16),
        String(row.workers).padStart(16),
        row.seconds.toFixed(1).padStart(16),
        Math.round(row.perSecond).toLocaleString("en").padStart(16),
        `${row.peakRssMb} MB`.padStart(16),
        String(row.duplicates).padStart(16),
      ].join(""),
    );
  }
  const largest = rows.filter((row) => row.subscribers === Math.max(...SIZES) && row.workers === 1).sort((a, b) => a.perSecond - b.perSecond)[0]!;
  const shared = rows.find((row) => row.workers === SHARED_BY);
  const duplicates = rows.reduce((sum, row) => sum + row.duplicates, 0);
  const met = largest.subscribers >= TARGET.subscribers && largest.seconds < TARGET.seconds && duplicates === 0;
  console.log(`target: ${TARGET.subscribers.toLocaleString("en")} delivered in under ${TARGET.seconds} s on every database, no one twice: ${met ? "met" : "MISSED"}`);
  console.log(
    JSON.stringify({
      subscribers: largest.subscribers,
      seconds: Number(largest.seconds.toFixed(1)),
      perSecond: Math.round(largest.perSecond),
      peakRssMb: largest.peakRssMb,
      workers: shared?.workers ?? 1,
      duplicates,
      ...(shared ? { workersSeconds: Number(shared.seconds.toFixed(1)), workersPeakRssMb: shared.peakRssMb } : {}),
    }),
  );
  process.exit(met ? 0 : 1);
}

if (process.argv.includes("--worker")) void worker();
else
  void main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
