import { describe, expect, it } from "vitest";
import { HOSTILE_BUT_PUBLISHABLE_TEXT, UNPUBLISHABLE_TEXT } from "./entries/hostile-corpus";
import { decodeUtf8, escapeXml, unpublishableProblem } from "./text.server";

describe("publishable text", () => {
  it.each(UNPUBLISHABLE_TEXT)("refuses $name, naming it and where it is", ({ text, codePoint, kind }) => {
    expect(unpublishableProblem(text, "The title")).toBe(`The title contains ${codePoint}, ${kind}, after “Before”. Feeds, pages and mail cannot carry it: remove it and try again.`);
  });

  it.each(HOSTILE_BUT_PUBLISHABLE_TEXT)("accepts $name", ({ text }) => {
    expect(unpublishableProblem(text, "The title")).toBeUndefined();
  });

  it("shows only the 24 characters before the character, and says when it is the first", () => {
    expect(unpublishableProblem(`${"word ".repeat(20)}\u0007`, "The bio")).toMatch(/^The bio contains U\+0007, a control character, after “…ord word word word word ”\./);
    expect(unpublishableProblem("\u0000", "The message")).toMatch(/^The message contains U\+0000, a control character, at its start\./);
  });
});

describe("text written into XML", () => {
  it("escapes markup and drops what XML 1.0 cannot carry, keeping every character it can", () => {
    expect(escapeXml(`a\u0000b\u0001c\u001Fd\uFFFEe\uFFFFf\ud800g<&>"'`)).toBe("abcdefg&lt;&amp;&gt;&quot;&apos;");
    expect(escapeXml("tab\tnew\nline\r 🦊 \u0085 \uFDD0 \u{10FFFD} ]]>")).toBe("tab\tnew\nline\r 🦊 \u0085 \uFDD0 \u{10FFFD} ]]&gt;");
  });
});

describe("bodies that are not UTF-8", () => {
  it("decodes UTF-8, keeping a byte order mark for the caller to judge", () => {
    expect(decodeUtf8(Buffer.from("\uFEFFcafé 🦊"), "That file")).toBe("\uFEFFcafé 🦊");
  });

  it.each([
    { name: "Latin-1", bytes: Buffer.from("line one\ncaf\xe9", "latin1"), at: "byte 13, line 2" },
    { name: "a lead byte without its continuation", bytes: Buffer.from("ab\xe9cd", "latin1"), at: "byte 3, line 1" },
    { name: "a stray continuation byte", bytes: Buffer.from([0x61, 0x80, 0x62]), at: "byte 2, line 1" },
    { name: "an overlong encoding of /", bytes: Buffer.from([0x61, 0xc0, 0xaf]), at: "byte 2, line 1" },
    { name: "an encoded surrogate", bytes: Buffer.from([0x61, 0xed, 0xa0, 0x80]), at: "byte 2, line 1" },
    { name: "a character cut off at the end", bytes: Buffer.from([0x61, 0xf0, 0x9f, 0xa6]), at: "byte 2, line 1" },
  ])("refuses $name, saying where the encoding breaks", ({ bytes, at }) => {
    expect(() => decodeUtf8(bytes, "That file")).toThrow(`That file is not UTF-8 text (the encoding breaks at ${at}). Save it as UTF-8 and try again.`);
  });
});
