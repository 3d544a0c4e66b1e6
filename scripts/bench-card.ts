// What a PNG share card costs: the first card a fresh process draws (loading the renderer and
// reading the font files), then each card drawn afterwards, then a card served from the cache.
// Run with `npm run bench:card`. Prints a table, then (last line) one JSON object.
import "../app/server/runtime";
import { performance } from "node:perf_hooks";
import { withProgress } from "./lib/progress";

const DRAWN = 50;
const CACHED = 10_000;

async function main() {
  const started = performance.now();
  const { drawCardPng, renderCardPng } = await import("../app/modules/reading/card-image.server");
  const loaded = performance.now();
  const first = await renderCardPng("On Permanence, and What Stays Where It Is Put", "Alice Archivist");
  const coldMs = performance.now() - started;
  const firstDrawMs = performance.now() - loaded;

  const drawStarted = performance.now();
  let bytes = 0;
  await withProgress("cards drawn", async (onProgress) => {
    for (let i = 0; i < DRAWN; i++) {
      bytes += (await drawCardPng(`Essay number ${i}: notes on ledgers, libraries and time`, "Bob")).length;
      onProgress(i + 1, DRAWN);
    }
  });
  const drawMs = (performance.now() - drawStarted) / DRAWN;

  const cacheStarted = performance.now();
  for (let i = 0; i < CACHED; i++) await renderCardPng("On Permanence, and What Stays Where It Is Put", "Alice Archivist");
  const cachedMs = (performance.now() - cacheStarted) / CACHED;

  const result = { coldMs: round(coldMs), firstDrawMs: round(firstDrawMs), drawMs: round(drawMs), cachedMs: round(cachedMs, 4), averageBytes: Math.round(bytes / DRAWN), firstBytes: first.length };
  console.log("first card, fresh process (load + draw)  %s ms", result.coldMs);
  console.log("  of which drawing                        %s ms", result.firstDrawMs);
  console.log(`each further card drawn (mean of ${DRAWN})     %s ms`, result.drawMs);
  console.log(`card from the cache (mean of ${CACHED})    %s ms`, result.cachedMs);
  console.log("PNG size                                  %s bytes", result.averageBytes);
  console.log(JSON.stringify(result));
}

const round = (ms: number, digits = 1) => Number(ms.toFixed(digits));

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
