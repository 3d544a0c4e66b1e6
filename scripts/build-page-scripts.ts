// Builds the small hand-written scripts that reading pages load instead of the React client
// (app/page-scripts/*.ts): bundled, minified, fingerprinted into build/client/scripts (served
// under /build/ with a year's caching), and named in build/page-scripts.json for the server.
// Runs after `remix build` as part of `npm run build`.
import "../app/server/runtime";
import fs from "node:fs";
import path from "node:path";
import { build } from "esbuild";

const ROOT = path.resolve(__dirname, "..");
const SOURCES = path.join(ROOT, "app/page-scripts");
const OUT = path.join(ROOT, "build/client/scripts");

async function main() {
  const entries = fs.readdirSync(SOURCES).filter((file) => file.endsWith(".ts") && !file.endsWith(".test.ts"));
  fs.rmSync(OUT, { recursive: true, force: true });
  const result = await build({
    entryPoints: entries.map((file) => path.join(SOURCES, file)),
    outdir: OUT,
    entryNames: "[name]-[hash]",
    bundle: true,
    minify: true,
    format: "esm",
    target: ["es2020"],
    platform: "browser",
    metafile: true,
    logLevel: "warning",
  });
  const manifest: Record<string, string> = {};
  for (const [output, meta] of Object.entries(result.metafile.outputs)) {
    if (!meta.entryPoint) continue;
    const name = path.basename(meta.entryPoint, ".ts");
    manifest[name] = `/build/scripts/${path.basename(output)}`;
    console.log(`page script ${name}: ${manifest[name]} (${fs.statSync(path.join(ROOT, output)).size} bytes)`);
  }
  fs.writeFileSync(path.join(ROOT, "build/page-scripts.json"), `${JSON.stringify(manifest, null, 2)}\n`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
