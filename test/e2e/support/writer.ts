import crypto from "node:crypto";
import type { Locator, Page } from "playwright-core";
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

/**
 * From the drafts page: a new draft with a title and one paragraph, saved, published and signed;
 * the entry's URL. With `publication` (its name), the draft is published in it ("Publish in").
 */
export async function publishEssay(page: Page, title: string, text: string, publication?: string): Promise<string> {
  await page.goto(`${BASE_URL()}/drafts`);
  await page.getByRole("button", { name: "New draft" }).click();
  await page.waitForURL(/\/drafts\/[a-z0-9]+$/);
  await page.getByTestId("title").fill(title);
  await page.getByTestId("editor").click();
  await page.keyboard.type(text);
  if (publication) await page.getByLabel("Publish in").selectOption({ label: publication });
  await expect.poll(() => page.getByTestId("save-status").getAttribute("data-state"), { timeout: 15_000 }).toBe("saved");
  await page.getByRole("button", { name: "Publish", exact: true }).click();
  await page.waitForURL((url) => !url.pathname.startsWith("/drafts"), { timeout: 30_000 });
  return page.url();
}

/**
 * The text the editor itself holds as selected. Keys like Shift+Arrow and End move the browser's
 * selection at once, but the editor reads it only on the next `selectionchange`; a key pressed
 * before that acts on the old selection (Enter would replace it), so steps wait on this.
 */
export function editorSelection(editor: Locator): Promise<string> {
  return editor.evaluate((element) => {
    const { state } = (element as HTMLElement & { editor: { state: { selection: { from: number; to: number }; doc: { textBetween(from: number, to: number): string } } } }).editor;
    return state.doc.textBetween(state.selection.from, state.selection.to);
  });
}

/**
 * In an empty draft's editor: a section heading, a paragraph, a two-item list and a paragraph whose
 * last words link to https://example.com/spec, typed as a writer types them. Ends with the focus
 * back in the editor and the linked words selected.
 */
export async function typeEssayWithLink(page: Page) {
  const editor = page.getByTestId("editor");
  const keyboard = page.keyboard;
  await editor.click();
  await keyboard.type("## Why it lasts");
  await keyboard.press("Enter");
  await keyboard.type("Paper burns; replicated bytes do not.");
  await keyboard.press("Enter");
  await keyboard.type("- arweave");
  await keyboard.press("Enter");
  await keyboard.type("signatures");
  await keyboard.press("Enter");
  await keyboard.press("Enter");
  await keyboard.type("Read the spec");
  await keyboard.down("Shift");
  for (let i = 0; i < "the spec".length; i++) await keyboard.press("ArrowLeft");
  await keyboard.up("Shift");
  await expect.poll(() => editorSelection(editor)).toBe("the spec");
  await page.getByRole("button", { name: "Link" }).click();
  await page.getByLabel("Link address").fill("https://example.com/spec");
  await page.getByRole("button", { name: "Apply" }).click();
  // The editor takes the focus back on the next frame, with "the spec" still selected.
  await page.getByLabel("Link address").waitFor({ state: "detached" });
  await expect.poll(() => editor.evaluate((element) => element.contains(document.activeElement))).toBe(true);
  expect(await editorSelection(editor)).toBe("the spec");
  expect(await editor.locator('a[href="https://example.com/spec"]').textContent()).toBe("the spec");
}
