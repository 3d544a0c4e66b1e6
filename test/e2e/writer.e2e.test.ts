import crypto from "node:crypto";
import type { Browser } from "playwright-core";
import { generatePrivateKey } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BASE_URL, injectWallet, launchBrowser, screenshot } from "./support/browser";
import { typeEssayWithLink } from "./support/writer";

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(() => browser?.close());

describe("a writer in the browser", () => {
  it("says so when there is no wallet extension, and offers the development wallet on the local chain", async () => {
    const page = await browser.newPage();
    await page.goto(`${BASE_URL()}/signin`);
    await page.getByText("No wallet extension found in this browser; the development wallet needs none.").waitFor();
    expect(await page.getByRole("heading", { name: "Use a development wallet" }).count()).toBe(1);
    expect(await page.getByRole("button", { name: /^Ada Quill 0x/ }).count()).toBe(1);
    await screenshot(page, "signin-no-wallet");
    await page.close();
  });

  it("signs in with a wallet, writes an essay that autosaves, and finds it intact after a reload", async () => {
    const page = await browser.newPage();
    await injectWallet(page, generatePrivateKey());
    await page.goto(`${BASE_URL()}/signin`);
    await page.getByRole("button", { name: "Sign in with Test Wallet" }).click();
    await page.waitForURL(/\/settings\/profile/);

    const handle = `writer-${crypto.randomBytes(3).toString("hex")}`;
    await page.getByLabel("Handle").fill(handle);
    await page.getByLabel("Display name").fill("Grace Writer");
    await page.getByRole("button", { name: "Save profile" }).click();
    // A first sign-in asks for a profile, then goes where the writer was going: their drafts.
    await page.waitForURL(/\/drafts$/);
    await page.goto(`${BASE_URL()}/${handle}`);
    await page.getByRole("heading", { level: 1, name: "Grace Writer" }).waitFor();

    await page.goto(`${BASE_URL()}/drafts`);
    await page.getByRole("button", { name: "New draft" }).click();
    await page.waitForURL(/\/drafts\/[a-z0-9]+$/);
    const draftUrl = page.url();

    await page.getByTestId("title").fill("Notes on permanence");
    await typeEssayWithLink(page);

    const status = page.getByTestId("save-status");
    await expect.poll(() => status.getAttribute("data-state"), { timeout: 15_000 }).toBe("saved");
    expect(await status.textContent()).toMatch(/^Saved at /);
    await screenshot(page, "editor-autosaved");

    await page.reload();
    await expect.poll(() => page.getByTestId("title").inputValue()).toBe("Notes on permanence");
    const after = page.getByTestId("editor");
    expect(await after.locator("h2").textContent()).toBe("Why it lasts");
    expect(await after.locator("ul li").allTextContents()).toEqual(["arweave", "signatures"]);
    expect(await after.locator('a[href="https://example.com/spec"]').textContent()).toBe("the spec");
    expect(page.url()).toBe(draftUrl);
    await screenshot(page, "editor-after-reload");

    await page.getByRole("button", { name: "Publish", exact: true }).click();
    await page.waitForURL(new RegExp(`/${handle}/notes-on-permanence$`));
    expect(await page.locator("article.entry h1").textContent()).toBe("Notes on permanence");
    expect(await page.locator(".prose ul li").allTextContents()).toEqual(["arweave", "signatures"]);
    expect(await page.locator(".versions li").first().getAttribute("data-status")).toBe("confirmed");
    await screenshot(page, "entry-published");
    await page.getByRole("link", { name: "Verify this entry" }).click();
    expect(await page.getByTestId("verdict").textContent()).toBe("Verified");
    await screenshot(page, "entry-proof");
    await page.close();
  });
});
