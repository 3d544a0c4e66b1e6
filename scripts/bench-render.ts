// Reader-side cost of an essay: how many 2,000-word documents renderDocument turns into HTML per
// second on one core, and how much JavaScript (gzipped) the editor and reading pages ship. Run
// with `npx tsx scripts/bench-render.ts` after `npx remix build`. Prints a table, then (last line)
// one JSON object for CI to parse.
import "../app/server/runtime";
import fs from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import zlib from "node:zlib";
import type { JSONContent } from "@tiptap/core";
import { type TiptapDocument, documentStats, parseDocument, renderDocument } from "../app/modules/entries/document.server";

const ROOT = path.resolve(__dirname, "..");
const TARGET_WORDS = 2000;
const TARGET_DOCS_PER_SECOND = 1000;
const WARM_UP_MS = 1000;
const MEASURE_MS = 3000;
const GATEWAY = "https://arweave.net";
const PAGES = { editor: "routes/drafts.$id", reader: "routes/$handle.$slug" } as const;

const VOCABULARY = (
  "the of and to a in that is was it for on as with by at from this be are or an not but have which one all their there been has more " +
  "when can who about would some into them than its only other time people could these two may first then do any like my now over " +
  "such our man me even most made after also did many before must through back years where much your way well down should because " +
  "archive permanence writer reader essay memory library paper ink network protocol gateway signature ledger collector edition " +
  "slow web attention craft draft revision margin footnote argument evidence history future software decade platform audience"
).split(" ");

/** A deterministic essay shaped like real ones: sections, marked-up prose, lists, a quote, code and a figure. */
function essay(): TiptapDocument {
  let seed = 42;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const words = (count: number) => Array.from({ length: count }, () => pick(VOCABULARY)).join(" ");
  const sentence = () => {
    const text = words(8 + Math.floor(random() * 14));
    return `${text[0]!.toUpperCase()}${text.slice(1)}. `;
  };
  const paragraph = (): JSONContent => {
    const content: JSONContent[] = [];
    for (let i = 0; i < 4 + Math.floor(random() * 3); i++) {
      const roll = random();
      if (roll < 0.15) content.push({ type: "text", text: words(2), marks: [{ type: "bold" }] }, { type: "text", text: ` ${sentence()}` });
      else if (roll < 0.3) content.push({ type: "text", text: words(3), marks: [{ type: "italic" }] }, { type: "text", text: ` ${sentence()}` });
      else if (roll < 0.4)
        content.push({ type: "text", text: words(2), marks: [{ type: "link", attrs: { href: `https://example.com/${pick(VOCABULARY)}` } }] }, { type: "text", text: ` ${sentence()}` });
      else if (roll < 0.45) content.push({ type: "text", text: `${pick(VOCABULARY)}()`, marks: [{ type: "code" }] }, { type: "text", text: ` ${sentence()}` });
      else content.push({ type: "text", text: sentence() });
    }
    return { type: "paragraph", content };
  };
  const item = (): JSONContent => ({ type: "listItem", content: [{ type: "paragraph", content: [{ type: "text", text: sentence().trim() }] }] });
  const specials: JSONContent[] = [
    { type: "bulletList", content: [item(), item(), item(), item()] },
    { type: "blockquote", content: [{ type: "paragraph", content: [{ type: "text", text: `${sentence()}${sentence()}` }] }] },
    { type: "codeBlock", attrs: { language: "ts" }, content: [{ type: "text", text: 'export function render(doc: Doc): string {\n  return serializer.serialize(doc, { gateway: "ar://" });\n}' }] },
    { type: "image", attrs: { src: "ar://abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ", alt: "A harbour at dawn", title: null } },
    { type: "orderedList", attrs: { start: 1 }, content: [item(), item(), item()] },
  ];

  const content: JSONContent[] = [];
  let section = 0;
  while (documentStats({ type: "doc", content }).words < TARGET_WORDS) {
    if (content.length % 6 === 0) content.push({ type: "heading", attrs: { level: section % 3 === 2 ? 3 : 2 }, content: [{ type: "text", text: sentence().trim() }] });
    content.push(paragraph());
    if (content.length % 4 === 0 && specials[section]) content.push(specials[section++]!);
  }
  return parseDocument({ type: "doc", content: [...content, ...specials.slice(section)] });
}

function measure(doc: TiptapDocument) {
  const run = (ms: number) => {
    let count = 0;
    const start = performance.now();
    let elapsed = 0;
    while (elapsed < ms) {
      for (let i = 0; i < 50; i++) renderDocument(doc, { gatewayUrl: GATEWAY });
      count += 50;
      elapsed = performance.now() - start;
    }
    return { count, seconds: elapsed / 1000 };
  };
  run(WARM_UP_MS);
  const { count, seconds } = run(MEASURE_MS);
  return { docsPerSecond: Math.round(count / seconds), msPerDoc: (seconds * 1000) / count };
}

type Manifest = {
  entry: { module: string; imports?: string[] };
  routes: Record<string, { id: string; parentId?: string; module: string; imports?: string[] }>;
};

/** The newest client manifest of the Remix build, or undefined when there is no build. */
function readManifest(): { manifest: Manifest; file: string } | undefined {
  const config = require(path.join(ROOT, "remix.config.js")) as { assetsBuildDirectory: string };
  const directory = path.join(ROOT, config.assetsBuildDirectory);
  if (!fs.existsSync(directory)) return undefined;
  const newest = fs
    .readdirSync(directory)
    .filter((name) => /^manifest-[A-Z0-9]+\.js$/i.test(name))
    .map((name) => path.join(directory, name))
    .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)[0];
  if (!newest) return undefined;
  const source = fs.readFileSync(newest, "utf8").trim();
  const json = source.replace(/^window\.__remixManifest\s*=\s*/, "").replace(/;$/, "");
  return { manifest: JSON.parse(json) as Manifest, file: newest };
}

/** Gzipped bytes of every script a first visit to the route loads: entry, then each route from root down. */
function pageJsGzipBytes(manifest: Manifest, routeId: string): number | null {
  if (!manifest.routes[routeId]) return null;
  const config = require(path.join(ROOT, "remix.config.js")) as { assetsBuildDirectory: string; publicPath: string };
  const urls = new Set<string>([manifest.entry.module, ...(manifest.entry.imports ?? [])]);
  for (let route: Manifest["routes"][string] | undefined = manifest.routes[routeId]; route; route = route.parentId ? manifest.routes[route.parentId] : undefined) {
    urls.add(route.module);
    for (const url of route.imports ?? []) urls.add(url);
  }
  let total = 0;
  for (const url of urls) {
    const file = path.join(ROOT, config.assetsBuildDirectory, url.slice(config.publicPath.length));
    total += zlib.gzipSync(fs.readFileSync(file), { level: 9 }).length;
  }
  return total;
}

function main() {
  const doc = essay();
  const { words } = documentStats(doc);
  const html = renderDocument(doc, { gatewayUrl: GATEWAY });
  const { docsPerSecond, msPerDoc } = measure(doc);

  const build = readManifest();
  const editorJsGzipBytes = build ? pageJsGzipBytes(build.manifest, PAGES.editor) : null;
  const readerJsGzipBytes = build ? pageJsGzipBytes(build.manifest, PAGES.reader) : null;
  const kb = (bytes: number | null) => (bytes === null ? "n/a" : `${(bytes / 1024).toFixed(1)} kB`);

  const rows: Array<[string, string]> = [
    ["essay", `${words.toLocaleString("en")} words, ${doc.content!.length} blocks, ${(JSON.stringify(doc).length / 1024).toFixed(1)} kB JSON -> ${(html.length / 1024).toFixed(1)} kB HTML`],
    [
      "renderDocument",
      `${docsPerSecond.toLocaleString("en")} docs/s (${msPerDoc.toFixed(3)} ms/doc, one core; target >= ${TARGET_DOCS_PER_SECOND.toLocaleString("en")}) ${
        docsPerSecond >= TARGET_DOCS_PER_SECOND ? "OK" : "BELOW TARGET"
      }`,
    ],
    [`editor page JS (${PAGES.editor})`, `${kb(editorJsGzipBytes)} gzip -9`],
    [`reading page JS (${PAGES.reader})`, `${kb(readerJsGzipBytes)} gzip -9`],
    ["build", build ? path.relative(ROOT, build.file) : "none: run `npx remix build` first"],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  for (const [name, value] of rows) console.log(`${name.padEnd(width)}  ${value}`);
  console.log(JSON.stringify({ docsPerSecond, editorJsGzipBytes, readerJsGzipBytes }));
}

main();
