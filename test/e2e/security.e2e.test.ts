import crypto from "node:crypto";
import type { Browser, Page } from "playwright-core";
import { generatePrivateKey } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BASE_URL, injectWallet, launchBrowser, screenshot } from "./support/browser";
import { openMail } from "./support/mail";
import { publishEssay, signInAs } from "./support/writer";

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(() => browser?.close());

const origin = () => new URL(BASE_URL()).origin;

describe("signing in from a link whose next points elsewhere stays on this site", () => {
  /** A tab that shows a page for evil.example instead of failing to resolve it, so where it went can be read. */
  async function tabWithEvilSite(): Promise<Page> {
    const page = await browser.newPage();
    await page.route((url) => url.hostname === "evil.example", (route) => route.fulfill({ contentType: "text/html", body: "<h1>Somewhere else</h1>" }));
    return page;
  }

  it("a first sign-in from /signin?next=/%5Cevil.example asks for a profile, then opens the drafts", async () => {
    const page = await tabWithEvilSite();
    await injectWallet(page, generatePrivateKey());
    await page.goto(`${BASE_URL()}/signin?next=/%5Cevil.example`);
    await page.getByRole("button", { name: "Sign in with Test Wallet" }).click();
    await page.waitForURL((url) => url.pathname === "/settings/profile" || url.hostname === "evil.example");
    expect(new URL(page.url()).origin).toBe(origin());
    await page.getByLabel("Handle").fill(`away-${crypto.randomBytes(3).toString("hex")}`);
    await page.getByRole("button", { name: "Save profile" }).click();
    await page.waitForURL((url) => url.pathname === "/drafts" || url.hostname === "evil.example");
    expect(page.url()).toBe(`${origin()}/drafts`);
    await page.close();
  });

  it("a returning writer's sign-in from /signin?next=/%09/evil.example opens the drafts", async () => {
    const page = await tabWithEvilSite();
    const key = generatePrivateKey();
    await signInAs(page, key, "Returning");
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(`${origin()}/`);
    await page.goto(`${BASE_URL()}/signin?next=/%09/evil.example`);
    await page.getByRole("button", { name: "Sign in with Test Wallet" }).click();
    await page.waitForURL((url) => url.pathname === "/drafts" || url.hostname === "evil.example");
    expect(page.url()).toBe(`${origin()}/drafts`);
    await page.close();
  });
});

describe("pages work under their Content-Security-Policy", () => {
  /** A tab that records every policy violation the browser reports. */
  async function watchedTab(): Promise<{ page: Page; violations: string[] }> {
    const page = await browser.newPage();
    const violations: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error" && /Content.Security.Policy/i.test(message.text())) violations.push(`${page.url()}: ${message.text()}`);
    });
    return { page, violations };
  }

  let entryUrl: string;
  let collectibleUrl: string;
  let writerKey: `0x${string}`;

  it("the editor, signed in, gets its styles, autosaves and publishes with no violation", async () => {
    const { page, violations } = await watchedTab();
    writerKey = generatePrivateKey();
    await signInAs(page, writerKey, "Strict Writer");
    await page.goto(`${BASE_URL()}/drafts`);
    await page.getByRole("button", { name: "New draft" }).click();
    await page.waitForURL(/\/drafts\/\w+$/);
    const response = await page.reload();
    expect(response!.headers()["content-security-policy"]).toMatch(/script-src 'self' 'nonce-[^']+';/);
    // Tiptap injects its own rules in a style element, with the page's nonce: they apply.
    await page.getByTestId("editor").waitFor();
    expect(await page.getByTestId("editor").evaluate((element) => getComputedStyle(element).fontVariantLigatures)).toBe("none");
    await screenshot(page, "csp-editor");
    entryUrl = await publishEssay(page, `Under policy ${crypto.randomBytes(2).toString("hex")}`, "Written under a strict policy.");
    expect(violations).toEqual([]);
    await page.close();
  });

  it("a reading page runs no script, subscribing works, and the captured mail shows styled", async () => {
    const { page, violations } = await watchedTab();
    const response = await page.goto(entryUrl);
    expect(response!.headers()["content-security-policy"]).toContain("script-src 'none'");
    expect(await page.locator(".prose").textContent()).toContain("Written under a strict policy.");
    const email = `strict-${crypto.randomBytes(3).toString("hex")}@example.com`;
    await page.getByRole("textbox", { name: /New essays by Strict Writer/ }).fill(email);
    await page.getByRole("button", { name: "Subscribe", exact: true }).click();
    await page.getByRole("heading", { name: "Check your inbox" }).waitFor();
    const mail = await openMail(page, email, "Confirm your subscription to Strict Writer");
    expect(mail.htmlText).toContain("Confirm your subscription");
    expect(violations).toEqual([]);
    await page.close();
  });

  it("a collectible entry runs its edition script, which enables Collect", async () => {
    const { page, violations } = await watchedTab();
    await signInAs(page, writerKey, "Strict Writer");
    await page.goto(entryUrl);
    await page.getByRole("link", { name: "Make it collectible" }).click();
    await page.getByLabel("Price in ETH").fill("0.01");
    await page.getByLabel("Supply").fill("3");
    await page.getByRole("button", { name: "Sign — the first collector deploys it" }).click();
    await page.waitForURL(entryUrl);
    collectibleUrl = page.url();
    await page.close();
    expect(violations).toEqual([]);

    const reader = await watchedTab();
    await injectWallet(reader.page, generatePrivateKey());
    const response = await reader.page.goto(collectibleUrl);
    expect(response!.headers()["content-security-policy"]).toMatch(/script-src http:\/\/[^ ;]+\/build\/scripts\/edition-\w+\.js;/);
    // Without its script the button stays disabled: enabled, the script ran under the policy.
    await expect.poll(() => reader.page.getByRole("button", { name: "Collect for 0.01 ETH" }).isEnabled()).toBe(true);
    await screenshot(reader.page, "csp-collectible");
    expect(reader.violations).toEqual([]);
    await reader.page.close();
  });

  it("a script injected into a reading page does not run", async () => {
    const { page, violations } = await watchedTab();
    await page.goto(entryUrl);
    const ran = await page.evaluate(async () => {
      const script = document.createElement("script");
      script.textContent = "window.injected = true";
      document.body.append(script);
      const hosted = document.createElement("script");
      hosted.src = "data:text/javascript,window.injected=true";
      document.body.append(hosted);
      await new Promise((resolve) => setTimeout(resolve, 200));
      return (window as unknown as { injected?: boolean }).injected === true;
    });
    expect(ran).toBe(false);
    expect(violations.length).toBeGreaterThan(0);
    await page.close();
  });
});
