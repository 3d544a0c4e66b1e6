/**
 * Every page a signed-in writer can open, with JavaScript on, on a phone: none may throw, log an
 * error to the console (a failed hydration does), or be wider than the screen. The writer has
 * something on each: a draft, a published essay made an edition, a subscriber.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BASE_URL, devAccountKey, launchBrowser, overflowing, screenshot, watch } from "./support/browser";
import { publishEssay, signInAs } from "./support/writer";

// Dev accounts 3 to 7 sign in elsewhere in the browser tests.
const WRITER_ACCOUNT = 9;
const PHONE = { width: 360, height: 740 };
const DESKTOP = { width: 1280, height: 800 };
const ROUTES = path.resolve(__dirname, "../../app/routes");

interface Writer {
  handle: string;
  address: string;
  draftPath: string;
  entryPath: string;
  entryId: string;
  arweaveId: string;
  publicationPath: string;
}

/** Every route file that renders a page, and where a signed-in writer opens it. */
const PAGES: Record<string, (w: Writer) => string> = {
  "_index.tsx": () => "/",
  "$handle._index.tsx": (w) => `/${w.handle}`,
  "$handle.$slug.tsx": (w) => w.entryPath,
  "collector.$address.tsx": (w) => `/collector/${w.address}`,
  "drafts._index.tsx": () => "/drafts",
  "drafts.$id.tsx": (w) => w.draftPath,
  "entries.$id.edition.tsx": (w) => `/entries/${w.entryId}/edition`,
  "following.tsx": () => "/following",
  "settings.imports.tsx": () => "/settings/imports",
  "settings.profile.tsx": () => "/settings/profile",
  "settings.publications._index.tsx": () => "/settings/publications",
  "settings.publications.$id.tsx": (w) => w.publicationPath,
  "settings.publications_.$id.domain.tsx": (w) => `${w.publicationPath}/domain`,
  "settings.responses.tsx": () => "/settings/responses",
  "settings.subscribers.tsx": () => "/settings/subscribers",
  "signin.tsx": () => "/signin",
  "subscribe.$handle.tsx": (w) => `/subscribe/${w.handle}`,
  "verify.$id.tsx": (w) => `/verify/${w.arweaveId}`,
};

/** Pages no signed-in writer opens as themselves, and why. */
const NOT_SIGNED_IN_PAGES: Record<string, string> = {
  "dev.mail._index.tsx": "the development mailbox, served only by the local stand-in",
  "dev.mail.$id.tsx": "the development mailbox, served only by the local stand-in",
  "subscriptions.confirm.tsx": "a subscriber opens it from a letter, with its token (the journey test does)",
  "subscriptions.preferences.tsx": "a subscriber opens it from a letter, with its token (the journey test does)",
  "unsubscribe.tsx": "a subscriber opens it from a letter, with its token (the journey test does)",
};

let browser: Browser;
let page: Page;
let writer: Writer;
const problems: string[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: DESKTOP });
  watch(page, problems);
});
afterAll(() => browser?.close());

/** The writer's handle, read from their profile when they had one before this run. */
async function currentHandle(): Promise<string> {
  await page.goto(`${BASE_URL()}/settings/profile`);
  return page.getByLabel("Handle").inputValue();
}

describe("every page a signed-in writer opens, with JavaScript on, on a phone", () => {
  it("a writer publishes an essay, makes it an edition, starts a draft and gets a subscriber", async () => {
    const signedIn = await signInAs(page, devAccountKey(WRITER_ACCOUNT), "Pia Pages");
    const handle = signedIn.handle ?? (await currentHandle());
    const entryUrl = await publishEssay(page, `Every page ${crypto.randomBytes(2).toString("hex")}`, "An essay with an edition, a draft beside it, and a subscriber.");
    await page.getByRole("link", { name: "Make it collectible" }).click();
    const entryId = /\/entries\/([^/]+)\/edition/.exec(page.url())![1]!;
    await page.getByLabel("Price in ETH").fill("0.01");
    await page.getByLabel("Supply").fill("5");
    await page.getByRole("button", { name: "Sign — the first collector deploys it" }).click();
    await page.waitForURL(entryUrl);
    await page.getByRole("link", { name: "Verify this entry" }).click();
    await page.waitForURL(/\/verify\/[A-Za-z0-9_-]{43}$/);
    const arweaveId = page.url().split("/").pop()!;

    await page.goto(`${BASE_URL()}/drafts`);
    await page.getByRole("button", { name: "New draft" }).click();
    await page.waitForURL(/\/drafts\/[a-z0-9]+$/);
    const draftPath = new URL(page.url()).pathname;
    await page.getByTestId("title").fill("Half a thought");
    await expect.poll(() => page.getByTestId("save-status").getAttribute("data-state"), { timeout: 15_000 }).toBe("saved");

    // A publication, created and given a member by the writer's wallet signing in the browser.
    await page.goto(`${BASE_URL()}/settings/publications`);
    await page.getByLabel("Handle").fill(`pages-${crypto.randomBytes(3).toString("hex")}`);
    await page.getByLabel("Name").fill("Pages Together");
    await page.getByRole("button", { name: "Sign and create" }).click();
    await page.waitForURL(/\/settings\/publications\/[a-z0-9]+$/);
    const publicationPath = new URL(page.url()).pathname;
    await page.getByRole("heading", { name: "Pages Together", level: 1 }).waitFor();
    const members = { editor: `0x${crypto.randomBytes(20).toString("hex")}`, writer: `0x${crypto.randomBytes(20).toString("hex")}` };
    for (const [role, member] of Object.entries(members)) {
      await page.getByLabel("Wallet address").fill(member);
      await page.getByLabel("Role").selectOption(role);
      await page.getByRole("button", { name: "Sign and grant" }).click();
      await page.getByRole("row", { name: new RegExp(`${member}.*${role}`, "i") }).waitFor();
    }
    // The editor revoked, the page still has a member to show on the phone.
    await page.getByRole("button", { name: new RegExp(`Revoke ${members.editor}`, "i") }).click();
    await page.getByRole("row", { name: new RegExp(members.editor, "i") }).waitFor({ state: "detached" });
    await page.getByRole("row", { name: new RegExp(members.writer, "i") }).waitFor();

    // A reader, in a window of their own, subscribes by email.
    const reader = await browser.newPage();
    await reader.goto(`${BASE_URL()}/${handle}`);
    await reader.getByLabel("in your inbox").fill(`reader-${crypto.randomBytes(3).toString("hex")}@example.com`);
    await reader.getByRole("button", { name: "Subscribe", exact: true }).click();
    await reader.getByText(/a link to confirm is on its way/).waitFor();
    await reader.close();

    writer = { handle, address: signedIn.account.address, draftPath, entryPath: new URL(entryUrl).pathname, entryId, arweaveId, publicationPath };
    // From here on: a phone, and only what the pages themselves do counts.
    await page.setViewportSize(PHONE);
    problems.length = 0;
  });

  it("covers every route file that renders a page", () => {
    const pages = fs.readdirSync(ROUTES).filter((name) => /^export default function/m.test(fs.readFileSync(path.join(ROUTES, name), "utf8")));
    expect(pages.filter((name) => !(name in PAGES) && !(name in NOT_SIGNED_IN_PAGES))).toEqual([]);
  });

  it.each(Object.keys(PAGES))("%s loads and hydrates without an error, and fits the screen", async (route) => {
    const target = PAGES[route]!(writer);
    const response = await page.goto(`${BASE_URL()}${target}`, { waitUntil: "networkidle" });
    expect(response?.status(), target).toBeLessThan(400);
    // A page that loads the Remix client is interactive once it has hydrated (reading pages load at most a page script).
    if (await page.evaluate(() => "__remixContext" in window)) await page.waitForFunction(() => "__remixRouter" in window);
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    const wide = await overflowing(page);
    const found = [...problems];
    problems.length = 0;
    if (found.length || wide.length) await screenshot(page, `signed-in-${route.replace(/[^a-z0-9]+/gi, "-")}`);
    expect(found, target).toEqual([]);
    expect(wide, `${target} is wider than a ${PHONE.width}px screen`).toEqual([]);
  });
});
