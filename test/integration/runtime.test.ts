import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { unsupportedNode } from "../../app/server/runtime";
import { probe } from "../../scripts/native";

const ROOT = path.resolve(__dirname, "../..");
const PINNED = JSON.parse(fs.readFileSync(path.join(ROOT, `node_modules/node-linux-${process.arch}/package.json`), "utf8")).version as string;

/** PATH without the project's node_modules/.bin: what a shell on the machine has. */
function systemPath(): string {
  return (process.env.PATH ?? "").split(path.delimiter).filter((dir) => !dir.includes("node_modules")).join(path.delimiter);
}

describe("the Node the press runs on", () => {
  it("is the Node 24 that npm install put in node_modules/.bin, for every npm script, whatever Node runs npm", () => {
    expect(PINNED).toMatch(/^24\./);
    const declared = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
    expect(declared.optionalDependencies[`node-linux-${process.arch}`]).toBe(PINNED);
    expect(declared.engines.node).toBe("^24.0.0");

    // `npm run env` prints the environment every script gets; the first `node` on its PATH runs the script.
    const env = execFileSync("npm", ["run", "-s", "env"], { cwd: ROOT, encoding: "utf8", env: { ...process.env, PATH: systemPath() } });
    const scriptPath = /^PATH=(.*)$/m.exec(env)![1]!;
    const node = scriptPath
      .split(path.delimiter)
      .map((dir) => path.join(dir, "node"))
      .find((file) => fs.existsSync(file))!;
    expect(path.relative(ROOT, node)).toBe(path.join("node_modules", ".bin", "node"));
    expect(execFileSync(node, ["--version"], { encoding: "utf8" }).trim()).toBe(`v${PINNED}`);
    expect(process.version).toBe(`v${PINNED}`);
  });

  it("refuses an older Node with a message that says how to run the press", () => {
    expect(unsupportedNode("v24.21.0")).toBeUndefined();
    expect(unsupportedNode("v26.1.0")).toBeUndefined();
    for (const old of ["v20.20.2", "v22.12.0", "v18.0.0"]) {
      const message = unsupportedNode(old)!;
      expect(message).toContain(`this is Node.js ${old}`);
      expect(message).toContain("npm start");
      expect(message).toContain("node_modules/.bin");
    }
  });

  it("stops a script started directly under an older Node before it loads anything", () => {
    // A stand-in for an old system Node: the pinned Node reporting another version to the guard.
    const result = spawnSync(
      process.execPath,
      ["--import", "tsx", "-e", `Object.defineProperty(process, "version", { value: "v20.20.2" }); require("./scripts/verify.ts");`],
      { cwd: ROOT, encoding: "utf8" },
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("Permanent Press runs on Node.js 24 or newer; this is Node.js v20.20.2.");
    expect(result.stdout).toBe("");
  });

  it("has native SQLite modules that open a database and exit cleanly under it", () => {
    expect(probe("better-sqlite3")).toEqual({ ok: true });
    expect(probe("sqlite3")).toEqual({ ok: true });
  });
});
