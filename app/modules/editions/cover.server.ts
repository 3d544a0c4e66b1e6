// escapeXml drops what XML cannot carry: a title holding a control character would break the whole image.
import { escapeXml } from "~/modules/text.server";

/** Splits a title into at most `maxLines` lines of about `width` characters, ending with … if cut. */
export function wrapTitle(title: string, width = 26, maxLines = 4): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of title.split(/\s+/).filter(Boolean)) {
    const next = line ? `${line} ${word}` : word;
    if (next.length > width && line) {
      lines.push(line);
      line = word;
    } else line = next;
  }
  if (line) lines.push(line);
  if (lines.length <= maxLines) return lines;
  const kept = lines.slice(0, maxLines);
  kept[maxLines - 1] = `${kept[maxLines - 1]!.replace(/[\s.,;:]+$/, "")}…`;
  return kept;
}

/** A hue fixed by the text, so every essay's cover has its own colour. */
function hueOf(text: string): number {
  let hash = 0;
  for (const char of text) hash = (hash * 31 + char.codePointAt(0)!) >>> 0;
  return hash % 360;
}

/**
 * The face the share card asks for first. Its files ship with the platform (see card-image.server.ts),
 * so the PNG card looks the same on every host; a reader opening the SVG without it installed gets
 * the next font in the stack.
 */
export const CARD_FONT_FAMILY = "Source Serif 4";

const EDITION_FONTS = "Georgia, 'Times New Roman', serif";
const CARD_FONTS = `'${CARD_FONT_FAMILY}', ${EDITION_FONTS}`;

/**
 * The essay's title and byline set on a coloured ground, as an SVG document we write ourselves
 * (every text escaped), `width` by `height`.
 */
function titleCard(title: string, byline: string, width: number, height: number, maxLines: number, fonts: string): string {
  const hue = hueOf(title);
  const lines = wrapTitle(title, 26, maxLines);
  const top = height / 2 - ((lines.length - 1) * 96) / 2;
  const text = lines
    .map((line, i) => `<text x="100" y="${top + i * 96}" font-size="80" font-weight="700">${escapeXml(line)}</text>`)
    .join("");
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><rect width="${width}" height="${height}" fill="hsl(${hue},45%,92%)"/><rect x="60" y="60" width="${width - 120}" height="${height - 120}" fill="none" stroke="hsl(${hue},40%,30%)" stroke-width="4"/><g font-family="${fonts}" fill="hsl(${hue},45%,18%)">${text}<text x="100" y="${height - 140}" font-size="40">${escapeXml(byline)}</text></g></svg>`;
}

/** The cover of an edition, 1200 by 1200. */
export const editionCover = (title: string, byline: string) => titleCard(title, byline, 1200, 1200, 4, EDITION_FONTS);

/** The card shown where an entry's link is shared (Open Graph, Twitter), 1200 by 630. */
export const socialCard = (title: string, byline: string) => titleCard(title, byline, 1200, 630, 3, CARD_FONTS);

/** The card of a Farcaster mini-app embed, which clients show at 3:2: 1200 by 800. */
export const miniappCard = (title: string, byline: string) => titleCard(title, byline, 1200, 800, 4, CARD_FONTS);

/** The shapes a share card comes in, by where it is shown. */
export const CARD_SHAPES = { wide: socialCard, "3x2": miniappCard } as const;
export type CardShape = keyof typeof CARD_SHAPES;
