import fs from "node:fs";
import path from "node:path";
import type { Page } from "playwright-core";
import { BASE_URL } from "./browser";

export interface OpenedMail {
  id: string;
  subject: string;
  to: string;
  /** The plain-text part, as the message page shows it. */
  text: string;
  /** The text of the HTML part as it is displayed, or null when the message has none. */
  htmlText: string | null;
}

/**
 * Opens the local mailbox (/dev/mail) until a message to `to` whose subject is `subject` is
 * listed, then opens it, as someone reading their mail would. Mail leaves through a worker, so
 * the list is reloaded until the message is there or `timeoutMs` has passed.
 */
export async function openMail(page: Page, to: string, subject: string, timeoutMs = 60_000): Promise<OpenedMail> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await page.goto(`${BASE_URL()}/dev/mail`);
    const row = mailRows(page, to, subject);
    if ((await row.count()) > 0) {
      await row.first().getByRole("link", { name: subject, exact: true }).click();
      await page.waitForURL(/\/dev\/mail\/[0-9]+-[0-9a-f]+$/);
      const id = page.url().split("/").pop()!;
      // The HTML part is shown in a sandboxed frame of its own, painted after the page.
      const hasHtml = (await page.locator("iframe.mail-html").count()) > 0;
      const body = page.frameLocator("iframe.mail-html").locator("body");
      if (hasHtml) await body.waitFor({ state: "visible" });
      return {
        id,
        subject: (await page.getByRole("heading", { level: 1 }).textContent()) ?? "",
        to: (await page.locator("tr", { has: page.locator("th", { hasText: /^To$/ }) }).locator("td").textContent()) ?? "",
        text: (await page.locator("pre").textContent()) ?? "",
        htmlText: hasHtml ? await body.innerText() : null,
      };
    }
    if (Date.now() > deadline) throw new Error(`no message to ${to} with the subject “${subject}” arrived within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The rows of the local mailbox's list (the page open in `page`) that are messages to `to` with the subject `subject`. */
function mailRows(page: Page, to: string, subject: string) {
  return page
    .locator("tbody tr")
    .filter({ has: page.locator("td", { hasText: to }) })
    .filter({ has: page.getByRole("link", { name: subject, exact: true }) });
}

/** How many messages to `to` with the subject `subject` the local mailbox holds now. */
export async function countMail(page: Page, to: string, subject: string): Promise<number> {
  await page.goto(`${BASE_URL()}/dev/mail`);
  return mailRows(page, to, subject).count();
}

/** The first URL in a message's text that starts with `prefix`. */
export function linkIn(mail: OpenedMail, prefix: string): string {
  const escaped = prefix.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const found = mail.text.match(new RegExp(`${escaped}\\S*`));
  if (!found) throw new Error(`the message “${mail.subject}” has no link starting with ${prefix}:\n${mail.text}`);
  return found[0];
}

/**
 * The header fields of a captured message, from the file the local mail catcher stored (the
 * mailbox pages show only From, To and the subject). Names are lower-cased; folded lines unfolded.
 */
export function capturedHeaders(id: string): Record<string, string> {
  const raw = fs.readFileSync(path.join(process.env.E2E_DATA_DIR!, "mail", `${id}.eml`), "utf8");
  const head = raw.split(/\r?\n\r?\n/, 1)[0]!.replace(/\r?\n[ \t]+/g, " ");
  const headers: Record<string, string> = {};
  for (const line of head.split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}
