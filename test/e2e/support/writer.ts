import crypto from "node:crypto";
import type { Page } from "playwright-core";
import { expect } from "vitest";
import { BASE_URL, injectWallet } from "./browser";

/** Signs in with an injected wallet holding `key`; a first sign-in creates a profile named `name`. */
export async function signInAs(page: Page, key: `0x${string}`, name: string) {
  const account = await injectWallet(page, key);
  await page.goto(`${BASE_URL()}/signin`);
  await page.getByRole("button", { name: "Sign in with Test Wallet" }).click();
  await page.waitForURL(/\/settings\/profile|\/drafts/);
  let handle: string | null = null;
  if (page.url().includes("/settings/profile")) {
    handle = `${name.toLowerCase().replace(/[^a-z]+/g, "-")}-${crypto.randomBytes(3).toString("hex")}`;
    await page.getByLabel("Handle").fill(handle);
    await page.getByLabel("Display name").fill(name);
    await page.getByRole("button", { name: "Save profile" }).click();
    await page.waitForURL(/\/drafts$/);
  }
  return { account, handle };
}

/** From the drafts page: a new draft with a title and one paragraph, saved, published and signed; the entry's URL. */
export async function publishEssay(page: Page, title: string, text: string): Promise<string> {
  await page.goto(`${BASE_URL()}/drafts`);
  await page.getByRole("button", { name: "New draft" }).click();
  await page.waitForURL(/\/drafts\/[a-z0-9]+$/);
  await page.getByTestId("title").fill(title);
  await page.getByTestId("editor").click();
  await page.keyboard.type(text);
  await expect.poll(() => page.getByTestId("save-status").getAttribute("data-state"), { timeout: 15_000 }).toBe("saved");
  await page.getByRole("button", { name: "Publish", exact: true }).click();
  await page.waitForURL((url) => !url.pathname.startsWith("/drafts"), { timeout: 30_000 });
  return page.url();
}
