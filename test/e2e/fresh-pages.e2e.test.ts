import crypto from "node:crypto";
import type { Browser } from "playwright-core";
import { generatePrivateKey } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BASE_URL, launchBrowser, screenshot, watch } from "./support/browser";
import { publishEssay, signInAs } from "./support/writer";

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(() => browser?.close());

describe("a reader's open tabs after a writer publishes", () => {
  it("show the new essay on the front page and in the site feed the next time the reader opens them", async () => {
    const problems: string[] = [];
    // The reader's browser keeps what the press lets it keep; a phone, so the front page must fit it.
    const reader = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    const front = await reader.newPage();
    const feed = await reader.newPage();
    watch(front, problems);
    watch(feed, problems);
    const title = `Fresh news ${crypto.randomBytes(3).toString("hex")}`;
    expect((await front.goto(`${BASE_URL()}/`))!.status()).toBe(200);
    expect(await front.locator("main").textContent()).not.toContain(title);
    expect((await feed.goto(`${BASE_URL()}/rss.xml`))!.status()).toBe(200);
    expect(await feed.content()).not.toContain(title);

    const writer = await browser.newPage();
    watch(writer, problems);
    await signInAs(writer, generatePrivateKey(), "Fay Fresh");
    await publishEssay(writer, title, "Published while a reader had the front page open.");
    await writer.close();

    // The reader comes back to each tab's page once, as they do: the site's name, the feed's address.
    // (The Reload button always asks the server about the page itself; these use what the browser kept.)
    await front.getByRole("link", { name: "Permanent Press" }).click();
    await front.waitForLoadState();
    expect(await front.locator("main").textContent()).toContain(title);
    expect(await front.locator(".entry-list h2").first().textContent()).toBe(title);
    expect(await front.evaluate(() => document.documentElement.scrollWidth - window.innerWidth), "no sideways scrolling on a phone").toBeLessThanOrEqual(0);
    await screenshot(front, "fresh-front-page");
    await feed.goto(`${BASE_URL()}/rss.xml`);
    expect(await feed.content()).toContain(title);
    expect(problems).toEqual([]);
    await reader.close();
  });
});
