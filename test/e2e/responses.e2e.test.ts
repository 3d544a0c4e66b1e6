/**
 * A reply from the social web, from the writer's phone: it waits on /settings/responses, the writer
 * approves it there, and it shows under the essay. The reply comes from a real ActivityPub server
 * (test/support/fediverse.ts) on the port the platform was told to accept (support/platform.ts),
 * carrying HTML no page may run. Neither page may throw, log an error or be wider than the screen.
 */
import crypto from "node:crypto";
import { Temporal } from "@js-temporal/polyfill";
import { Create, Note } from "@fedify/vocab";
import type { Browser } from "playwright-core";
import { generatePrivateKey } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPeer, type Peer } from "../support/fediverse";
import { BASE_URL, launchBrowser, overflowing, screenshot, watch } from "./support/browser";
import { publishEssay, signInAs } from "./support/writer";

const PHONE = { width: 390, height: 844 };

let browser: Browser;
let peer: Peer;
beforeAll(async () => {
  [browser, peer] = await Promise.all([launchBrowser(), startPeer(["mira"], { port: Number(process.env.E2E_PEER_PORT) })]);
});
afterAll(async () => {
  await browser?.close();
  await peer?.stop();
});

describe("a reply from the social web, on the writer's phone", () => {
  it("waits on /settings/responses, is approved there, and shows under the essay without running anything it carried", async () => {
    const page = await browser.newPage({ viewport: PHONE });
    const problems = watch(page);
    await signInAs(page, generatePrivateKey(), "Tove Replies");
    const title = `Answered ${crypto.randomBytes(2).toString("hex")}`;
    const entryUrl = await publishEssay(page, title, "An essay someone on Mastodon answers.");

    // The essay's ActivityPub id, as a server on the social web learns it: by asking the page for ActivityStreams.
    const article = (await (await fetch(entryUrl, { headers: { accept: "application/activity+json" } })).json()) as { id: string };
    const mira = peer.account("mira");
    const note = new Note({
      id: new URL(`${mira.id.href}/notes/1`),
      attribution: mira.id,
      replyTarget: new URL(article.id),
      url: new URL(`${peer.origin}/@mira/1`),
      published: Temporal.Now.instant(),
      content:
        '<p onclick="alert(1)">Thank you for this, a <em>long-awaited</em> reply-guy-free read: ' +
        'https://example.org/a/very/long/address/that/goes/on/and/on/without/any/place/to/break/it/over/lines</p>' +
        '<script>alert(2)</script><a href="javascript:alert(3)">tap</a><img src="x" onerror="alert(4)"><style>body{width:4000px}</style>',
    });
    await peer.send("mira", `${BASE_URL()}/ap/inbox`, new Create({ id: new URL(`${note.id!.href}#create`), actor: mira.id, object: note }));

    // Not on the essay yet.
    await page.goto(entryUrl);
    expect(await page.locator('[data-testid="response"]').count()).toBe(0);

    await page.getByRole("link", { name: "Responses", exact: true }).click();
    await page.waitForURL(/\/settings\/responses/);
    const item = page.locator('[data-testid="moderated-response"]').filter({ hasText: "long-awaited" });
    await item.waitFor();
    expect(await item.textContent()).toContain(title);
    expect(await item.getByRole("link", { name: "Mira Remote" }).getAttribute("href")).toBe(`${peer.origin}/@mira`);
    expect(await overflowing(page), "/settings/responses is wider than the phone").toEqual([]);
    await screenshot(page, "responses-pending");
    await item.getByRole("button", { name: "Approve" }).click();
    await page.waitForURL(/\/settings\/responses\?status=pending$/);
    expect(await page.locator('[data-testid="moderated-response"]').filter({ hasText: "long-awaited" }).count()).toBe(0);
    expect(await page.locator('[data-status="approved"]').textContent()).toBe("1");

    await page.goto(entryUrl);
    const shown = page.locator('[data-testid="response"]');
    expect(await shown.count()).toBe(1);
    expect(await shown.locator(".response-body em").textContent()).toBe("long-awaited");
    expect(await shown.getByRole("link", { name: "Mira Remote" }).getAttribute("href")).toBe(`${peer.origin}/@mira`);
    expect(await shown.locator("script, style, img, [onclick]").count()).toBe(0);
    expect(await overflowing(page), "the entry page is wider than the phone").toEqual([]);
    await screenshot(page, "responses-approved");
    expect(problems).toEqual([]);
    await page.close();
  });
});
