/**
 * Text that can be published: what a writer or reader may send, and what may reach XML. Whatever
 * a person types lands in pages, mail and feeds, and XML 1.0 has no way at all to carry some
 * characters: one of them in a title makes a whole feed unreadable for every subscriber.
 * See docs/decisions/010-publishable-text.md.
 */
import { UserError } from "~/modules/errors.server";

/**
 * What no published text may contain: control characters other than tab, line feed and carriage
 * return (C0, DEL and C1: XML 1.0 forbids most C0 and XML 1.1 reads U+0085 as a line end),
 * noncharacters (U+FDD0–U+FDEF and the last two of every plane; XML forbids U+FFFE and U+FFFF) and
 * halves of a surrogate pair that lost their other half (with the u flag, a surrogate class matches
 * only a lone one: a whole pair is one code point).
 */
const UNPUBLISHABLE =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFDD0-\uFDEF\uFFFE\uFFFF\u{1FFFE}\u{1FFFF}\u{2FFFE}\u{2FFFF}\u{3FFFE}\u{3FFFF}\u{4FFFE}\u{4FFFF}\u{5FFFE}\u{5FFFF}\u{6FFFE}\u{6FFFF}\u{7FFFE}\u{7FFFF}\u{8FFFE}\u{8FFFF}\u{9FFFE}\u{9FFFF}\u{AFFFE}\u{AFFFF}\u{BFFFE}\u{BFFFF}\u{CFFFE}\u{CFFFF}\u{DFFFE}\u{DFFFF}\u{EFFFE}\u{EFFFF}\u{FFFFE}\u{FFFFF}\u{10FFFE}\u{10FFFF}\uD800-\uDFFF]/u;

// Markup characters, and every character XML 1.0 cannot carry (its `Char` production, negated),
// found in one pass.
const XML_SPECIAL = /[<>&"']|[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
const XML_ESCAPES: Record<string, string> = { "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" };

const codePoint = (character: string) => `U+${character.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;

function kindOf(character: string): string {
  const code = character.codePointAt(0)!;
  if (code >= 0xd800 && code <= 0xdfff) return "half of a character whose other half is missing";
  if (code <= 0x9f) return "a control character";
  return "a noncharacter";
}

const EVERY_UNPUBLISHABLE = new RegExp(UNPUBLISHABLE.source, "gu");

/**
 * `text` without the characters no published text may contain: for text the press cannot refuse
 * and send back, such as a post from another server on the social web.
 */
export function withoutUnpublishable(text: string): string {
  return text.replace(EVERY_UNPUBLISHABLE, "");
}

/**
 * Why `text` cannot be published, naming the character and where it is (`what`: "The title"),
 * or undefined when it can.
 */
export function unpublishableProblem(text: string, what: string): string | undefined {
  const found = UNPUBLISHABLE.exec(text);
  if (!found) return undefined;
  const before = Array.from(text.slice(0, found.index));
  const where = before.length === 0 ? "at its start" : `after “${before.length > 24 ? "…" : ""}${before.slice(-24).join("")}”`;
  return `${what} contains ${codePoint(found[0])}, ${kindOf(found[0])}, ${where}. Feeds, pages and mail cannot carry it: remove it and try again.`;
}

/** Refuses text that cannot be published with a 422 that says which character and where. */
export function requirePublishable(text: string, what: string): string {
  const problem = unpublishableProblem(text, what);
  if (problem) throw new UserError(problem, 422);
  return text;
}

/**
 * Text as XML character data: characters XML cannot carry are dropped (rows written before input
 * was checked, entries imported from elsewhere, ENS names), markup characters escaped.
 */
export function escapeXml(text: string): string {
  return text.replace(XML_SPECIAL, (c) => XML_ESCAPES[c] ?? "");
}

/** Where the first character that is not UTF-8 starts, as a byte offset. */
function firstInvalidByte(bytes: Uint8Array): number {
  // Streaming, a prefix that ends inside a character is not wrong yet; the result is its complete characters.
  const decoded = (length: number) => {
    try {
      return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes.subarray(0, length), { stream: true });
    } catch {
      return undefined;
    }
  };
  let valid = 0;
  let invalid = bytes.length;
  while (invalid - valid > 1) {
    const middle = Math.floor((valid + invalid) / 2);
    if (decoded(middle) === undefined) invalid = middle;
    else valid = middle;
  }
  // The longest prefix that decodes may end inside the broken character, which starts where its complete characters end.
  return Buffer.byteLength(decoded(valid)!);
}

/**
 * Bytes as UTF-8 text, refused with a 415 (`what`: "That file") when they are not UTF-8, instead of
 * being decoded to U+FFFD replacement characters that would then be published as they are.
 */
export function decodeUtf8(bytes: Uint8Array, what: string): string {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    const offset = firstInvalidByte(bytes);
    const line = bytes.subarray(0, offset).filter((byte) => byte === 0x0a).length + 1;
    throw new UserError(`${what} is not UTF-8 text (the encoding breaks at byte ${offset + 1}, line ${line}). Save it as UTF-8 and try again.`, 415);
  }
}
