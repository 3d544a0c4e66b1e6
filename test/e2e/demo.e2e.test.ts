import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listCapturedMail } from "../../app/modules/mail/mailbox.server";
import { runDemo, type DemoResult } from "../../scripts/lib/demo/run";
import { BASE_URL, launchBrowser, screenshot } from "./support/browser";

let browser: Browser;
let demo: DemoResult;
const demoLog: string[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
  demo = await runDemo({
    baseUrl: BASE_URL(),
    rpcUrl: process.env.E2E_RPC_URL!,
    mailboxDir: path.join(process.env.E2E_DATA_DIR!, "mail"),
    log: (line) => demoLog.push(line),
  });
}, 180_000);
afterAll(() => browser?.close());

const PHONE = { width: 390, height: 844 };

/** A phone-sized page that records every page error, console error and failed request of ours. */
async function readerOnPhone(): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport: PHONE, deviceScaleFactor: 2, hasTouch: true });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console error: ${message.text()} (${message.location().url})`);
  });
  page.on("response", (response) => {
    if (response.url().startsWith(BASE_URL()) && response.status() >= 400) problems.push(`${response.status()} ${response.url()}`);
  });
  return { page, problems };
}

/** How far the page reaches past the phone's width: 0 when nothing scrolls sideways. */
function sidewaysOverflow(page: Page): Promise<number> {
  return page.evaluate(() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth) - window.innerWidth);
}

describe("the demo, read as a reader on a phone", () => {
  it("filled the press through the writers' own requests", () => {
    expect(demo.writers.map((writer) => writer.name)).toEqual(["Ada Quill", "Basho Lane", "Inès Moreau"]);
    expect(demoLog.join("\n")).toMatch(/indexed 3 collects, 12 newsletter messages delivered, 5 entries verified from Arweave/);
  });

  it("walks the front page, a writer, an entry, its edition and proof, and the feeds without an error or sideways scrolling", async () => {
    const { page, problems } = await readerOnPhone();
    const visit = async (name: string) => {
      expect(await sidewaysOverflow(page), `${name} scrolls sideways at ${PHONE.width} px`).toBe(0);
      await screenshot(page, `demo-${name}`);
    };

    await page.goto(`${BASE_URL()}/`);
    for (const title of ["Paper burns, bytes replicate", "In praise of slow feeds", "Why I sell twenty-five copies of an essay", "Notes on drafts", "A map of the quiet city"]) {
      await expect(page.getByRole("link", { name: title, exact: true }).count()).resolves.toBe(1);
    }
    await visit("front");

    await page.getByRole("link", { name: "Basho Lane" }).first().click();
    await page.waitForURL(`${BASE_URL()}/basho-lane`);
    expect(await page.locator(".entry-list h2").allTextContents()).toEqual(["Notes on drafts", "Why I sell twenty-five copies of an essay"]);
    await visit("writer");

    await page.getByRole("link", { name: "Why I sell twenty-five copies of an essay" }).click();
    await page.waitForURL(/\/basho-lane\/why-i-sell-twenty-five-copies-of-an-essay$/);
    const edition = page.locator("section.edition");
    expect(await edition.textContent()).toContain("4 collected of 25");
    expect(await edition.getByText("Collected from the demo.").count()).toBe(3);
    // The second reader's two copies, through the first reader's referral link, are one line.
    expect(await edition.getByTestId("copies").allTextContents()).toEqual([" collected 2 (#2–#3)"]);
    expect(await edition.getByTestId("referred-by").count()).toBe(1);
    await visit("edition");

    await page.getByRole("link", { name: "Verify this entry" }).click();
    await page.waitForURL(/\/verify\/[\w-]{43}$/);
    await expect(page.title()).resolves.toMatch(/^Verified/);
    await visit("proof");

    await page.goto(`${BASE_URL()}/ada-quill/paper-burns-bytes-replicate`);
    expect(await page.locator(".prose").textContent()).toContain("Added in the second version");
    expect(await page.getByRole("link", { name: /^Version \d$/ }).allTextContents()).toEqual(["Version 2", "Version 1"]);
    await visit("versions");

    await page.goto(`${BASE_URL()}/ines-moreau/a-map-of-the-quiet-city`);
    const map = page.getByRole("img", { name: /A drawn map/ });
    await expect.poll(() => map.evaluate((image) => (image as HTMLImageElement).naturalWidth)).toBe(1200);
    await visit("illustrated");

    for (const feed of ["/rss.xml", "/atom.xml", "/feed.json", "/basho-lane/rss.xml"]) {
      const response = await page.request.get(`${BASE_URL()}${feed}`);
      expect(response.status(), feed).toBe(200);
      expect(await response.text(), feed).toContain("Notes on drafts");
    }
    expect(problems).toEqual([]);
  });

  it("delivered each essay of a subscribed writer to each confirmed reader", async () => {
    const mail = await listCapturedMail(path.join(process.env.E2E_DATA_DIR!, "mail"));
    for (const reader of ["reader1@example.com", "reader2@example.com", "reader3@example.com"]) {
      const subjects = mail.filter((message) => message.to.includes(reader)).map((message) => message.subject);
      expect(subjects).toEqual(expect.arrayContaining(["Paper burns, bytes replicate", "In praise of slow feeds", "Why I sell twenty-five copies of an essay", "Notes on drafts"]));
      expect(subjects).not.toContain("A map of the quiet city");
    }
  });
});
