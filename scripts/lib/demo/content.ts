import fs from "node:fs";
import path from "node:path";
import { Resvg } from "@resvg/resvg-js";

/** A demo essay: its Markdown file, and what the demo does with it once published. */
export interface DemoEssay {
  file: string;
  /** Replaced by the Markdown of an uploaded illustration. */
  illustrated?: boolean;
  /** A paragraph added in a second version. */
  revision?: string;
  /** Made a writing edition of this many copies at this price (ETH), collected by the demo's readers. */
  edition?: { supply: string; price: string; collectors: number };
}

export interface DemoWriterContent {
  bio: string;
  colour: string;
  essays: DemoEssay[];
  /** Whether the demo's readers subscribe to this writer by email (and receive the newsletter). */
  subscribed: boolean;
}

/** What each demo writer publishes, in order; keyed by handle (see DEV_WRITERS). */
export const DEMO_CONTENT: Record<string, DemoWriterContent> = {
  "ada-quill": {
    bio: "Essays on permanence, margins and the readers who write in them.",
    colour: "#7a3b2e",
    subscribed: true,
    essays: [
      {
        file: "ada-1-paper-burns.md",
        revision:
          "*Added in the second version:* a reader wrote to say her town's library kept a card index of margin notes. It survived the fire in a tin box. Permanence, it turns out, is mostly a matter of someone caring enough to copy.",
      },
      { file: "ada-2-slow-feeds.md" },
    ],
  },
  "basho-lane": {
    bio: "Short essays, long drafts. Editions of twenty-five.",
    colour: "#2e5e7a",
    subscribed: true,
    essays: [{ file: "basho-1-the-edition.md", edition: { supply: "25", price: "0.001", collectors: 3 } }, { file: "basho-2-notes-on-drafts.md" }],
  },
  "ines-moreau": {
    bio: "A drawn map of the same forty streets, every week.",
    colour: "#3d6b3a",
    subscribed: false,
    essays: [{ file: "ines-1-a-map.md", illustrated: true }],
  },
};

export function essayMarkdown(essay: DemoEssay): string {
  return fs.readFileSync(path.join(__dirname, "essays", essay.file), "utf8");
}

/** The essay's title: its first heading. */
export function essayTitle(markdown: string): string {
  return /^#\s+(.+)$/m.exec(markdown)![1]!.trim();
}

const png = (svg: string, width: number) => new Resvg(svg, { fitTo: { mode: "width", value: width }, font: { loadSystemFonts: false } }).render().asPng();

/** A round avatar in the writer's colour (no text: drawn without fonts). */
export function avatarPng(colour: string): Buffer {
  return png(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" fill="#f4efe6"/><circle cx="32" cy="32" r="26" fill="${colour}"/><path d="M18 40 Q32 18 46 40" stroke="#f4efe6" stroke-width="4" fill="none"/></svg>`,
    256,
  );
}

/** The illustration of the map essay: a river, two bridges and a square, drawn as lines. */
export function mapPng(): Buffer {
  return png(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 600 360">
      <rect width="600" height="360" fill="#f4efe6"/>
      <path d="M0 210 C120 170 200 260 320 220 S520 150 600 190 L600 240 C500 210 420 280 320 270 S120 230 0 260 Z" fill="#9cc3d5"/>
      <g stroke="#3d3a35" stroke-width="10"><line x1="150" y1="170" x2="170" y2="290"/><line x1="430" y1="160" x2="440" y2="290"/></g>
      <g stroke="#3d3a35" stroke-width="2" fill="none">
        <path d="M40 40 H560 M40 100 H560 M100 20 V190 M260 20 V200 M420 20 V170 M520 20 V180"/>
        <path d="M60 300 H560 M220 270 V350 M380 280 V350"/>
      </g>
      <rect x="280" y="50" width="110" height="70" fill="#d9a441" stroke="#3d3a35" stroke-width="3"/>
    </svg>`,
    1200,
  );
}
