import { describe, expect, it } from "vitest";
import { decodePng, distinctColours, inkIn, pngHeader, PNG_SIGNATURE } from "../../../test/support/png";
import { LruCache } from "../lru";
import { cardKey, drawCardPng, renderCardPng } from "./card-image.server";

// Inside the card's frame (60 px from each edge): the title block above, the byline below it.
const TITLE_BAND = { x: 70, y: 70, width: 1060, height: 375 };
const BYLINE_BAND = { x: 70, y: 450, width: 1060, height: 110 };

describe("the share card as PNG", () => {
  it("is a 1200 by 630 PNG", async () => {
    const png = await renderCardPng("On Permanence", "Alice Archivist");
    expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(pngHeader(png)).toMatchObject({ width: 1200, height: 630 });
    // The ground and the frame are two colours; letters add ink and the shades of their smoothed edges.
    expect(distinctColours(decodePng(png))).toBeGreaterThan(10);
    expect(distinctColours(decodePng(await renderCardPng("", "")))).toBeLessThanOrEqual(4);
  });

  it("sets the title and the byline in the card's own font", async () => {
    const titled = decodePng(await renderCardPng("On Permanence", "Alice Archivist"));
    const untitled = decodePng(await renderCardPng("", "Alice Archivist"));
    // System fonts are never loaded, so any letter at all was drawn with the shipped font.
    expect(inkIn(titled, TITLE_BAND)).toBeGreaterThan(5_000);
    expect(inkIn(untitled, TITLE_BAND)).toBe(0);
    expect(inkIn(titled, BYLINE_BAND)).toBeGreaterThan(1_000);
    expect(inkIn(untitled, BYLINE_BAND)).toBeGreaterThan(1_000);
    expect((await renderCardPng("On Permanence", "Alice Archivist")).equals(await renderCardPng("", "Alice Archivist"))).toBe(false);
    expect((await renderCardPng("On Permanence", "Alice Archivist")).equals(await renderCardPng("On Permanance", "Alice Archivist"))).toBe(false);
    expect((await renderCardPng("On Permanence", "Alice Archivist")).equals(await renderCardPng("On Permanence", "Bob"))).toBe(false);
  });

  it("draws a card once per title and byline, and draws the same card every time", async () => {
    const first = renderCardPng("Kept in memory", "Alice Archivist");
    expect(renderCardPng("Kept in memory", "Alice Archivist")).toBe(first);
    expect((await drawCardPng("Kept in memory", "Alice Archivist")).equals(await first)).toBe(true);
    expect(cardKey("ab", "c")).not.toBe(cardKey("a", "bc"));
  });

  it("still draws the card when the title has letters the font lacks, or characters XML forbids", async () => {
    for (const title of ["永久の言葉 🎉 On Permanence", "👩🏽‍💻🚀✨", "Заметки о вечности", "نص عربي", "a\u0001b\uFFFE c\uD800"]) {
      const png = await renderCardPng(title, "書き手 ✍️");
      expect(pngHeader(png), title).toMatchObject({ width: 1200, height: 630 });
      expect(inkIn(decodePng(png), TITLE_BAND), title).toBeGreaterThan(0);
    }
  });
});

describe("the card cache", () => {
  it("keeps at most its bound, forgetting the card used least recently", () => {
    const cache = new LruCache<number>(3);
    for (const key of ["a", "b", "c"]) cache.set(key, key.charCodeAt(0));
    expect(cache.get("a")).toBe(97);
    cache.set("d", 100);
    expect(cache.size).toBe(3);
    expect(cache.get("b")).toBeUndefined();
    expect([cache.get("a"), cache.get("c"), cache.get("d")]).toEqual([97, 99, 100]);
    cache.set("a", 1);
    expect(cache.size).toBe(3);
    expect(cache.get("a")).toBe(1);
  });
});
