/**
 * A publication with two writers, on phones: its owner creates it and grants a second writer the
 * "writer" role, both signing with their wallets in the browser; a reader subscribes to it by
 * email; each writer publishes an essay in it; the reader gets both letters, under the
 * publication's name, each once; each entry's page and the publication's page name who wrote what
 * where; and each entry's proof page reads verified, its writer proven a member by the owner's
 * signed records on the gateway alone. No page may throw, log an error or be wider than the screen.
 */
import crypto from "node:crypto";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { BASE_URL, launchBrowser, overflowing, screenshot, watch } from "./support/browser";
import { capturedHeaders, countMail, linkIn, openMail } from "./support/mail";
import { publishEssay, signInAs } from "./support/writer";

const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
/** How long the outbox worker may take to put the signed records on the gateway and mine them. */
const PROOF_TIMEOUT = 90_000;

const run = crypto.randomBytes(3).toString("hex");
const publication = { handle: `two-hands-${run}`, name: `Two Hands ${run}`, accountId: "" };
const owner = { key: generatePrivateKey(), name: "Ada Lind", title: `Ada's opening ${run}`, text: "The owner opens the publication with a first essay.", url: "" };
const second = { key: generatePrivateKey(), name: "Bo Berg", title: `Bo's reply ${run}`, text: "A second writer answers, in the same publication.", url: "" };
const readerEmail = `reader-${run}@example.com`;

let browser: Browser;
const contexts: BrowserContext[] = [];
const problems: string[] = [];
let ownerPage: Page;
let secondPage: Page;
let readerPage: Page;

/** A phone of its own (its own cookies), each of whose pages is watched. */
async function phone(): Promise<Page> {
  const context = await browser.newContext(PHONE);
  contexts.push(context);
  const page = await context.newPage();
  watch(page, problems);
  return page;
}

/** The page fits the phone's screen: nothing sticks out to the right. */
async function expectFits(page: Page, what: string) {
  const wide = await overflowing(page);
  if (wide.length) await screenshot(page, `publications-overflow-${what.replace(/[^a-z0-9]+/gi, "-")}`);
  expect(wide, `${what} (${page.url()}) is wider than the phone`).toEqual([]);
}

beforeAll(async () => {
  browser = await launchBrowser();
  [ownerPage, secondPage, readerPage] = [await phone(), await phone(), await phone()];
});
// Each step fails on what its pages did wrong, not only on what it asserts.
afterEach(() => {
  const found = problems.splice(0);
  expect(found).toEqual([]);
});
afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
});

describe("a publication with two writers, a subscriber and a proof for each entry", () => {
  it("1. the owner creates the publication and grants the second writer the writer role, signing both", async () => {
    await signInAs(ownerPage, owner.key, owner.name);
    await ownerPage.goto(`${BASE_URL()}/settings/publications`);
    await expectFits(ownerPage, "the publications settings");
    await ownerPage.getByLabel("Handle").fill(publication.handle);
    await ownerPage.getByLabel("Name").fill(publication.name);
    await ownerPage.getByRole("button", { name: "Sign and create" }).click();
    await ownerPage.waitForURL(/\/settings\/publications\/[a-z0-9]+$/);
    publication.accountId = ownerPage.url().split("/").pop()!;
    await ownerPage.getByRole("heading", { name: publication.name, level: 1 }).waitFor();
    expect(await ownerPage.locator("main").textContent()).toContain("you are its owner");

    const member = privateKeyToAccount(second.key).address;
    await ownerPage.getByLabel("Wallet address").fill(member);
    await ownerPage.getByLabel("Role").selectOption("writer");
    await ownerPage.getByRole("button", { name: "Sign and grant" }).click();
    await ownerPage.getByRole("row", { name: new RegExp(`${member}\\s+writer`, "i") }).waitFor();
    expect(await ownerPage.getByRole("row", { name: /owner/ }).textContent()).toMatch(new RegExp(privateKeyToAccount(owner.key).address, "i"));
    await expectFits(ownerPage, "the publication's settings");
    await screenshot(ownerPage, "publications-1-members");
  });

  it("2. a reader subscribes on the publication's page and confirms from the letter that arrives", async () => {
    await readerPage.goto(`${BASE_URL()}/${publication.handle}`);
    await expectFits(readerPage, "the publication's page");
    await readerPage.getByLabel(`New essays in ${publication.name}, in your inbox`).fill(readerEmail);
    await readerPage.getByRole("button", { name: "Subscribe", exact: true }).click();
    await readerPage.getByRole("heading", { level: 1, name: "Check your inbox" }).waitFor();
    await expectFits(readerPage, "the subscribe answer");

    const confirmation = await openMail(readerPage, readerEmail, `Confirm your subscription to ${publication.name}`);
    expect(confirmation.text).toContain(`the essays published in ${publication.name}`);
    await readerPage.goto(linkIn(confirmation, `${BASE_URL()}/subscriptions/confirm?token=`));
    await readerPage.getByRole("heading", { level: 1, name: "Confirm your subscription" }).waitFor();
    expect(await readerPage.locator("main section p").first().textContent()).toBe(`Get new essays in ${publication.name} at ${readerEmail}?`);
    await expectFits(readerPage, "the confirmation page");
    await readerPage.getByRole("button", { name: "Confirm subscription" }).click();
    await readerPage.getByRole("heading", { level: 1, name: "You're subscribed" }).waitFor();
    expect(await readerPage.locator("main section p").first().textContent()).toContain(`New essays in ${publication.name} will arrive at ${readerEmail}.`);
    await expectFits(readerPage, "the subscribed page");
  });

  it("3. each writer publishes an essay in the publication from their own draft", async () => {
    owner.url = await publishEssay(ownerPage, owner.title, owner.text, publication.name);
    expect(new URL(owner.url).pathname).toMatch(new RegExp(`^/${publication.handle}/[a-z0-9-]+$`));
    await expectFits(ownerPage, "the owner's entry");

    await signInAs(secondPage, second.key, second.name);
    await secondPage.goto(`${BASE_URL()}/drafts`);
    await expectFits(secondPage, "the second writer's drafts");
    second.url = await publishEssay(secondPage, second.title, second.text, publication.name);
    expect(new URL(second.url).pathname).toMatch(new RegExp(`^/${publication.handle}/[a-z0-9-]+$`));
    await expectFits(secondPage, "the second writer's entry");
  });

  it("4. the reader gets both letters, from the publication and naming each author", async () => {
    for (const { title, name, text, url } of [owner, second]) {
      const letter = await openMail(readerPage, readerEmail, title);
      expect(capturedHeaders(letter.id).from).toMatch(new RegExp(`^"?${publication.name} via `));
      expect(letter.text).toContain(`${title}\nby ${name}, in ${publication.name}`);
      expect(letter.text).toContain(text);
      expect(letter.text).toContain(`Read it on the web: ${url}`);
      expect(letter.htmlText).toContain(`by ${name}`);
    }
    await screenshot(readerPage, "publications-4-letter");
  });

  it("5. each entry's page names its writer and the publication; the publication's page lists both entries and both writers", async () => {
    for (const { url, name } of [owner, second]) {
      await readerPage.goto(url);
      expect((await readerPage.locator(".byline").textContent())?.replace(/\s+/g, " ")).toMatch(new RegExp(`^by ${name} in ${publication.name} · `));
      await expectFits(readerPage, `${name}'s entry`);
    }
    await readerPage.goto(`${BASE_URL()}/${publication.handle}`);
    expect(await readerPage.locator(".entry-list h2").allTextContents()).toEqual([second.title, owner.title]);
    expect(await readerPage.locator(".entry-list li").first().textContent()).toContain(second.name);
    const members = readerPage.getByTestId("members").locator("li");
    expect(await members.evaluateAll((items) => items.map((item) => `${item.getAttribute("data-role")}: ${item.querySelector("a")?.textContent}`))).toEqual([`owner: ${owner.name}`, `writer: ${second.name}`]);
    await expectFits(readerPage, "the publication's page");
    await screenshot(readerPage, "publications-5-publication");
  });

  it("6. each entry's proof page reads verified, its writer proven a member from the records on the gateway", { timeout: 2 * PROOF_TIMEOUT + 30_000 }, async () => {
    for (const { url, key } of [owner, second]) {
      const address = privateKeyToAccount(key).address;
      await readerPage.goto(url);
      await readerPage.getByRole("link", { name: "Verify this entry" }).click();
      await readerPage.waitForURL(/\/verify\/[A-Za-z0-9_-]{43}$/);
      // The publication's and the grant's records reach the gateway through the outbox worker.
      await expect
        .poll(
          async () => {
            await readerPage.reload();
            return readerPage.getByTestId("verdict").getAttribute("data-state");
          },
          { timeout: PROOF_TIMEOUT, interval: 1_000 },
        )
        .toBe("verified");
      expect(await readerPage.getByTestId("verdict").textContent()).toBe("Verified");
      const membership = readerPage.getByTestId("membership");
      expect(await membership.getByRole("heading").textContent()).toBe(`Published in ${publication.name}`);
      const grant = membership.getByTestId("check-grant");
      expect(await grant.getAttribute("data-state")).toBe("ok");
      const proven = ((await grant.textContent()) ?? "").replace(/\s+/g, " ");
      if (key === owner.key) expect(proven).toMatch(new RegExp(`${address} owns the publication`, "i"));
      else expect(proven).toMatch(new RegExp(`granted ${address} the role of writer from .* valid at the entry's time`, "i"));
      await expectFits(readerPage, "the proof page");
      await screenshot(readerPage, `publications-6-proof-${key === owner.key ? "owner" : "writer"}`);
    }
    // Long after the letters left, each is still in the reader's inbox once.
    for (const { title } of [owner, second]) expect(await countMail(readerPage, readerEmail, title), title).toBe(1);
  });
});
