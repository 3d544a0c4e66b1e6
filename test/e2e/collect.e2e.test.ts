import crypto from "node:crypto";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BASE_URL, devAccountKey, injectWallet, launchBrowser, screenshot } from "./support/browser";
import { publishEssay, signInAs } from "./support/writer";

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(() => browser?.close());

describe("collecting in the browser", () => {
  it("a writer signs an edition's terms, and a reader collects it with a message and sees it listed", async () => {
    const writerPage = await browser.newPage();
    await signInAs(writerPage, devAccountKey(10), "Ada");
    const title = `Worth keeping ${crypto.randomBytes(2).toString("hex")}`;
    const entryUrl = await publishEssay(writerPage, title, "An essay readers may keep.");
    expect(entryUrl).toMatch(/\/ada-[0-9a-f]+\/worth-keeping-[0-9a-f]+$/);

    await writerPage.getByRole("link", { name: "Make it collectible" }).click();
    await writerPage.getByLabel("Price in ETH").fill("0.01");
    await writerPage.getByLabel("Supply").fill("2");
    await writerPage.getByRole("button", { name: "Sign — the first collector deploys it" }).click();
    await Promise.race([writerPage.waitForURL(entryUrl), writerPage.getByRole("alert").waitFor()]);
    expect(await writerPage.getByRole("alert").count() ? await writerPage.getByRole("alert").textContent() : "no error").toBe("no error");
    expect(await writerPage.getByTestId("supply").textContent()).toBe("0 collected of 2");
    await screenshot(writerPage, "edition-signed");

    const readerPage = await browser.newPage();
    const reader = await injectWallet(readerPage, devAccountKey(11));
    await readerPage.goto(entryUrl);
    await readerPage.getByLabel(/Message to the writer/).fill("Kept for good.");
    await readerPage.getByRole("button", { name: "Collect for 0.01 ETH" }).click();
    await readerPage.getByTestId("collectors").waitFor({ timeout: 60_000 });
    const short = `${reader.address.slice(0, 6)}…${reader.address.slice(-4)}`;
    expect(await readerPage.getByTestId("collectors").locator("li").first().textContent()).toContain(short);
    expect(await readerPage.getByTestId("collectors").locator("li q").first().textContent()).toBe("Kept for good.");
    expect(await readerPage.getByTestId("supply").textContent()).toBe("1 collected of 2");
    await screenshot(readerPage, "edition-collected");

    await readerPage.goto(`${BASE_URL()}/collector/${reader.address}`);
    expect(await readerPage.locator(".collected li a").first().textContent()).toBe(title);
    await writerPage.close();
    await readerPage.close();
  });
});
