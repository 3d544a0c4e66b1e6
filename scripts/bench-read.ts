// Reading under load: the platform as `npm start` runs it (scripts/start.ts; its web role serves) on free
// ports with a scratch data folder, one published 2,000-word essay, then 20 concurrent
// connections from autocannon for 15 s on the entry page (anonymous, from the page cache; then
// signed in, the kept page with the reader's own account links drawn in), on a feed, and on a bare node:http server
// sending the entry page's bytes (the machine's limit, in the same run). Reports requests per
// second, p50/p99 latency, the web role's peak RSS, and the bytes a reader downloads (gzip).
// Loopback only; stops everything it started. `npm run bench:read` (needs `npm run build`).
// Prints a table, then (last line) one JSON object.
import "../app/server/runtime";
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import autocannon from "autocannon";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { createDatabase } from "../app/db.server";
import { parseEnv } from "../app/env.server";
import { essayDocument, publishEntry } from "../test/support/entries";
import { launchPlatform } from "../test/support/launch";
import { commandLine } from "../test/support/processes";
import { signedInBrowser } from "../test/support/web";
import { freeLocalPorts, freePort } from "./local/service";
import { withProgress } from "./lib/progress";

const CONNECTIONS = 20;
const SECONDS = 15;
const TARGETS = { entryRps: 2000, entryP99Ms: 250, feedRps: 200, entryJsGzipBytes: 40 * 1024, entryToStaticRatio: 0.25, entryRenderedRps: 1000, webPeakRssMb: 200 };
const ROOT = path.resolve(__dirname, "..");

/**
 * `CONNECTIONS` connections requesting `url` back to back for `seconds`, driven by autocannon (an
 * HTTP/1.1 load generator far lighter than the server it measures); every answer must be 200.
 */
async function load(url: string, seconds: number, headers: Record<string, string> = {}) {
  const options = { url, connections: CONNECTIONS, duration: seconds, headers: { "accept-encoding": "identity", ...headers } };
  const result = await withProgress(
    `requests to ${new URL(url).pathname}`,
    (onProgress) =>
      new Promise<autocannon.Result>((resolve, reject) => {
        // autocannon ticks each second with the requests completed since the last tick (its types leave the argument out).
        let done = 0;
        const run = autocannon(options, (error, finished) => (error ? reject(error) : resolve(finished)));
        run.on("tick", (tick?: { counter: number }) => onProgress((done += tick?.counter ?? 0)));
      }),
  );
  const requests = result.requests.total;
  const failures = result.non2xx + result.errors + result.timeouts;
  return { rps: Math.round(requests / seconds), p50: result.latency.p50, p99: result.latency.p99, requests, failures };
}

/**
 * The ceiling this machine puts on any Node web server: a bare `node:http` server, in a process of
 * its own like the press's web role, answering every request with the bytes and headers the press
 * sent for the entry page. Measured in the same run, with the same load, for the ratio.
 */
async function staticLimit(sample: { status: number; headers: Array<[string, string]>; body: Buffer }, seconds: number) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-static-"));
  fs.writeFileSync(path.join(dir, "body"), sample.body);
  fs.writeFileSync(path.join(dir, "headers.json"), JSON.stringify(sample.headers));
  const port = await freePort();
  const code = `
    const fs = require("node:fs"), http = require("node:http");
    const body = fs.readFileSync(${JSON.stringify(path.join(dir, "body"))});
    const headers = JSON.parse(fs.readFileSync(${JSON.stringify(path.join(dir, "headers.json"))}, "utf8"));
    http.createServer((req, res) => { res.writeHead(${sample.status}, headers); res.end(body); })
      .listen(${port}, "127.0.0.1", () => console.log("listening"));`;
  const child = spawn(process.execPath, ["-e", code], { stdio: ["ignore", "pipe", "inherit"] });
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout!.once("data", () => resolve());
      child.once("exit", (exitCode) => reject(new Error(`the static server exited with ${exitCode}`)));
    });
    await load(`http://127.0.0.1:${port}/`, 2);
    return await load(`http://127.0.0.1:${port}/`, seconds);
  } finally {
    child.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Every process started under `pid`, found through /proc. */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
    } catch {
      // The process ended while we looked.
    }
  }
  const found: number[] = [];
  const walk = (p: number) => (children.get(p) ?? []).forEach((c) => (found.push(c), walk(c)));
  walk(pid);
  return found;
}

/** The first process under `launcherPid` whose command line (a role renames itself) is `name`. */
function processNamed(launcherPid: number, name: string): number {
  const found = descendants(launcherPid).find((pid) => commandLine(pid) === name);
  if (!found) throw new Error(`no ${name} process under ${launcherPid}`);
  return found;
}

/** CPU time (user + system) the process has used so far, in ms. */
function cpuMs(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks of 1/100 s
}

/** Resident memory now (VmRSS) and at its peak (VmHWM) of one process, in MB. */
function memoryMb(pid: number): { rss: number; peak: number } {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
    return { rss: Math.round(kb("VmRSS") / 1024), peak: Math.round(kb("VmHWM") / 1024) };
  } catch {
    return { rss: 0, peak: 0 };
  }
}

/** Peak resident memory of every Node process `npm start` runs (supervisor, web, worker, stand-ins, chain), in MB. */
function platformPeakMb(launcherPid: number): number {
  return [launcherPid, ...descendants(launcherPid)].reduce((sum, pid) => sum + memoryMb(pid).peak, 0);
}

/** The page's HTML, and the JavaScript it makes the browser load (scripts, module preloads, inline), gzip-compressed. */
async function pageBytes(url: string) {
  const html = await (await fetch(url)).text();
  const sources = [...html.matchAll(/<script[^>]*\bsrc="([^"]+)"|<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g)].map((m) => m[1] ?? m[2]!);
  // schema.org data (application/ld+json) is not code: browsers do not run it.
  const inline = [...html.matchAll(/<script(?![^>]*\bsrc=)(?![^>]*application\/ld\+json)[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]!).join("");
  const external = await Promise.all([...new Set(sources)].map(async (src) => (await fetch(new URL(src, url))).text()));
  const gzip = (text: string) => (text ? zlib.gzipSync(text).length : 0);
  return { htmlGzip: gzip(html), jsGzip: external.reduce((sum, js) => sum + gzip(js), gzip(inline)), scripts: sources.length };
}

/**
 * The platform on free ports. A port found free can be taken by another program before the
 * platform binds it (other benchmarks and tests run on this machine too): then try new ones.
 */
async function launch(dataDir: string) {
  for (let attempt = 1; ; attempt++) {
    const { ports, settings } = await freeLocalPorts();
    const all = { ...settings, NODE_ENV: "production", HOST: "127.0.0.1", DATA_DIR: dataDir, DATABASE_URL: `file:${path.join(dataDir, "platform.db")}` };
    const platform = launchPlatform(all);
    try {
      await platform.ready(120_000);
      return { platform, ports, all };
    } catch (error) {
      platform.child.kill("SIGKILL");
      await platform.exited;
      if (attempt === 3 || !/is in use/.test(platform.output())) throw error;
    }
  }
}

async function main() {
  if (!fs.existsSync(path.join(ROOT, "build/server/index.js"))) throw new Error("No build: run `npx remix build` (or `npm run build`) first.");
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-read-"));
  const { platform, ports, all } = await launch(dataDir);
  const db = createDatabase(all.DATABASE_URL);
  try {
    const env = parseEnv(all);
    const base = `http://127.0.0.1:${ports.web}`;
    const account = privateKeyToAccount(generatePrivateKey());
    const handle = "bench-reader";
    await db.writer.create({ data: { address: account.address.toLowerCase(), handle, displayName: "Bench Writer" } });
    const essay = await publishEntry(db, env, account, { title: "On reading under load", document: essayDocument({ words: 2000, seed: 1 }) });
    const entryUrl = `${base}/${handle}/${essay.slug}`;
    const feedUrl = `${base}/${handle}/rss.xml`;
    const page = await pageBytes(entryUrl);

    // A second essay made collectible (a lazily signed edition row), to see what its page costs.
    const collectible = await publishEntry(db, env, account, { title: "On collecting", document: essayDocument({ words: 2000, seed: 2 }) });
    await db.edition.create({
      data: {
        entryId: (await db.entry.findFirstOrThrow({ where: { slug: collectible.slug, writer: { handle } } })).id,
        chainId: env.chain.id,
        address: account.address.toLowerCase(),
        factory: account.address.toLowerCase(),
        author: account.address.toLowerCase(),
        name: "On collecting",
        symbol: "PRESS",
        price: "0",
        supplyLimit: 0,
        royaltyBps: 0,
        feeBps: 0,
        fundingRecipient: account.address.toLowerCase(),
        contentId: collectible.arweaveId,
        metadataId: collectible.arweaveId,
        salt: `0x${"0".repeat(64)}`,
        status: "signed",
      },
    });
    const collectiblePage = await pageBytes(`${base}/${handle}/${collectible.slug}`);

    const pid = platform.child.pid!;
    // The web role serves every request; the worker, the stand-ins and the chain are other processes.
    const server = processNamed(pid, "press-web");
    const idle = memoryMb(server);
    await load(entryUrl, 2); // warm up the code paths and the connection pool
    let cpuStart = cpuMs(server);
    const entry = await load(entryUrl, SECONDS);
    const entryCpuMs = (cpuMs(server) - cpuStart) / entry.requests;
    const afterEntry = memoryMb(server);
    // The same page for a signed-in reader (signed in with Sign-In with Ethereum, as a browser
    // does): the kept page with their own account links drawn in, side by side in this run.
    const signedIn = await signedInBrowser(base, privateKeyToAccount(generatePrivateKey()));
    const cookie = `press_session=${signedIn.cookie("press_session")}`;
    const personal = await fetch(entryUrl, { headers: { cookie } });
    if (!/Sign out/.test(await personal.text())) throw new Error("the signed-in reader's page does not show them signed in");
    cpuStart = cpuMs(server);
    const rendered = await load(entryUrl, SECONDS, { cookie });
    const renderedCpuMs = (cpuMs(server) - cpuStart) / rendered.requests;
    const afterRendered = memoryMb(server);
    cpuStart = cpuMs(server);
    const feed = await load(feedUrl, SECONDS);
    const feedCpuMs = (cpuMs(server) - cpuStart) / feed.requests;
    const memory = memoryMb(server);
    // The same entry page's bytes and headers, served by a bare node:http server, under the same load.
    const sampled = await fetch(entryUrl, { headers: { "accept-encoding": "identity" } });
    const sample = {
      status: sampled.status,
      headers: [...sampled.headers].filter(([name]) => !["content-length", "transfer-encoding", "connection", "keep-alive", "date"].includes(name)),
      body: Buffer.from(await sampled.arrayBuffer()),
    };
    const limit = await staticLimit(sample, SECONDS);
    const platformPeak = platformPeakMb(pid);
    const result = {
      entryRps: entry.rps,
      staticLimitRps: limit.rps,
      entryToStaticRatio: Number((entry.rps / limit.rps).toFixed(2)),
      entryP50Ms: Number(entry.p50.toFixed(1)),
      entryP99Ms: Number(entry.p99.toFixed(1)),
      entryRenderedRps: rendered.rps,
      entryRenderedP99Ms: Number(rendered.p99.toFixed(1)),
      entryRenderedServerCpuMs: Number(renderedCpuMs.toFixed(2)),
      feedRps: feed.rps,
      feedP99Ms: Number(feed.p99.toFixed(1)),
      entryServerCpuMs: Number(entryCpuMs.toFixed(2)),
      feedServerCpuMs: Number(feedCpuMs.toFixed(2)),
      webPeakRssMb: memory.peak,
      peakRssMb: platformPeak,
      entryHtmlGzipBytes: page.htmlGzip,
      entryJsGzipBytes: page.jsGzip,
      collectibleEntryJsGzipBytes: collectiblePage.jsGzip,
    };
    if (entry.failures || feed.failures || rendered.failures || limit.failures) {
      throw new Error(`non-200 answers or errors: entry ${entry.failures}, rendered entry ${rendered.failures}, feed ${feed.failures}, static ${limit.failures}`);
    }
    const verdict = (ok: boolean) => (ok ? "OK" : "MISSES TARGET");
    const rows: Array<[string, string]> = [
      ["essay", `2,000 words, ${connectionsText()}`],
      ["entry page", `${result.entryRps} req/s (target >= ${TARGETS.entryRps}) ${verdict(result.entryRps >= TARGETS.entryRps)}; ${entry.requests} requests`],
      ["  latency", `p50 ${result.entryP50Ms} ms, p99 ${result.entryP99Ms} ms (target <= ${TARGETS.entryP99Ms}) ${verdict(result.entryP99Ms <= TARGETS.entryP99Ms)}`],
      ["  server CPU", `${entryCpuMs.toFixed(2)} ms a request (${Math.round(1000 / entryCpuMs)} req/s per core if the server had it alone; ${os.cpus().length} cores shared with the load generator)`],
      ["static limit", `${result.staticLimitRps} req/s: a bare node:http server sending the entry page's bytes, same load, same run`],
      ["  entry / static", `${result.entryToStaticRatio} (target >= ${TARGETS.entryToStaticRatio}) ${verdict(result.entryToStaticRatio >= TARGETS.entryToStaticRatio)}`],
      ["entry page, rendered", `${result.entryRenderedRps} req/s (target >= ${TARGETS.entryRenderedRps}) ${verdict(result.entryRenderedRps >= TARGETS.entryRenderedRps)}, p99 ${result.entryRenderedP99Ms} ms, ${renderedCpuMs.toFixed(2)} ms server CPU a request: for a signed-in reader: the kept page with their account links drawn in, never stored by a cache in front; anonymous readers get ${(result.entryRps / Math.max(1, result.entryRenderedRps)).toFixed(1)}x as many`],
      ["feed (RSS)", `${result.feedRps} req/s (target >= ${TARGETS.feedRps}) ${verdict(result.feedRps >= TARGETS.feedRps)}; p50 ${feed.p50} ms, p99 ${result.feedP99Ms} ms`],
      ["  server CPU", `${feedCpuMs.toFixed(2)} ms a request`],
      ["web peak RSS", `${result.webPeakRssMb} MB (target <= ${TARGETS.webPeakRssMb}) ${verdict(result.webPeakRssMb <= TARGETS.webPeakRssMb)}: VmHWM of the web role's process, which served every request`],
      ["  RSS over the run", `${idle.rss} MB idle, ${afterEntry.rss} MB after the entry load, ${afterRendered.rss} MB after the signed-in load, ${memory.rss} MB after the feed load`],
      ["platform peak RSS", `${result.peakRssMb} MB (sum of VmHWM over npm start's processes: supervisor, web, worker, stand-ins, chain)`],
      ["entry HTML", `${result.entryHtmlGzipBytes} bytes gzip`],
      ["entry JS", `${result.entryJsGzipBytes} bytes gzip in ${page.scripts} scripts (target <= ${TARGETS.entryJsGzipBytes}) ${verdict(result.entryJsGzipBytes <= TARGETS.entryJsGzipBytes)}`],
      ["collectible entry JS", `${result.collectibleEntryJsGzipBytes} bytes gzip in ${collectiblePage.scripts} scripts (the edition script, loaded for Collect)`],
    ];
    const width = Math.max(...rows.map(([name]) => name.length));
    for (const [name, value] of rows) console.log(`${name.padEnd(width)}  ${value}`);
    console.log(JSON.stringify(result));
  } finally {
    await db.$disconnect();
    platform.child.kill("SIGINT");
    await Promise.race([platform.exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
    if (platform.child.exitCode === null) platform.child.kill("SIGKILL");
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

const connectionsText = () => `${CONNECTIONS} connections for ${SECONDS} s each, loopback, load from autocannon`;

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
