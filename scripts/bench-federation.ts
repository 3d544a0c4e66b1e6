// Federation delivery: one essay, published for real (signed, stored on the local Irys endpoint),
// delivered by the federation worker to 10,000 followers spread over 100 shared inboxes of a local
// inbox server, which verifies every request's HTTP signature (the key fetched once from the press,
// then cached, as Mastodon does) and counts any inbox that got the same activity twice. Then, as an
// extra row, the same followers with personal inboxes only (10,000 deliveries). On SQLite, and on
// PostgreSQL with `--postgres` (a scratch database on POSTGRES_SERVER, dropped afterwards).
// `npm run bench:federation`; prints a table, then (last line) one JSON object for the shared-inbox
// run (the slowest database): `followers`, `inboxes`, `seconds`, `duplicates`, `deliveries`,
// `perSecond`. Exits 1 if that run took over 60 s or anything arrived twice. `--shared-only` skips
// the personal-inbox row.
import "../app/server/runtime";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { createDatabase, type Database } from "../app/db.server";
import { parseEnv, type Env } from "../app/env.server";
import { startFederationWorker } from "../app/modules/federation/delivery.server";
import { federationHandler } from "../app/modules/federation/http.server";
import { entryActivityId } from "../app/modules/federation/objects.server";
import { updateProfile } from "../app/modules/writers/profile.server";
import { essayDocument, publishEntry, writerOf } from "../test/support/entries";
import { startInboxServer } from "../test/support/inbox-server";
import { deployMigrations } from "./lib/migrations";
import { withProgress } from "./lib/progress";
import { createScratchPostgres, LOCAL_POSTGRES, postgresReachable } from "./lib/scratch-postgres";
import { freeLocalPorts, freePort } from "./local/service";
import { startLocalStack, type LocalStack } from "./local/stack";

const FOLLOWERS = 10_000;
const SHARED_INBOXES = 100;
const ESSAY_WORDS = 1_500;
const TARGET = { seconds: 60 };
const POSTGRES_SERVER = process.env.POSTGRES_SERVER ?? LOCAL_POSTGRES;
const SEED_CHUNK = 2_000;

interface Row {
  database: string;
  kind: "shared" | "personal";
  followers: number;
  inboxes: number;
  deliveries: number;
  seconds: number;
  perSecond: number;
  duplicates: number;
  verified: number;
}

/** The press's federation side on its own port: the inbox server fetches the writer's key here. */
async function startPress(port: number) {
  let handler: ((request: Request) => Promise<Response | null>) | undefined;
  const server = http.createServer(async (req, res) => {
    try {
      const headers = new Headers();
      for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
      const response = handler ? await handler(new Request(`http://127.0.0.1:${port}${req.url}`, { method: req.method, headers })) : null;
      if (!response) return void res.writeHead(404).end();
      res.writeHead(response.status, Object.fromEntries(response.headers)).end(Buffer.from(await response.arrayBuffer()));
    } catch (error) {
      res.writeHead(500).end(String(error));
    }
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    serve(db: Database, env: Env) {
      handler = federationHandler(db, env);
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function scratchDatabase(provider: "sqlite" | "postgres", dir: string, label: string) {
  if (provider === "sqlite") {
    const url = `file:${path.join(dir, `${label}.db`)}`;
    await deployMigrations(url);
    return { url, drop: async () => {} };
  }
  const database = await createScratchPostgres(POSTGRES_SERVER, `bench_federation_${label}`);
  await deployMigrations(database.url);
  return database;
}

async function run(provider: "sqlite" | "postgres", kind: "shared" | "personal", dir: string, settings: Record<string, string>, press: Awaited<ReturnType<typeof startPress>>): Promise<Row> {
  const inboxes = await startInboxServer({ cacheKeys: true, countOnly: true });
  const database = await scratchDatabase(provider, dir, `${kind}`);
  const env = parseEnv({ ...settings, DATABASE_URL: database.url, FEDERATION_TEST_ORIGINS: `${inboxes.origin},${settings.PUBLIC_URL}` });
  const db = createDatabase(database.url);
  try {
    press.serve(db, env);
    const account = privateKeyToAccount(generatePrivateKey());
    const writer = await writerOf(db, account);
    await updateProfile(db, writer.id, { handle: "bench", displayName: "Bench Writer", bio: "" });
    for (let i = 0; i < FOLLOWERS; i += SEED_CHUNK) {
      const data = Array.from({ length: Math.min(SEED_CHUNK, FOLLOWERS - i) }, (_, j) => {
        const n = i + j;
        const actorId = inboxes.url(`/users/${n}`);
        return { writerId: writer.id, actorId, handle: `@reader${n}@${new URL(actorId).host}`, inbox: `${actorId}/inbox`, sharedInbox: kind === "shared" ? inboxes.url(`/inbox/${n % SHARED_INBOXES}`) : null, followId: `${actorId}#follow` };
      });
      await db.follower.createMany({ data });
    }
    const published = await publishEntry(db, env, account, { title: "On sending one essay to many servers", document: essayDocument({ words: ESSAY_WORDS, seed: 7 }) });
    const activityId = entryActivityId(env.publicUrl, published.entryId, 1);
    const expected = kind === "shared" ? SHARED_INBOXES : FOLLOWERS;

    console.error(`${provider}, ${kind} inboxes: ${FOLLOWERS.toLocaleString("en")} followers seeded, essay published; delivering…`);
    const started = performance.now();
    const worker = startFederationWorker(db, env, { intervalMs: 20, log: (line) => void line });
    try {
      await withProgress("inboxes reached", async (onProgress) => {
        for (;;) {
          const activity = await db.fediActivity.findUniqueOrThrow({ where: { id: activityId }, select: { status: true } });
          const left = await db.fediDelivery.count({ where: { activityId, status: { in: ["pending", "sending"] } } });
          onProgress(inboxes.distinct(), expected);
          if (activity.status === "planned" && left === 0) return;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      });
    } finally {
      await worker.stop();
    }
    const seconds = (performance.now() - started) / 1000;
    const deliveries = await db.fediDelivery.groupBy({ by: ["status"], where: { activityId }, _count: { _all: true } });
    const sent = deliveries.find((d) => d.status === "sent")?._count._all ?? 0;
    if (sent !== expected || inboxes.distinct() !== expected) {
      throw new Error(`${provider} ${kind}: ${expected} inboxes to reach, but ${sent} deliveries were sent and ${inboxes.distinct()} inboxes got the essay (${JSON.stringify(deliveries)}; refused: ${JSON.stringify(inboxes.refusals.slice(0, 3))})`);
    }
    const actor = `${env.publicUrl}/ap/users/${writer.id}`;
    return {
      database: provider,
      kind,
      followers: FOLLOWERS,
      inboxes: expected,
      deliveries: sent,
      seconds,
      perSecond: sent / seconds,
      duplicates: inboxes.duplicates(),
      verified: inboxes.arrivals.filter((arrival) => arrival.keyOwner === actor).length,
    };
  } finally {
    await db.$disconnect();
    await inboxes.stop();
    await database.drop();
  }
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-federation-"));
  const providers: Array<"sqlite" | "postgres"> = ["sqlite"];
  if (process.argv.includes("--postgres") || process.env.BENCH_POSTGRES) {
    if (await postgresReachable(POSTGRES_SERVER)) providers.push("postgres");
    else console.log(`note: PostgreSQL at ${POSTGRES_SERVER} is unreachable; measuring SQLite only`);
  }
  const kinds: Array<"shared" | "personal"> = process.argv.includes("--shared-only") ? ["shared"] : ["shared", "personal"];
  const pressPort = await freePort();
  const settings: Record<string, string> = {
    NODE_ENV: "production",
    DATA_DIR: dir,
    PUBLIC_URL: `http://127.0.0.1:${pressPort}`,
    ...(await freeLocalPorts()).settings,
  };
  const rows: Row[] = [];
  let stack: LocalStack | undefined;
  const press = await startPress(pressPort);
  try {
    stack = await startLocalStack(parseEnv({ ...settings, DATABASE_URL: `file:${path.join(dir, "stack.db")}` }), { persist: false });
    for (const provider of providers) for (const kind of kinds) rows.push(await run(provider, kind, dir, settings, press));
  } finally {
    await press.stop();
    await stack?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }

  const env = parseEnv({ ...settings, DATABASE_URL: "file:unused.db" });
  console.log(`essay: ${ESSAY_WORDS} words; ${env.federation.concurrency} requests at a time; every request's signature verified by the inbox server`);
  const head = ["database", "inboxes", "followers", "deliveries", "seconds", "deliveries/s", "verified", "duplicates"];
  console.log(head.map((h, i) => (i === 0 ? h.padEnd(10) : h.padStart(14))).join(""));
  for (const row of rows) {
    const cells = [`${row.database}`.padEnd(10), `${row.inboxes.toLocaleString("en")} ${row.kind}`, row.followers.toLocaleString("en"), row.deliveries.toLocaleString("en"), row.seconds.toFixed(1), Math.round(row.perSecond).toLocaleString("en"), row.verified.toLocaleString("en"), String(row.duplicates)];
    console.log(cells.map((cell, i) => (i === 0 ? cell : cell.padStart(14))).join(""));
  }
  const shared = rows.filter((row) => row.kind === "shared").sort((x, y) => y.seconds - x.seconds)[0]!;
  const personal = rows.filter((row) => row.kind === "personal").sort((x, y) => y.seconds - x.seconds)[0];
  const duplicates = rows.reduce((sum, row) => sum + row.duplicates, 0);
  const met = shared.seconds <= TARGET.seconds && duplicates === 0;
  console.log(`target: ${FOLLOWERS.toLocaleString("en")} followers over ${SHARED_INBOXES} inboxes in at most ${TARGET.seconds} s on every database, no inbox twice: ${met ? "met" : "MISSED"}`);
  console.log(
    JSON.stringify({
      followers: shared.followers,
      inboxes: shared.inboxes,
      seconds: Number(shared.seconds.toFixed(2)),
      duplicates,
      deliveries: shared.deliveries,
      perSecond: Math.round(shared.perSecond),
      database: shared.database,
      ...(personal ? { personalInboxes: personal.inboxes, personalSeconds: Number(personal.seconds.toFixed(1)), personalPerSecond: Math.round(personal.perSecond) } : {}),
    }),
  );
  process.exit(met ? 0 : 1);
}

void main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
