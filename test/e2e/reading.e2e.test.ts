import crypto from "node:crypto";
import type { Browser } from "playwright-core";
import { generatePrivateKey } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BASE_URL, launchBrowser, screenshot } from "./support/browser";
import { publishEssay, signInAs } from "./support/writer";

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(() => browser?.close());

/** The entry the first test publishes; the later ones read it. */
let entryUrl: string;

describe("reading with JavaScript off", () => {
  it("reads an entry, finds the writer's page, and subscribes by email, confirming from the captured message", async () => {
    const writerPage = await browser.newPage();
    const { handle } = await signInAs(writerPage, generatePrivateKey(), "Noor Plain");
    const title = `Plain pages ${crypto.randomBytes(2).toString("hex")}`;
    entryUrl = await publishEssay(writerPage, title, "Text that needs no script to be read.");
    await writerPage.close();

    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    const scriptsRun: string[] = [];
    page.on("request", (request) => request.resourceType() === "script" && scriptsRun.push(request.url()));

    const response = await page.goto(entryUrl);
    expect(response!.status()).toBe(200);
    expect(await page.locator("article.entry h1").textContent()).toBe(title);
    expect(await page.locator(".prose").textContent()).toContain("Text that needs no script to be read.");
    expect(await page.locator(".byline").textContent()).toMatch(/Noor Plain · .+ · 1 min read/);
    await screenshot(page, "nojs-entry");

    // Navigation is plain links: the writer's page lists the entry.
    await page.getByRole("link", { name: "Noor Plain" }).first().click();
    await page.waitForURL(`${BASE_URL()}/${handle}`);
    expect(await page.locator(".entry-list h2").allTextContents()).toContain(title);
    await page.getByRole("link", { name: title }).click();
    await page.waitForURL(entryUrl);

    // Subscribing is a plain form post.
    const email = `plain-${crypto.randomBytes(3).toString("hex")}@example.com`;
    await page.getByRole("textbox", { name: /New essays by Noor Plain/ }).fill(email);
    await page.getByRole("button", { name: "Subscribe", exact: true }).click();
    await page.getByRole("heading", { name: "Check your inbox" }).waitFor();
    expect(await page.locator("section").first().textContent()).toContain(email);
    await screenshot(page, "nojs-subscribed");

    // The confirmation arrives in the local mail catcher; its link opens a page with one button.
    let confirmLink: string | undefined;
    for (let attempt = 0; attempt < 60 && !confirmLink; attempt++) {
      await page.goto(`${BASE_URL()}/dev/mail`);
      const row = page.locator("tr", { hasText: email }).filter({ hasText: "Confirm your subscription" });
      if (await row.count()) {
        await row.first().getByRole("link").click();
        confirmLink = /https?:\/\/\S+\/subscriptions\/confirm\?token=\S+/.exec((await page.locator("pre").textContent()) ?? "")?.[0];
      } else await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(confirmLink).toBeDefined();
    await page.goto(confirmLink!);
    expect(await page.locator("strong").first().textContent()).toBe(email);
    await page.getByRole("button", { name: "Confirm subscription" }).click();
    await page.getByRole("heading", { name: "You're subscribed" }).waitFor();
    await screenshot(page, "nojs-confirmed");

    expect(scriptsRun, "no script was fetched for any page read").toEqual([]);
    await context.close();
  });

  it("fits a phone's screen, in the reader's light or dark scheme", async () => {
    for (const colorScheme of ["light", "dark"] as const) {
      // Not `isMobile`: it widens the layout viewport to fit whatever overflows, which hides the overflow.
      const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, hasTouch: true, colorScheme });
      const page = await context.newPage();
      await page.goto(entryUrl);
      const layout = await page.evaluate(() => {
        const prose = document.querySelector(".prose p")!;
        const style = getComputedStyle(prose);
        return {
          width: window.innerWidth,
          overflow: Math.max(
            document.documentElement.scrollWidth,
            ...[...document.body.querySelectorAll("*")].map((element) => Math.ceil(element.getBoundingClientRect().right)),
          ) - window.innerWidth,
          fontSize: Number.parseFloat(style.fontSize),
          background: getComputedStyle(document.body).backgroundColor,
          text: style.color,
        };
      });
      expect(layout.width).toBe(390);
      expect(layout.overflow, "nothing wider than the screen").toBeLessThanOrEqual(0);
      expect(layout.fontSize, "body text at a readable size").toBeGreaterThanOrEqual(16);
      const luminance = (rgb: string) => {
        const [r, g, b] = rgb.match(/\d+/g)!.map(Number);
        return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
      };
      // Dark text on a light page, or light text on a dark one: as the reader's device prefers.
      if (colorScheme === "light") expect(luminance(layout.background)).toBeGreaterThan(luminance(layout.text));
      else expect(luminance(layout.background)).toBeLessThan(luminance(layout.text));
      await screenshot(page, `phone-entry-${colorScheme}`);
      await context.close();
    }
  });
});
