/**
 * On the local stack a person signs in with no wallet extension at all: the sign-in page's
 * development wallet signs as one of the local chain's accounts, and stays the wallet on later
 * pages: the editor's Publish (EIP-712), an edition's terms, and an entry page's Collect (the
 * edition script, under the reading pages' Content-Security-Policy).
 */
import crypto from "node:crypto";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEV_WRITERS } from "../../app/modules/dev/accounts.server";
import { BASE_URL, launchBrowser, screenshot } from "./support/browser";
import { publishEssay } from "./support/writer";

// The demo's first and last writers (accounts #2 and #4): the demo test signs them in as themselves
// too, with these handles, so either test may come first. No wallet is injected in this file.
const [WRITER, , READER] = DEV_WRITERS;

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(() => browser?.close());

/** A page of its own (its own storage) that records every page error and console error. */
async function freshPage(): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console error: ${message.text()} (${message.location().url})`);
  });
  return { page, problems };
}

/** Signs in with the development wallet as `dev`; a first sign-in saves the demo writer's profile. */
async function signInWithDevWallet(page: Page, dev: (typeof DEV_WRITERS)[number]) {
  await page.goto(`${BASE_URL()}/signin`);
  await page.getByRole("heading", { name: "Use a development wallet" }).waitFor();
  // The buttons work once the page's script runs: wait until it has looked for extensions.
  await page.getByText("No wallet extension found in this browser; the development wallet needs none.").waitFor();
  await page.getByRole("button", { name: new RegExp(`^${dev.name} 0x`) }).click();
  await page.waitForURL(/\/settings\/profile|\/drafts/);
  if (page.url().includes("/settings/profile")) {
    await page.getByLabel("Handle").fill(dev.handle);
    await page.getByLabel("Display name").fill(dev.name);
    await page.getByRole("button", { name: "Save profile" }).click();
    await page.waitForURL(/\/drafts$/);
  }
}

describe("the development wallet", () => {
  it("signs a writer in without an extension, publishes, makes an edition, and a second account collects it", async () => {
    const writer = await freshPage();
    await signInWithDevWallet(writer.page, WRITER);
    await writer.page.getByRole("navigation", { name: "Account" }).getByRole("link", { name: `@${WRITER.handle}` }).waitFor({ timeout: 5_000 });

    const title = `Signed by the local node ${crypto.randomBytes(2).toString("hex")}`;
    const entryUrl = await publishEssay(writer.page, title, "No extension was harmed.");
    expect(entryUrl).toMatch(new RegExp(`/${WRITER.handle}/signed-by-the-local-node-[0-9a-f]+$`));
    expect(await writer.page.getByRole("heading", { level: 1 }).textContent()).toBe(title);

    await writer.page.getByRole("link", { name: "Make it collectible" }).click();
    await writer.page.getByLabel("Price in ETH").fill("0.001");
    await writer.page.getByLabel("Supply").fill("3");
    await writer.page.getByRole("button", { name: "Sign — the first collector deploys it" }).click();
    await Promise.race([writer.page.waitForURL(entryUrl), writer.page.getByRole("alert").waitFor()]);
    expect((await writer.page.getByRole("alert").count()) ? await writer.page.getByRole("alert").textContent() : "no error").toBe("no error");
    expect(await writer.page.getByTestId("supply").textContent()).toBe("0 collected of 3");

    const reader = await freshPage();
    await signInWithDevWallet(reader.page, READER);
    await reader.page.goto(entryUrl);
    await reader.page.getByLabel(/Message to the writer/).fill("Collected with the development wallet.");
    await reader.page.getByRole("button", { name: "Collect for 0.001 ETH" }).click();
    await reader.page.getByTestId("collectors").waitFor({ timeout: 60_000 });
    expect(await reader.page.getByTestId("collectors").locator("li q").first().textContent()).toBe("Collected with the development wallet.");
    expect(await reader.page.getByTestId("supply").textContent()).toBe("1 collected of 3");
    await screenshot(reader.page, "dev-wallet-collected");

    // Signing out forgets the account: the next visitor of this browser has no wallet.
    expect(await reader.page.evaluate(() => Object.values(window.localStorage))).toEqual([expect.stringMatching(/^0x[0-9a-fA-F]{40}$/)]);
    await reader.page.getByRole("button", { name: "Sign out" }).click();
    await reader.page.waitForURL(`${BASE_URL()}/`);
    expect(await reader.page.evaluate(() => window.localStorage.length)).toBe(0);

    expect([...writer.problems, ...reader.problems]).toEqual([]);
  });
});
