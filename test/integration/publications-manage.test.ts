import crypto from "node:crypto";
import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { typedDataParam } from "~/components/typed-data";
import type { Database } from "~/db.server";
import { getEnv } from "~/env.server";
import { membershipTypedData, publicationTypedData, type MembershipFields, type PublicationFields } from "~/modules/publications/records";
import { databaseProviders, useMigratedDatabase } from "../support/databases";
import { randomPng } from "../support/png";
import { createPublication, signMembership } from "../support/publications";
import { Browser, signedInBrowser, startChildServer } from "../support/web";

const account = () => privateKeyToAccount(generatePrivateKey());
const nowS = () => Math.floor(Date.now() / 1000);
const handle = () => `pub-${crypto.randomBytes(4).toString("hex")}`;

/** The typed data as the browser gets it: what the wallet signs must be the record's own typed data, bigints as decimal strings. */
const asServed = (typedData: unknown) => JSON.parse(typedDataParam(typedData as never)) as { message: unknown };

/** Prepares a membership record over HTTP, has `signer` sign it and saves it, as the settings page does. */
async function signMembershipOverHttp(browser: Browser, accountId: string, signer: PrivateKeyAccount, request: { member: string; role: string; from?: number }) {
  const url = `/settings/publications/${accountId}/members`;
  const prepared = await browser.postJson(url, { intent: "prepare", ...request });
  if (prepared.status !== 200) return prepared;
  const { fields, typedData } = (await prepared.json()) as { fields: MembershipFields; typedData: unknown };
  expect(asServed(typedData).message).toEqual(asServed(membershipTypedData(fields)).message);
  return browser.postJson(url, { intent: "save", ...fields, signature: await signer.signTypedData(membershipTypedData(fields)) });
}

function imagesForm(images: { avatar?: Buffer; cover?: Buffer }) {
  const form = new FormData();
  form.set("intent", "images");
  for (const [name, bytes] of Object.entries(images)) form.set(name, new Blob([new Uint8Array(bytes)], { type: "image/png" }), `${name}.png`);
  return form;
}

function payoutsForm(fields: Record<string, string>) {
  const form = new URLSearchParams({ intent: "payouts", ...fields });
  return { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: form.toString() };
}

describe.each(databaseProviders())("managing a publication over HTTP on %s", (provider) => {
  let db: Database;
  let url: string;
  let server: Awaited<ReturnType<typeof startChildServer>>;
  useMigratedDatabase(provider, (created, createdUrl) => {
    db = created;
    url = createdUrl;
  });
  beforeAll(async () => {
    server = await startChildServer({ DATABASE_URL: url });
  });
  afterAll(() => server?.stop());
  const env = getEnv();
  const signIn = (who: PrivateKeyAccount) => signedInBrowser(server.url, who);

  /** What a refused action must leave as it was. */
  const snapshot = async (accountId: string) => ({
    account: await db.writer.findUniqueOrThrow({ where: { id: accountId }, select: { handle: true, displayName: true, bio: true, avatarId: true } }),
    details: await db.publication.findUniqueOrThrow({ where: { writerId: accountId }, select: { recordId: true, coverId: true, payout: true, splitBps: true, payoutAddress: true } }),
    memberships: await db.membershipRecord.count({ where: { publicationId: accountId } }),
    records: await db.upload.count({ where: { kind: "record" } }),
  });

  it("creates a publication with the owner's wallet signature, and lists it with the owner's role", async () => {
    const owner = account();
    const browser = await signIn(owner);
    const profile = { handle: handle(), name: "The Long Table", description: "Essays by several hands." };
    const prepared = await browser.postJson("/settings/publications/record", { intent: "prepare", ...profile });
    expect(prepared.status).toBe(200);
    const { fields, typedData } = (await prepared.json()) as { fields: PublicationFields; typedData: unknown };
    expect(fields).toMatchObject({ owner: owner.address, handle: profile.handle, name: profile.name });
    expect(asServed(typedData).message).toEqual(asServed(publicationTypedData(fields)).message);

    // A signature by any other wallet creates nothing.
    const forged = await browser.postJson("/settings/publications/record", { intent: "save", ...profile, salt: fields.salt, timestamp: fields.timestamp, signature: await account().signTypedData(publicationTypedData(fields)) });
    expect(forged.status).toBe(401);
    expect(await db.writer.findFirst({ where: { handle: profile.handle } })).toBeNull();

    const saved = await browser.postJson("/settings/publications/record", { intent: "save", ...profile, salt: fields.salt, timestamp: fields.timestamp, signature: await owner.signTypedData(publicationTypedData(fields)) });
    expect(saved.status).toBe(200);
    const { url: page } = (await saved.json()) as { url: string };
    const settings = await browser.fetch(page);
    expect(settings.status).toBe(200);
    const html = await settings.text();
    expect(html).toContain("<h1>The Long Table</h1>");
    expect(html).toContain("you are its <!-- -->owner");
    expect(html).toContain(owner.address);

    const list = await (await browser.fetch("/settings/publications")).text();
    expect(list).toContain(`href="${page}"`);
    expect(list).toMatch(/The Long Table<\/a>.*you are its <!-- -->owner/s);
    expect(list).toContain('<a href="/settings/publications">Publications</a>');
    expect(list).toContain('<label>Handle');
  });

  it("lets only the owner change the record, images, members and payouts; members may look, outsiders may not", async () => {
    const [owner, editor, writer, outsider] = [account(), account(), account(), account()];
    const [asOwner, asEditor, asWriter, asOutsider] = (await Promise.all([owner, editor, writer, outsider].map(signIn))) as [Browser, Browser, Browser, Browser];
    const { id } = await createPublication(db, env, owner, { handle: handle(), name: "Shared Rooms" });
    await signMembership(db, env, owner, id, editor.address, "editor", nowS() - 60);
    await signMembership(db, env, owner, id, writer.address, "writer", nowS() - 60);
    const page = `/settings/publications/${id}`;
    const before = await snapshot(id);

    for (const [browser, signer, role] of [
      [asEditor, editor, "editor"],
      [asWriter, writer, "writer"],
      [asOutsider, outsider, null],
    ] as const) {
      const view = await browser.fetch(page);
      expect(view.status, `${role} views`).toBe(role ? 200 : 403);
      if (role) {
        const html = await view.text();
        expect(html).toContain(`you are its <!-- -->${role}`);
        expect(html).toContain(editor.address);
        expect(html).toContain(writer.address);
        expect(html).not.toContain("Grant a role");
        expect(html).not.toContain("Save payouts");
        expect(html).not.toContain("Upload images");
      }
      const record = await browser.postJson("/settings/publications/record", { intent: "prepare", handle: "taken-over", name: "Taken", description: "", publicationId: id });
      expect(record.status, `${role} renames`).toBe(403);
      expect((await browser.fetch(page, { method: "POST", body: imagesForm({ avatar: randomPng() }) })).status, `${role} uploads an avatar`).toBe(403);
      expect((await browser.fetch(page, { method: "POST", body: imagesForm({ cover: randomPng() }) })).status, `${role} uploads a cover`).toBe(403);
      expect((await signMembershipOverHttp(browser, id, signer, { member: account().address, role: "writer" })).status, `${role} grants`).toBe(403);
      expect((await signMembershipOverHttp(browser, id, signer, { member: editor.address, role: "revoked" })).status, `${role} revokes`).toBe(403);
      // A record signed by a member, sent straight to the save step, is refused as well.
      const member = account().address as `0x${string}`;
      const fields = { publication: (await db.writer.findUniqueOrThrow({ where: { id } })).address as `0x${string}`, member, role: "editor" as const, from: nowS() };
      const save = await browser.postJson(`${page}/members`, { intent: "save", ...fields, signature: await signer.signTypedData(membershipTypedData(fields)) });
      expect(save.status, `${role} saves a grant`).toBe(403);
      expect((await browser.fetch(page, payoutsForm({ payout: "publication", splitBps: "5000", payoutAddress: "" }))).status, `${role} changes payouts`).toBe(403);
    }
    expect(await snapshot(id)).toEqual(before);

    // The owner does each of them.
    const ownerView = await (await asOwner.fetch(page)).text();
    expect(ownerView).toContain("Grant a role");
    expect(ownerView).toContain("Save payouts");
    const renamed = await asOwner.postJson("/settings/publications/record", { intent: "prepare", handle: handle(), name: "Shared Rooms, Renamed", description: "Now with a description.", publicationId: id });
    expect(renamed.status).toBe(200);
    const { fields } = (await renamed.json()) as { fields: PublicationFields };
    const resaved = await asOwner.postJson("/settings/publications/record", { intent: "save", ...fields, signature: await owner.signTypedData(publicationTypedData(fields)) });
    expect(resaved.status).toBe(200);
    expect(((await resaved.json()) as { id: string }).id).toBe(id);

    const avatar = randomPng();
    const uploaded = await asOwner.fetch(page, { method: "POST", body: imagesForm({ avatar, cover: randomPng() }) });
    expect(uploaded.status).toBe(303);
    expect(uploaded.headers.get("location")).toBe(page);

    const newcomer = account();
    expect((await signMembershipOverHttp(asOwner, id, owner, { member: newcomer.address, role: "editor", from: nowS() - 86_400 * 30 })).status).toBe(200);
    expect((await signMembershipOverHttp(asOwner, id, owner, { member: writer.address, role: "revoked" })).status).toBe(200);
    // Granting the same role again later leaves it held since the first grant.
    await signMembership(db, env, owner, id, newcomer.address, "editor");
    const payoutAddress = account().address;
    expect((await asOwner.fetch(page, payoutsForm({ payout: "split", splitBps: "2500", payoutAddress }))).status).toBe(303);

    const after = await snapshot(id);
    expect(after.account).toMatchObject({ handle: fields.handle, displayName: "Shared Rooms, Renamed", bio: "Now with a description." });
    expect(after.account.avatarId).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(after.details.coverId).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(after.details).toMatchObject({ payout: "split", splitBps: 2500, payoutAddress: payoutAddress.toLowerCase() });
    expect(after.details.recordId).not.toBe(before.details.recordId);
    expect(after.memberships).toBe(before.memberships + 3);

    // What members now see: the new name and images, the newcomer editor since 30 days ago, the revoked writer gone.
    const html = await (await asEditor.fetch(page)).text();
    expect(html).toContain("<h1>Shared Rooms, Renamed</h1>");
    expect(html).toContain(`src="/uploads/images/${after.account.avatarId}"`);
    expect(html).toContain(`src="/uploads/images/${after.details.coverId}"`);
    const since = new Date((nowS() - 86_400 * 30) * 1000).toISOString().slice(0, 10);
    expect(html).toMatch(new RegExp(`${newcomer.address}</code></td><td>editor</td><td><time datetime="${since}`, "i"));
    expect(html).not.toContain(writer.address);
    expect((await asWriter.fetch(page)).status).toBe(403);
    expect(await (await asWriter.fetch("/settings/publications")).text()).toContain("You belong to no publication yet.");
  });

  it("answers bad input with a clear 4xx and changes nothing", async () => {
    const owner = account();
    const member = account();
    const asOwner = await signIn(owner);
    const { id } = await createPublication(db, env, owner, { handle: handle() });
    await signMembership(db, env, owner, id, member.address, "writer", nowS() - 3600);
    const page = `/settings/publications/${id}`;
    const before = await snapshot(id);
    const refusal = async (response: Response, status: number, message: RegExp) => {
      expect(response.status).toBe(status);
      expect(((await response.json()) as { error: string }).error).toMatch(message);
    };

    await refusal(await asOwner.postJson(`${page}/members`, { intent: "prepare", member: "0x1234", role: "writer" }), 422, /wallet address/);
    await refusal(await asOwner.postJson(`${page}/members`, { intent: "prepare", member: account().address, role: "admin" }), 422, /editor, writer, revoked/);
    await refusal(await asOwner.postJson(`${page}/members`, { intent: "prepare", member: account().address, role: "writer", from: nowS() + 86_400 }), 422, /future/);
    await refusal(await asOwner.postJson(`${page}/members`, { intent: "prepare", member: member.address, role: "revoked", from: nowS() - 86_400 }), 422, /revocation holds from now/);
    await refusal(await asOwner.postJson(`${page}/members`, { intent: "prepare", member: owner.address, role: "revoked" }), 422, /owner is always a member/);
    await refusal(await asOwner.postJson(`${page}/members`, { intent: "promote" }), 400, /Send \{intent/);
    // A membership the owner's wallet did not sign.
    const fields = { publication: (await db.writer.findUniqueOrThrow({ where: { id } })).address as `0x${string}`, member: member.address, role: "revoked" as const, from: nowS() };
    await refusal(await asOwner.postJson(`${page}/members`, { intent: "save", ...fields, signature: await member.signTypedData(membershipTypedData(fields)) }), 401, /not the owner's signature/);
    await refusal(await asOwner.postJson(`${page}/members`, { intent: "save", ...fields, signature: "not hex" }), 400, /signature/);
    // A body larger than the route takes.
    await refusal(await asOwner.postJson(`${page}/members`, { intent: "prepare", member: member.address, role: "writer", padding: "x".repeat(8 * 1024) }), 413, /larger than/);
    await refusal(await asOwner.postJson(`/settings/publications/nonexistent/members`, { intent: "prepare", member: member.address, role: "writer" }), 404, /no such publication/);

    for (const [fields, message] of [
      [{ payout: "split", splitBps: "10001", payoutAddress: "" }, "between 0 and 10000"],
      [{ payout: "split", splitBps: "-1", payoutAddress: "" }, "between 0 and 10000"],
      [{ payout: "split", splitBps: "12.5", payoutAddress: "" }, "whole number"],
      [{ payout: "split", splitBps: "5000", payoutAddress: "0x1234" }, "payout address must be a wallet address"],
      [{ payout: "everyone", splitBps: "5000", payoutAddress: "" }, "writer, publication, split"],
    ] as const) {
      const response = await asOwner.fetch(page, payoutsForm(fields));
      expect(response.status, JSON.stringify(fields)).toBe(422);
      expect(await response.text()).toContain(message);
    }
    const notAnImage = await asOwner.fetch(page, { method: "POST", body: (() => { const form = imagesForm({}); form.set("avatar", new Blob(["plain text"], { type: "image/png" }), "a.png"); return form; })() });
    expect(notAnImage.status).toBe(415);
    expect((await asOwner.fetch(page, { method: "POST", body: imagesForm({}) })).status).toBe(400);
    expect(await snapshot(id)).toEqual(before);

    // Signed out: the pages send to sign-in, the signing steps answer 401.
    const visitor = new Browser(server.url);
    expect((await visitor.fetch(page)).headers.get("location")).toBe(`/signin?next=${encodeURIComponent(page)}`);
    expect((await visitor.postJson(`${page}/members`, { intent: "prepare", member: member.address, role: "writer" })).status).toBe(401);
    expect((await asOwner.fetch("/settings/publications/nonexistent")).status).toBe(404);
  });
});
