import fs from "node:fs";
import path from "node:path";

let manifest: Record<string, string> | undefined;

/**
 * The URL of a hand-written page script (app/page-scripts/<name>.ts) in this build, fingerprinted
 * so browsers keep it for a year. The names come from build/page-scripts.json, which
 * `npm run build` writes beside the server build.
 */
export function pageScript(name: string): string {
  if (!manifest) {
    const candidates = [path.resolve(__dirname, "../page-scripts.json"), path.resolve(process.cwd(), "build/page-scripts.json")];
    const file = candidates.find((candidate) => fs.existsSync(candidate));
    if (!file) throw new Error("build/page-scripts.json is missing: run `npm run build`.");
    manifest = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, string>;
  }
  const url = manifest[name];
  if (!url) throw new Error(`No page script named ${name} in this build: run \`npm run build\`.`);
  return url;
}
