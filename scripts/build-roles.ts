// Builds the web and worker roles' entry points (app/server/start-*.ts) into plain JavaScript in
// build/roles, so `npm run start:web`, `start:worker` and `npm start` run them on Node alone: the
// TypeScript loader tsx costs each role about 40 MB of memory it never needs once built. Packages
// stay in node_modules; only the press's own modules are bundled. Runs as part of `npm run build`.
import "../app/server/runtime";
import path from "node:path";
import { build } from "esbuild";

const ROOT = path.resolve(__dirname, "..");

async function main() {
  await build({
    entryPoints: ["web", "worker"].map((role) => path.join(ROOT, `app/server/start-${role}.ts`)),
    outdir: path.join(ROOT, "build/roles"),
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node24",
    packages: "external",
    alias: { "~": path.join(ROOT, "app") },
    logLevel: "warning",
  });
  console.log("roles: build/roles/start-web.js, build/roles/start-worker.js");
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
