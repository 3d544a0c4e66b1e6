/**
 * Postinstall: check that each native module the press loads works under the Node that runs it
 * (the Node 24 from node_modules/.bin when run through npm), in a child process that also has to
 * exit cleanly: a module built for another Node can load and then abort at exit (better-sqlite3 12
 * did on Node 24). Both modules are Node-API addons, so one build serves every Node version:
 * better-sqlite3 13 ships its prebuilt binaries inside the npm package, and sqlite3 (the local
 * Arweave gateway's database) is compiled from source at install. A failure stops the install here,
 * with the reason, rather than at the first request.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import "../app/server/runtime";

const ROOT = path.resolve(__dirname, "..");

/** Each probe opens an in-memory database, reads from it and lets the process exit. */
const PROBES: Record<string, string> = {
  "better-sqlite3": `
    const db = new (require("better-sqlite3"))(":memory:");
    if (!db.prepare("select sqlite_version() as v").get().v) process.exit(3);`,
  sqlite3: `
    const db = new (require("sqlite3").Database)(":memory:");
    db.get("select sqlite_version() as v", (error, row) => { if (error || !row.v) process.exit(3); db.close(); });`,
};

export function probe(name: string, execPath = process.execPath): { ok: true } | { ok: false; reason: string } {
  const result = spawnSync(execPath, ["-e", PROBES[name]!], { cwd: ROOT, encoding: "utf8", timeout: 30_000 });
  if (result.status === 0) return { ok: true };
  const lines = `${result.stderr ?? ""}${result.stdout ?? ""}`.trim().split("\n").filter(Boolean);
  const line = lines.find((l) => /NODE_MODULE_VERSION|Assertion|Error/.test(l)) ?? lines[0] ?? "no output";
  return { ok: false, reason: `exit ${result.status ?? result.signal}: ${line.trim()}` };
}

if (require.main === module) {
  let failed = false;
  for (const name of Object.keys(PROBES)) {
    const result = probe(name);
    if (result.ok) console.log(`native    ${name} works under Node ${process.version}`);
    else {
      failed = true;
      console.error(`native    ${name} does not work under Node ${process.version} (${result.reason}); try \`npm rebuild ${name}\``);
    }
  }
  if (failed) process.exit(1);
}
