import { SaxesParser } from "saxes";

/**
 * The first well-formedness error of `text` as a conforming XML 1.0 parser reports it (saxes checks
 * every character against XML's Char production), or null when it is well-formed. feedsmith and
 * happy-dom read past a U+0001 or U+FFFE without a word, so they cannot tell a broken feed from a
 * good one; many feed readers can.
 */
export function xmlError(text: string): string | null {
  const parser = new SaxesParser();
  let first: string | null = null;
  parser.on("error", (error) => {
    first ??= error.message;
  });
  parser.write(text).close();
  return first;
}
