/**
 * One writer's journey through the platform, step by step, in the browser: a profile, an
 * illustrated essay published and verified, an edition collected by two readers and sold out, the
 * proceeds withdrawn to the writer's wallet, an email subscriber who confirms, gets the next essay
 * and leaves in one click, and a second version of the essay beside the first.
 *
 * The steps share state and run in order; once one fails, the rest are skipped.
 */
import crypto from "node:crypto";
import type { Browser, Page } from "playwright-core";
import { type Address, type Hex, createPublicClient, formatEther, http, parseEther, parseEventLogs } from "viem";
import { hardhat } from "viem/chains";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { writingEditionsAbi, writingEditionsFactoryAbi } from "~/generated/contracts";
import { BASE_URL, devAccountKey, injectWallet, launchBrowser, screenshot } from "./support/browser";
import { capturedHeaders, linkIn, openMail } from "./support/mail";
import { editorSelection, typeEssayWithLink } from "./support/writer";
import { solidPng } from "../support/png";

// Dev accounts 3 and 4 collect in collect.e2e.test.ts; this journey keeps to its own.
const WRITER_ACCOUNT = 5;
const COLLECTOR_ACCOUNTS = [6, 7] as const;

const WAIT = 60_000;
const short = (address: string) => `${address.slice(0, 6)}…${address.slice(-4)}`;

let browser: Browser;
let chain: ReturnType<typeof createPublicClient>;
beforeAll(async () => {
  browser = await launchBrowser();
  const rpcUrl = process.env.E2E_RPC_URL!;
  chain = createPublicClient({ chain: { ...hardhat, rpcUrls: { default: { http: [rpcUrl] } } }, transport: http(rpcUrl) });
});
afterAll(() => browser?.close());

/** Waits until the page shows `text` in the element with `testId` (across the page's own reloads). */
async function seeTestId(page: Page, testId: string, text: string | RegExp, timeout = WAIT) {
  await page
    .getByTestId(testId)
    .filter({ hasText: typeof text === "string" ? new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`) : text })
    .waitFor({ timeout });
}

describe("a writer's journey, from a first essay to a second version", () => {
  const run = crypto.randomBytes(3).toString("hex");
  const handle = `mara-${run}`;
  const displayName = "Mara Quill";
  const title = "What lasts";
  const secondTitle = "A second letter";
  const readerEmail = `reader-${run}@example.com`;
  const addedSentence = "Copies outlive their makers.";
  const IMAGE_WIDTH = 320;
  const image = solidPng(IMAGE_WIDTH, 160, [crypto.randomInt(256), crypto.randomInt(256), crypto.randomInt(256)]);

  let writerPage: Page;
  let readerPage: Page;
  let soldOutReaderPage: Page;
  let writerAddress: Address;
  const writerTransactions: Hex[] = [];
  let entryUrl: string;
  let firstArweaveId: string;
  let editionAddress: Address;
  let price: bigint;

  /** Every page open in the journey, by who is looking at it. */
  const pages = new Map<string, Page>();
  async function newPage(who: string): Promise<Page> {
    await pages.get(who)?.close();
    const page = await browser.newPage();
    pages.set(who, page);
    return page;
  }
  afterAll(async () => {
    await Promise.all([...pages.values()].map((page) => page.close()));
  });

  let failedStep: string | undefined;
  beforeEach((context) => {
    if (failedStep) context.skip(`an earlier step failed: ${failedStep}`);
    context.onTestFailed(async () => {
      failedStep ??= context.task.name;
      // What each person saw when the step failed.
      const step = context.task.name.split(".")[0];
      for (const [who, page] of pages) if (!page.isClosed()) await screenshot(page, `journey-${step}-failed-${who}`).catch(() => undefined);
    });
  });

  it("1. a writer connects their wallet, signs in and creates a profile", async () => {
    writerPage = await newPage("writer");
    writerAddress = (await injectWallet(writerPage, devAccountKey(WRITER_ACCOUNT), { onTransaction: (hash) => writerTransactions.push(hash) })).address;
    await writerPage.goto(`${BASE_URL()}/signin`);
    await writerPage.getByRole("button", { name: "Sign in with Test Wallet" }).click();
    await writerPage.waitForURL(/\/settings\/profile/);
    await writerPage.getByLabel("Handle").fill(handle);
    await writerPage.getByLabel("Display name").fill(displayName);
    await writerPage.getByRole("button", { name: "Save profile" }).click();
    await writerPage.waitForURL(/\/drafts$/);
    await writerPage.getByRole("heading", { level: 1, name: "Drafts" }).waitFor();

    await writerPage.goto(`${BASE_URL()}/${handle}`);
    await writerPage.getByRole("heading", { level: 1, name: displayName }).waitFor();
    expect((await writerPage.locator(".writer-header .muted").textContent())?.toLowerCase()).toBe(`@${handle} · ${short(writerAddress)}`.toLowerCase());
    expect(await writerPage.getByText(`${displayName} has not published yet.`).count()).toBe(1);
    await screenshot(writerPage, "journey-1-profile");
  });

  it("2. writes an essay with a heading, a list, a link and an image, publishes it and signs it", async () => {
    await writerPage.goto(`${BASE_URL()}/drafts`);
    await writerPage.getByRole("button", { name: "New draft" }).click();
    await writerPage.waitForURL(/\/drafts\/[a-z0-9]+$/);
    await writerPage.getByTestId("title").fill(title);
    const editor = writerPage.getByTestId("editor");
    await typeEssayWithLink(writerPage);
    const keyboard = writerPage.keyboard;
    await keyboard.press("End");
    await expect.poll(() => editorSelection(editor)).toBe("");
    await keyboard.press("Enter");

    // The Image button opens the file picker; the image goes to Arweave and into the essay.
    const [chooser] = await Promise.all([writerPage.waitForEvent("filechooser"), writerPage.getByRole("button", { name: "Image", exact: true }).click()]);
    await chooser.setFiles({ name: "harbour.png", mimeType: "image/png", buffer: image });
    const editorImage = editor.locator("img");
    await editorImage.waitFor({ timeout: WAIT });
    await writerPage.getByText(/^Uploading/).waitFor({ state: "detached", timeout: WAIT });
    expect(await writerPage.getByTestId("editor-notice").count()).toBe(0);
    await expect.poll(() => editorImage.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), { timeout: 15_000 }).toBe(IMAGE_WIDTH);

    await expect.poll(() => writerPage.getByTestId("save-status").getAttribute("data-state"), { timeout: 15_000 }).toBe("saved");
    expect(await editor.locator("h2").textContent()).toBe("Why it lasts");
    expect(await editor.locator("ul li").allTextContents()).toEqual(["arweave", "signatures"]);
    expect(await editor.locator('a[href="https://example.com/spec"]').textContent()).toBe("the spec");
    await screenshot(writerPage, "journey-2-editor");

    // Publishing has the wallet sign the entry; the page then goes to the published essay.
    await writerPage.getByRole("button", { name: "Publish", exact: true }).click();
    await writerPage.waitForURL(new RegExp(`/${handle}/what-lasts$`), { timeout: WAIT });
    entryUrl = writerPage.url();
    expect(await writerPage.locator("article.entry h1").textContent()).toBe(title);
    const prose = writerPage.locator("article.entry .prose");
    expect(await prose.locator("h2").textContent()).toBe("Why it lasts");
    expect(await prose.locator("p").first().textContent()).toBe("Paper burns; replicated bytes do not.");
    expect(await prose.locator("ul li").allTextContents()).toEqual(["arweave", "signatures"]);
    expect(await prose.locator('a[href="https://example.com/spec"]').textContent()).toBe("the spec");

    const published = prose.locator("img");
    expect(await published.count()).toBe(1);
    const src = await published.evaluate((img: HTMLImageElement) => img.src);
    expect(src).toMatch(/^https?:\/\/[^/]+\/[A-Za-z0-9_-]{43}$/);
    await expect.poll(() => published.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), { timeout: 15_000 }).toBe(IMAGE_WIDTH);
    const served = await fetch(src);
    expect(served.status).toBe(200);
    expect(served.headers.get("content-type")).toMatch(/^image\/png/);
    expect(Buffer.from(await served.arrayBuffer()).equals(image)).toBe(true);
    await screenshot(writerPage, "journey-2-published");
  });

  it("3. finds the essay on their page and the home page, and its proof is verified", async () => {
    await writerPage.goto(`${BASE_URL()}/${handle}`);
    const onWriterPage = writerPage.locator(".entry-list").getByRole("link", { name: title, exact: true });
    expect(await onWriterPage.getAttribute("href")).toBe(`/${handle}/what-lasts`);
    expect(await writerPage.locator(".entry-list li").first().textContent()).toContain("Paper burns; replicated bytes do not.");
    await screenshot(writerPage, "journey-3-writer-page");

    await writerPage.goto(`${BASE_URL()}/`);
    const listed = writerPage.locator(".entry-list li").filter({ has: writerPage.locator(`a[href="/${handle}/what-lasts"]`) });
    expect(await listed.count()).toBe(1);
    expect(await listed.getByRole("link", { name: displayName }).getAttribute("href")).toBe(`/${handle}`);
    await screenshot(writerPage, "journey-3-home");

    await writerPage.goto(entryUrl);
    await writerPage.getByRole("link", { name: "Verify this entry" }).click();
    await writerPage.waitForURL(/\/verify\/[A-Za-z0-9_-]{43}$/);
    firstArweaveId = writerPage.url().split("/").pop()!;
    expect(await writerPage.getByTestId("verdict").textContent()).toBe("Verified");
    const summary = (await writerPage.locator("article.proof p").nth(1).textContent())!;
    expect(summary).toContain(`${title}, version 1, signed by`);
    expect(summary.toLowerCase()).toContain(writerAddress.toLowerCase());
    await screenshot(writerPage, "journey-3-proof");
  });

  it("4. makes it an edition of 2 at 0.01 ETH, creating it with their own transaction", async () => {
    await writerPage.goto(entryUrl);
    await writerPage.getByRole("link", { name: "Make it collectible" }).click();
    await writerPage.getByRole("heading", { level: 1, name: `Make “${title}” collectible` }).waitFor();
    expect((await writerPage.getByLabel("Proceeds go to").inputValue()).toLowerCase()).toBe(writerAddress.toLowerCase());
    await writerPage.getByLabel("Price in ETH").fill("0.01");
    await writerPage.getByLabel("Supply").fill("2");
    const sentBefore = writerTransactions.length;
    await writerPage.getByRole("button", { name: "Create now (you pay the gas)" }).click();
    await Promise.race([writerPage.waitForURL(entryUrl, { timeout: WAIT }), writerPage.getByRole("alert").waitFor({ timeout: WAIT })]);
    expect((await writerPage.getByRole("alert").count()) ? await writerPage.getByRole("alert").textContent() : "no error").toBe("no error");

    expect(await writerPage.locator("section.edition p").first().textContent()).toBe("0.01 ETH · 0 collected of 2");
    expect(await writerPage.getByTestId("supply").textContent()).toBe("0 collected of 2");
    expect(await writerPage.getByTestId("held").textContent()).toBe("0 ETH");
    expect(await writerPage.getByRole("button", { name: "Withdraw" }).isDisabled()).toBe(true);
    await screenshot(writerPage, "journey-4-edition");

    // The writer's wallet sent one transaction: the factory's create, which made this edition.
    expect(writerTransactions.length).toBe(sentBefore + 1);
    const receipt = await chain.getTransactionReceipt({ hash: writerTransactions[sentBefore]! });
    expect(receipt.status).toBe("success");
    const [created] = parseEventLogs({ abi: writingEditionsFactoryAbi, eventName: "EditionCreated", logs: receipt.logs });
    expect(created).toBeDefined();
    editionAddress = created!.args.edition;
    expect(created!.args.author.toLowerCase()).toBe(writerAddress.toLowerCase());
    price = await chain.readContract({ address: editionAddress, abi: writingEditionsAbi, functionName: "price" });
    expect(price).toBe(parseEther("0.01"));
    expect(await chain.readContract({ address: editionAddress, abi: writingEditionsAbi, functionName: "limit" })).toBe(2n);
  });

  it("5. a reader subscribes by email, confirms, gets the next essay and unsubscribes in one click", async () => {
    readerPage = await newPage("subscriber");
    await readerPage.goto(`${BASE_URL()}/${handle}`);
    await readerPage.getByLabel(`New essays by ${displayName}, in your inbox`).fill(readerEmail);
    await readerPage.getByRole("button", { name: "Subscribe", exact: true }).click();
    await readerPage.getByRole("heading", { level: 1, name: "Check your inbox" }).waitFor();
    expect(await readerPage.locator("main section p").first().textContent()).toContain(`If ${readerEmail} is not subscribed to ${displayName} yet, a link to confirm is on its way.`);
    await screenshot(readerPage, "journey-5-subscribe");

    const confirmation = await openMail(readerPage, readerEmail, `Confirm your subscription to ${displayName}`);
    expect(confirmation.to).toContain(readerEmail);
    expect(confirmation.htmlText).toContain("Confirm your subscription");
    await screenshot(readerPage, "journey-5-confirmation-mail");
    await readerPage.goto(linkIn(confirmation, `${BASE_URL()}/subscriptions/confirm?token=`));
    await readerPage.getByRole("heading", { level: 1, name: "Confirm your subscription" }).waitFor();
    expect(await readerPage.locator("main section p").first().textContent()).toBe(`Get new essays by ${displayName} at ${readerEmail}?`);
    await readerPage.getByRole("button", { name: "Confirm subscription" }).click();
    await readerPage.getByRole("heading", { level: 1, name: "You're subscribed" }).waitFor();
    expect(await readerPage.locator("main section p").first().textContent()).toContain(`New essays by ${displayName} will arrive at ${readerEmail}.`);
    await screenshot(readerPage, "journey-5-confirmed");

    const welcome = await openMail(readerPage, readerEmail, `You're subscribed to ${displayName}`);
    expect(welcome.text).toContain(`Read what is already there: ${BASE_URL()}/${handle}`);
    await screenshot(readerPage, "journey-5-welcome-mail");

    // The writer publishes the next essay; every confirmed subscriber gets it.
    await writerPage.goto(`${BASE_URL()}/drafts`);
    await writerPage.getByRole("button", { name: "New draft" }).click();
    await writerPage.waitForURL(/\/drafts\/[a-z0-9]+$/);
    await writerPage.getByTestId("title").fill(secondTitle);
    await writerPage.getByTestId("editor").click();
    await writerPage.keyboard.type("Subscribers get this one by email, whole.");
    await expect.poll(() => writerPage.getByTestId("save-status").getAttribute("data-state"), { timeout: 15_000 }).toBe("saved");
    await writerPage.getByRole("button", { name: "Publish", exact: true }).click();
    await writerPage.waitForURL(new RegExp(`/${handle}/a-second-letter$`), { timeout: WAIT });
    expect(await writerPage.locator("article.entry h1").textContent()).toBe(secondTitle);
    await screenshot(writerPage, "journey-5-second-entry");

    const newsletter = await openMail(readerPage, readerEmail, secondTitle);
    for (const shown of [displayName, secondTitle, "Subscribers get this one by email, whole.", `You get this because you subscribed to ${displayName}.`]) expect(newsletter.htmlText).toContain(shown);
    // This essay has no edition, so the letter offers reading it, not collecting it.
    expect(newsletter.htmlText).toContain("Read it on the web");
    expect(newsletter.htmlText).not.toContain("Collect it");
    expect(newsletter.text).toContain(`${secondTitle}\nby ${displayName}`);
    expect(newsletter.text).toContain("Subscribers get this one by email, whole.");
    expect(newsletter.text).toContain(`Read it on the web: ${BASE_URL()}/${handle}/a-second-letter`);
    const unsubscribeUrl = linkIn(newsletter, `${BASE_URL()}/unsubscribe?token=`);
    expect(newsletter.text).toContain(`Unsubscribe: ${unsubscribeUrl}`);
    // Mail clients show their own unsubscribe button from these (RFC 2369, RFC 8058).
    const headers = capturedHeaders(newsletter.id);
    expect(headers["list-unsubscribe"]).toBe(`<${unsubscribeUrl}>`);
    expect(headers["list-unsubscribe-post"]).toBe("List-Unsubscribe=One-Click");
    await screenshot(readerPage, "journey-5-newsletter");

    await readerPage.goto(unsubscribeUrl);
    await readerPage.getByRole("heading", { level: 1, name: `Unsubscribe from ${displayName}?` }).waitFor();
    expect(await readerPage.locator("main").getByRole("button").allTextContents()).toEqual(["Unsubscribe"]);
    await readerPage.getByRole("button", { name: "Unsubscribe" }).click();
    await readerPage.getByRole("heading", { level: 1, name: "You're unsubscribed" }).waitFor();
    expect(await readerPage.locator("main section p").first().textContent()).toContain(`${readerEmail} gets nothing more from ${displayName}.`);
    await screenshot(readerPage, "journey-5-unsubscribed");
  });

  it("6. two readers collect the edition with messages, and a third finds it sold out", async () => {
    const messages = ["First to keep it.", "The last copy, gladly."];
    const collectors: Address[] = [];
    for (const [i, account] of COLLECTOR_ACCOUNTS.entries()) {
      const page = await newPage(`collector-${i + 1}`);
      const collector = (await injectWallet(page, devAccountKey(account))).address;
      collectors.push(collector);
      await page.goto(entryUrl);
      expect(await page.getByTestId("supply").textContent()).toBe(`${i} collected of 2`);
      await page.getByLabel(/Message to the writer/).fill(messages[i]!);
      await page.getByRole("button", { name: "Collect for 0.01 ETH" }).click();
      // The page reloads once the indexer has recorded the purchase.
      await seeTestId(page, "supply", `${i + 1} collected of 2`);
      const listed = page.getByTestId("collectors").locator("li");
      expect(await listed.count()).toBe(i + 1);
      // Newest first: each collector with their message.
      expect(await listed.first().getByRole("link").textContent()).toBe(short(collector));
      expect(await listed.first().locator("q").textContent()).toBe(messages[i]);
      expect(await listed.first().getByRole("link").getAttribute("href")).toBe(`/collector/${collector}`);
      await screenshot(page, `journey-6-collected-${i + 1}`);
    }

    soldOutReaderPage = await newPage("third-reader");
    await soldOutReaderPage.goto(entryUrl);
    expect(await soldOutReaderPage.getByTestId("supply").textContent()).toBe("2 collected of 2");
    expect(await soldOutReaderPage.getByTestId("sold-out").textContent()).toBe("Sold out: every copy has been collected.");
    expect(await soldOutReaderPage.getByRole("button", { name: /^Collect/ }).count()).toBe(0);
    expect(await soldOutReaderPage.getByLabel(/Message to the writer/).count()).toBe(0);
    const listed = soldOutReaderPage.getByTestId("collectors").locator("li");
    expect(await listed.locator("a").allTextContents()).toEqual([short(collectors[1]!), short(collectors[0]!)]);
    expect(await listed.locator("q").allTextContents()).toEqual([messages[1], messages[0]]);
    await screenshot(soldOutReaderPage, "journey-6-sold-out");
  });

  it("7. the writer withdraws the proceeds, and their balance rises by them less the gas", async () => {
    const proceeds = 2n * price;
    const feeBps = await chain.readContract({ address: editionAddress, abi: writingEditionsAbi, functionName: "feeBps" });
    const fee = (proceeds * feeBps) / 10_000n;
    expect((await chain.readContract({ address: editionAddress, abi: writingEditionsAbi, functionName: "fundingRecipient" })).toLowerCase()).toBe(writerAddress.toLowerCase());
    expect(await chain.getBalance({ address: editionAddress })).toBe(proceeds);

    await writerPage.goto(entryUrl);
    expect(await writerPage.getByTestId("held").textContent()).toBe(`${formatEther(proceeds)} ETH`);
    expect(await writerPage.getByTestId("sold-out").count()).toBe(1);
    // Their own page points the writer to their subscribers instead of asking them to subscribe.
    expect(await writerPage.getByRole("link", { name: "Your subscribers" }).getAttribute("href")).toBe("/settings/subscribers");
    expect(await writerPage.getByRole("button", { name: "Subscribe", exact: true }).count()).toBe(0);
    await screenshot(writerPage, "journey-7-held");

    const before = await chain.getBalance({ address: writerAddress });
    const sentBefore = writerTransactions.length;
    await writerPage.getByRole("button", { name: "Withdraw" }).click();
    await writerPage.getByText("Withdrawn.", { exact: true }).waitFor({ timeout: WAIT });
    expect(writerTransactions.length).toBe(sentBefore + 1);
    const receipt = await chain.waitForTransactionReceipt({ hash: writerTransactions[sentBefore]! });
    expect(receipt.status).toBe("success");
    expect(receipt.to?.toLowerCase()).toBe(editionAddress.toLowerCase());
    const after = await chain.getBalance({ address: writerAddress });
    const gas = receipt.gasUsed * receipt.effectiveGasPrice;
    expect(after - before).toBe(proceeds - fee - gas);
    expect(await chain.getBalance({ address: editionAddress })).toBe(0n);

    // The page reloads itself once the index has seen the payout: nothing is held any more.
    await writerPage.getByText("Withdrawn.", { exact: true }).waitFor({ state: "detached", timeout: WAIT });
    expect(await writerPage.getByTestId("held").textContent()).toBe("0 ETH");
    expect(await writerPage.getByRole("button", { name: "Withdraw" }).isDisabled()).toBe(true);
    await screenshot(writerPage, "journey-7-withdrawn");
  });

  it("8. edits the essay: version 2 is published and verified, and version 1 stays readable and verified", async () => {
    await writerPage.goto(entryUrl);
    await writerPage.getByRole("button", { name: "Edit (publishes a new version)" }).click();
    await writerPage.waitForURL(/\/drafts\/[a-z0-9]+$/);
    const editor = writerPage.getByTestId("editor");
    const paragraph = editor.locator("p", { hasText: "Paper burns; replicated bytes do not." });
    await paragraph.click();
    await writerPage.keyboard.press("End");
    await writerPage.keyboard.type(` ${addedSentence}`);
    await expect.poll(() => writerPage.getByTestId("save-status").getAttribute("data-state"), { timeout: 15_000 }).toBe("saved");
    await screenshot(writerPage, "journey-8-editing");
    await writerPage.getByRole("button", { name: "Publish new version" }).click();
    await writerPage.waitForURL(entryUrl, { timeout: WAIT });

    const prose = writerPage.locator("article.entry .prose");
    expect(await prose.locator("p").first().textContent()).toBe(`Paper burns; replicated bytes do not. ${addedSentence}`);
    expect(await prose.locator("img").count()).toBe(1);
    const versions = writerPage.locator(".versions li");
    expect(await versions.count()).toBe(2);
    expect(await versions.getByRole("link", { name: /^Version \d$/ }).allTextContents()).toEqual(["Version 2", "Version 1"]);
    const proofOf = async (version: number) =>
      (await versions.filter({ has: writerPage.getByRole("link", { name: `Version ${version}`, exact: true }) }).getByRole("link", { name: "proof" }).getAttribute("href"))!;
    const secondProof = await proofOf(2);
    expect(await proofOf(1)).toBe(`/verify/${firstArweaveId}`);
    expect(secondProof).toMatch(/^\/verify\/[A-Za-z0-9_-]{43}$/);
    expect(secondProof).not.toBe(`/verify/${firstArweaveId}`);
    expect(await writerPage.getByRole("link", { name: "Verify this entry" }).getAttribute("href")).toBe(secondProof);
    await screenshot(writerPage, "journey-8-version-2");

    await writerPage.getByRole("link", { name: "Verify this entry" }).click();
    await writerPage.waitForURL(`${BASE_URL()}${secondProof}`);
    expect(await writerPage.getByTestId("verdict").textContent()).toBe("Verified");
    expect(await writerPage.locator("article.proof p").nth(1).textContent()).toContain(`${title}, version 2, signed by`);
    await screenshot(writerPage, "journey-8-proof-v2");

    // A reader who had the page open sees the new version on reload.
    await soldOutReaderPage.reload();
    expect(await soldOutReaderPage.locator("article.entry .prose p").first().textContent()).toBe(`Paper burns; replicated bytes do not. ${addedSentence}`);
    expect(await soldOutReaderPage.locator(".versions li").count()).toBe(2);
    // Dated by its first publication, and said to be updated.
    expect((await soldOutReaderPage.locator(".byline").textContent())!.replace(/\s+/g, " ")).toMatch(
      new RegExp(`^${displayName} · \\d{1,2} [A-Z][a-z]+ \\d{4} · 1 min read · updated \\d{1,2} [A-Z][a-z]+ \\d{4}$`),
    );

    // Version 1 stays where it was, as it was.
    await soldOutReaderPage.goto(`${entryUrl}?version=1`);
    expect(await soldOutReaderPage.locator("article.entry h1").textContent()).toBe(title);
    expect(await soldOutReaderPage.locator("article.entry .prose p").first().textContent()).toBe("Paper burns; replicated bytes do not.");
    expect(await soldOutReaderPage.locator("article.entry .prose").textContent()).not.toContain(addedSentence);
    expect(await soldOutReaderPage.locator(".byline").textContent()).toContain("version 1 of 2, read the latest");
    expect(await soldOutReaderPage.locator(".byline").textContent()).not.toContain("updated");
    expect(await soldOutReaderPage.getByRole("link", { name: "Verify this entry" }).getAttribute("href")).toBe(`/verify/${firstArweaveId}`);
    await screenshot(soldOutReaderPage, "journey-8-version-1");
    await soldOutReaderPage.getByRole("link", { name: "Verify this entry" }).click();
    await soldOutReaderPage.waitForURL(`${BASE_URL()}/verify/${firstArweaveId}`);
    expect(await soldOutReaderPage.getByTestId("verdict").textContent()).toBe("Verified");
    expect(await soldOutReaderPage.locator("article.proof p").nth(1).textContent()).toContain(`${title}, version 1, signed by`);
    expect(await soldOutReaderPage.getByTestId("read-here").textContent()).toBe(`Read it here: ${title}, version 1 by ${displayName} (version 2 is the latest).`);
    await screenshot(soldOutReaderPage, "journey-8-proof-v1");
    // From the proof, back to the version it proves.
    await soldOutReaderPage.getByTestId("read-here").getByRole("link", { name: title, exact: true }).click();
    await soldOutReaderPage.waitForURL(`${entryUrl}?version=1`);
    expect(await soldOutReaderPage.locator(".byline").textContent()).toContain("version 1 of 2");
  });
});
