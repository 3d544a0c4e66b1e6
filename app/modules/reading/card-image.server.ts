import crypto from "node:crypto";
import path from "node:path";
import { renderAsync } from "@resvg/resvg-js";
import { CARD_FONT_FAMILY, CARD_SHAPES, type CardShape } from "~/modules/editions/cover.server";
import { LruCache } from "~/modules/lru";

/**
 * The share card as a PNG, for the networks that show no SVG (X, Facebook, LinkedIn, Farcaster).
 * It is the same drawing as the SVG card, rasterised by resvg with the card's own font files: no
 * system font is looked up, so a host with none draws the same picture as a laptop.
 * Decision record: docs/decisions/008-share-card-png.md.
 */

const FONT_PACKAGE = "@expo-google-fonts/source-serif-4";
/** The title is set in bold, the byline in regular. */
const FONT_FILES = ["700Bold/SourceSerif4_700Bold.ttf", "400Regular/SourceSerif4_400Regular.ttf"];

let fontFiles: string[] | undefined;
/** The font files' paths, found once; a missing file fails loudly here rather than drawing a card without text. */
function cardFontFiles(): string[] {
  fontFiles ??= FONT_FILES.map((file) => require.resolve(path.posix.join(FONT_PACKAGE, file)));
  return fontFiles;
}

/** Cards kept in memory: about 50 KB each, so some 10 MB at most. */
export const CARD_CACHE_ENTRIES = 200;
const cards = new LruCache<Promise<Buffer>>(CARD_CACHE_ENTRIES);

/** The card's identity: what it shows, the title and the byline. */
export const cardKey = (title: string, byline: string, shape: CardShape = "wide") =>
  crypto.createHash("sha256").update(shape).update("\u0000").update(title).update("\u0000").update(byline).digest("base64url");

/**
 * Draws the card (1200 by 630, or 1200 by 800 for the 3:2 shape) without looking in the cache. resvg draws on a worker thread, so
 * pages keep being served while a card is drawn (some 40 ms).
 */
export async function drawCardPng(title: string, byline: string, shape: CardShape = "wide"): Promise<Buffer> {
  const image = await renderAsync(CARD_SHAPES[shape](title, byline), {
    fitTo: { mode: "original" },
    font: { fontFiles: cardFontFiles(), loadSystemFonts: false, defaultFontFamily: CARD_FONT_FAMILY, serifFamily: CARD_FONT_FAMILY },
  });
  return image.asPng();
}

/**
 * The entry's share card as a PNG in one shape, drawn once per title, byline and shape while it stays in
 * the cache (readers asking at the same moment share one drawing). Characters the font lacks
 * (CJK, emoji) show as the font's empty box; the card is still drawn. The buffer is shared
 * between callers: send it, do not change it.
 */
export function renderCardPng(title: string, byline: string, shape: CardShape = "wide"): Promise<Buffer> {
  const key = cardKey(title, byline, shape);
  const cached = cards.get(key);
  if (cached) return cached;
  const png = drawCardPng(title, byline, shape);
  cards.set(key, png);
  // A failed drawing is not kept: the next request tries again.
  png.catch(() => cards.delete(key));
  return png;
}
