import crypto from "node:crypto";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BASE_URL, devAccountKey, injectWallet, launchBrowser, screenshot } from "./support/browser";

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(() => browser?.close());

async function signInAs(page: Page, key: `0x${string}`, name: string) {
  const account = await injectWallet(page, key);
  await page.goto(`${BASE_URL()}/signin`);
  await page.getByRole("button", { name: "Sign in with Test Wallet" }).click();
  await page.waitForURL(/\/settings\/profile|\/drafts/);
  if (page.url().includes("/settings/profile")) {
    await page.getByLabel("Handle").fill(`${name}-${crypto.randomBytes(3).toString("hex")}`);
    await page.getByLabel("Display name").fill(name);
    await page.getByRole("button", { name: "Save profile" }).click();
    await page.waitForURL(/\/drafts$/);
  }
  return account;
}

describe("collecting in the browser", () => {
  it("a writer signs an edition's terms, and a reader collects it with a message and sees it listed", async () => {
    const writerPage = await browser.newPage();
    await signInAs(writerPage, devAccountKey(3), "Ada");
    await writerPage.getByRole("button", { name: "New draft" }).click();
    await writerPage.waitForURL(/\/drafts\/[a-z0-9]+$/);
    const title = `Worth keeping ${crypto.randomBytes(2).toString("hex")}`;
    await writerPage.getByTestId("title").fill(title);
    await writerPage.getByTestId("editor").click();
    await writerPage.keyboard.type("An essay readers may keep.");
    await expect.poll(() => writerPage.getByTestId("save-status").getAttribute("data-state"), { timeout: 15_000 }).toBe("saved");
    await writerPage.getByRole("button", { name: "Publish", exact: true }).click();
    await writerPage.waitForURL(/\/[a-z]+-[0-9a-f]+\/worth-keeping-[0-9a-f]+$/);
    const entryUrl = writerPage.url();

    await writerPage.getByRole("link", { name: "Make it collectible" }).click();
    await writerPage.getByLabel("Price in ETH").fill("0.01");
    await writerPage.getByLabel("Supply").fill("2");
    await writerPage.getByRole("button", { name: "Sign — the first collector deploys it" }).click();
    await Promise.race([writerPage.waitForURL(entryUrl), writerPage.getByRole("alert").waitFor()]);
    expect(await writerPage.getByRole("alert").count() ? await writerPage.getByRole("alert").textContent() : "no error").toBe("no error");
    expect(await writerPage.getByTestId("supply").textContent()).toBe("0 collected of 2");
    await screenshot(writerPage, "edition-signed");

    const readerPage = await browser.newPage();
    const reader = await injectWallet(readerPage, devAccountKey(4));
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
