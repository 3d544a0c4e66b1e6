import crypto from "node:crypto";
import type { Browser, Page } from "playwright-core";
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

  it("a reader follows another reader's referral link and collects three copies in one transaction, on a phone", async () => {
    const problems: string[] = [];
    const watch = (page: Page) => {
      page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
      page.on("console", (message) => {
        if (message.type() === "error") problems.push(`console error: ${message.text()} (${message.location().url})`);
      });
      return page;
    };
    const writerPage = watch(await browser.newPage());
    const { account: writer } = await signInAs(writerPage, devAccountKey(15), "Basho");
    const title = `Three for the shelf ${crypto.randomBytes(2).toString("hex")}`;
    const entryUrl = await publishEssay(writerPage, title, "An essay worth several copies.");
    await writerPage.getByRole("link", { name: "Make it collectible" }).click();
    await writerPage.getByLabel("Price in ETH").fill("0.01");
    await writerPage.getByLabel("Supply").fill("10");
    expect(await writerPage.getByTestId("platform-fee").textContent()).toMatch(/^The platform takes (no fee\.|[\d.]+% of the proceeds\.)/);
    await writerPage.getByLabel(/Referral reward/).fill("10");
    await writerPage.getByRole("button", { name: "Sign — the first collector deploys it" }).click();
    await Promise.race([writerPage.waitForURL(entryUrl), writerPage.getByRole("alert").waitFor()]);
    expect(await writerPage.getByRole("alert").count() ? await writerPage.getByRole("alert").textContent() : "no error").toBe("no error");

    // A reader who liked it shares their own link.
    const sharerPage = watch(await browser.newPage());
    const sharer = await injectWallet(sharerPage, devAccountKey(16));
    await sharerPage.goto(entryUrl);
    expect(await sharerPage.getByTestId("referral-offer").textContent()).toContain("earn 10% of each copy");
    await sharerPage.getByRole("button", { name: "Get your link" }).click();
    const link = sharerPage.getByTestId("referral-link");
    await expect.poll(() => link.inputValue()).toContain("?ref=");
    const referralUrl = await link.inputValue();
    expect(referralUrl).toBe(`${entryUrl}?ref=${sharer.address}`);

    // Another reader opens it on a phone and collects three copies.
    const phone = watch(await browser.newPage({ viewport: { width: 390, height: 844 } }));
    const reader = await injectWallet(phone, devAccountKey(17));
    await phone.goto(referralUrl);
    const short = (address: string) => `${address.slice(0, 6)}…${address.slice(-4)}`;
    expect(await phone.getByTestId("referral").textContent()).toBe(`Referred by ${short(sharer.address)}`);
    await phone.getByLabel("Copies").fill("3");
    await phone.getByRole("button", { name: "Collect 3 copies for 0.03 ETH" }).click();
    await phone.getByTestId("collectors").waitFor({ timeout: 60_000 });
    expect(await phone.getByTestId("supply").textContent()).toBe("3 collected of 10");
    const line = phone.getByTestId("collectors").locator("li").first();
    expect(await line.textContent()).toContain(short(reader.address));
    expect(await line.getByTestId("copies").textContent()).toBe(" collected 3 (#1–#3)");
    expect(await line.getByTestId("referred-by").textContent()).toBe(` via ${short(sharer.address)}`);
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, "the page scrolls sideways on a phone").toBe(0);
    await screenshot(phone, "edition-three-copies-referred");

    // The writer's page holds the sale less the referrer's 10%.
    await writerPage.goto(entryUrl);
    expect(await writerPage.getByTestId("held").textContent()).toBe("0.027 ETH");
    expect(await writerPage.getByTestId("funding-recipient").textContent()).toBe(`Proceeds go to ${short(writer.address)}.`);
    expect(problems).toEqual([]);
    await Promise.all([writerPage.close(), sharerPage.close(), phone.close()]);
  });
});
