import crypto from "node:crypto";
import { Window } from "happy-dom";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb, type Database } from "~/db.server";
import { getEnv } from "~/env.server";
import { signedInBrowser, startTestServer } from "../support/web";
import { createPublication, signMembership } from "../support/publications";

let server: Awaited<ReturnType<typeof startTestServer>>;
let db: Database;
const parser = new new Window().DOMParser();
const html = (text: string) => parser.parseFromString(text, "text/html");
const essay = (text: string) => ({ type: "doc", content: [{ type: "paragraph", content: [{ type: "text", text }] }] });

async function newWriter(displayName: string) {
  const account = privateKeyToAccount(generatePrivateKey());
  const handle = `p-${crypto.randomBytes(4).toString("hex")}`;
  await db.writer.create({ data: { address: account.address.toLowerCase(), handle, displayName } });
  return { account, handle, browser: await signedInBrowser(server.url, account) };
}

beforeAll(async () => {
  server = await startTestServer();
  db = getDb();
});
afterAll(async () => {
  await server?.stop();
});

describe("the drafts pages of a publication's members", () => {
  it("offers “Publish in”, lists a member's draft to the owner with its author, and publishes it under the publication's address", async () => {
    const owner = await newWriter("Olive Owner");
    const author = await newWriter("Arthur Author");
    const outsider = await newWriter("Otto Outsider");
    const publication = await createPublication(db, getEnv(), owner.account, { name: "The Margin" });
    await signMembership(db, getEnv(), owner.account, publication.id, author.account.address, "writer", Math.floor(Date.now() / 1000) - 60);

    const choices = [...html(await (await author.browser.fetch("/drafts")).text()).querySelectorAll('form[action="/drafts/new"] select[name="publication"] option')];
    expect(choices.map((option) => [option.getAttribute("value"), option.textContent])).toContainEqual([publication.id, "The Margin"]);
    expect(html(await (await outsider.browser.fetch("/drafts")).text()).querySelector('select[name="publication"]')).toBeNull();

    const created = await author.browser.fetch("/drafts/new", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ publication: publication.id }) });
    const draftPath = created.headers.get("location")!;
    expect(draftPath).toMatch(/^\/drafts\/\w+$/);
    expect((await author.browser.postJson(`${draftPath}/save`, { title: "Margins", document: essay("Notes in the margin."), baseRevision: 1 })).status).toBe(200);
    const refused = await outsider.browser.fetch("/drafts/new", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ publication: publication.id }) });
    expect(refused.status).toBe(403);

    const listed = html(await (await owner.browser.fetch("/drafts")).text());
    const item = [...listed.querySelectorAll(".draft-list li")].find((li) => li.querySelector("a")?.getAttribute("href") === draftPath);
    expect(item?.textContent).toContain("by Arthur Author · for The Margin");
    // Not the owner's to delete.
    expect(item?.querySelector("form")).toBeNull();
    const page = await owner.browser.fetch(draftPath);
    expect(page.status).toBe(200);
    const opened = html(await page.text());
    expect(opened.querySelector(".draft-bar")?.textContent).toContain("by Arthur Author");
    expect(opened.querySelector(".draft-bar select")?.hasAttribute("disabled")).toBe(true);
    expect((await outsider.browser.fetch(draftPath)).status).toBe(403);
    const moved = await owner.browser.postJson(`${draftPath}/save`, { title: "Margins", document: essay("Notes in the margin."), baseRevision: 2, publicationId: null });
    expect([moved.status, ((await moved.json()) as { error: string }).error]).toEqual([403, "Only the draft's author chooses where it is published."]);

    const prepared = (await (await owner.browser.postJson(`${draftPath}/publish`, { intent: "prepare" })).json()) as { revision: number; timestamp: number; typedData: Parameters<typeof owner.account.signTypedData>[0] };
    const signature = await owner.account.signTypedData(prepared.typedData);
    const answer = await owner.browser.postJson(`${draftPath}/publish`, { intent: "publish", revision: prepared.revision, timestamp: prepared.timestamp, signature });
    expect(answer.status, await answer.clone().text()).toBe(200);
    expect(((await answer.json()) as { url: string }).url).toBe(`/${publication.handle}/margins`);
  });
});

