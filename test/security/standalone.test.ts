import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "../..");

/** Every tracked source file of the product, its scripts and its tests. */
function sources(): string[] {
  const listed = execFileSync("git", ["ls-files", "app", "scripts", "test"], { cwd: ROOT, encoding: "utf8" });
  return listed.split("\n").filter((file) => /\.(ts|tsx|js|mjs|cjs)$/.test(file));
}

describe("the repository stands alone", () => {
  it("reads no file from outside the repository", () => {
    // A relative path that climbs out of the checkout, or an absolute path into a neighbour's folder.
    const escaping = /["'`](?:\.\.\/){1,}shared\b|["'`]\/work\//;
    const offenders = sources().filter((file) => escaping.test(fs.readFileSync(path.join(ROOT, file), "utf8")));
    expect(offenders).toEqual([]);
  });

  it("keeps the Mirror fixtures its tests read", () => {
    const fixtures = fs.readdirSync(path.join(ROOT, "test/fixtures/mirror"));
    expect(fixtures.filter((name) => name.endsWith(".json"))).toHaveLength(8);
    expect(fixtures).toContain("README.md");
  });
});
