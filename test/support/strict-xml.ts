import type { Browser, Page } from "playwright-core";
import { launchBrowser } from "../e2e/support/browser";

/**
 * XML read by a conforming parser: Chromium's (libxml2), which stops at anything XML 1.0 forbids.
 * feedsmith and happy-dom read past a U+0001 or U+FFFE without a word, so they cannot tell a
 * broken feed from a good one; many feed readers can.
 */
export async function strictXmlParser() {
  const browser: Browser = await launchBrowser();
  const page: Page = await browser.newPage();
  return {
    /** The parser's error for `text`, or null when it is well-formed XML. */
    error: (text: string) =>
      page.evaluate((xml) => {
        const doc = new DOMParser().parseFromString(xml, "application/xml");
        return doc.getElementsByTagName("parsererror")[0]?.textContent ?? null;
      }, text),
    close: () => browser.close(),
  };
}
