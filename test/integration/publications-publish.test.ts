import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import { beforeAll, describe, expect, it } from "vitest";
import type { Database } from "~/db.server";
import { getEnv } from "~/env.server";
import { createDraft, getDraft, listDrafts, saveDraft } from "~/modules/entries/drafts.server";
import type { Entry } from "~/modules/entries/entry";
import { preparePublication, publishDraft } from "~/modules/entries/publish.server";
import { draftForEntry } from "~/modules/entries/read.server";
import { fetchData, findByTags } from "~/modules/storage/gateway.server";
import { runOutboxOnce } from "~/modules/storage/outbox.server";
import { databaseProviders, useMigratedDatabase } from "../support/databases";
import { publishEntry, signPublication, writerOf, type Writer } from "../support/entries";
import { createPublication, signMembership } from "../support/publications";

const essay = (text: string) => ({ type: "doc" as const, content: [{ type: "paragraph", content: [{ type: "text", text }] }] });
const refusal = (promise: Promise<unknown>) => promise.then(() => ({ status: 200 }), (error: { status?: number; message?: string }) => ({ status: error.status, message: error.message }));

type Who = "owner" | "editor" | "writer" | "outsider" | "revoked";
const EVERYONE: Who[] = ["owner", "editor", "writer", "outsider", "revoked"];

describe.each(databaseProviders())("publishing into a publication on %s", (provider) => {
  let db: Database;
  useMigratedDatabase(provider, (database) => (db = database));
  const env = getEnv();
  const accounts = {} as Record<Who | "author", PrivateKeyAccount>;
  const writers = {} as Record<Who | "author", Writer>;
  let publication: { id: string; publicationId: string; handle: string };

  beforeAll(async () => {
    for (const who of [...EVERYONE, "author"] as const) {
      accounts[who] = privateKeyToAccount(generatePrivateKey());
      writers[who] = await writerOf(db, accounts[who]);
    }
    publication = await createPublication(db, env, accounts.owner, { name: "The Margin" });
    const hourAgo = Math.floor(Date.now() / 1000) - 3600;
    await signMembership(db, env, accounts.owner, publication.id, accounts.editor.address, "editor", hourAgo);
    await signMembership(db, env, accounts.owner, publication.id, accounts.writer.address, "writer", hourAgo);
    await signMembership(db, env, accounts.owner, publication.id, accounts.author.address, "writer", hourAgo);
    await signMembership(db, env, accounts.owner, publication.id, accounts.revoked.address, "editor", hourAgo);
    await signMembership(db, env, accounts.owner, publication.id, accounts.revoked.address, "revoked");
  });

  /** A draft of `who`'s in the publication, written straight into the table where no role lets them make one. */
  async function draftOf(who: Who | "author", title: string) {
    const { id } = await createDraft(db, writers[who].id, { title, document: essay(`${title}, in ${who}'s words.`) });
    await db.draft.update({ where: { id }, data: { publicationId: publication.id } });
    return id;
  }

  it("lets members start a draft in the publication, and no one else", async () => {
    for (const who of EVERYONE) {
      const before = await db.draft.count({ where: { writerId: writers[who].id } });
      const result = await refusal(createDraft(db, writers[who].id, { title: `By the ${who}`, publicationId: publication.id }));
      expect(result.status, who).toBe(who === "outsider" || who === "revoked" ? 403 : 200);
      expect(await db.draft.count({ where: { writerId: writers[who].id } }), who).toBe(before + (result.status === 200 ? 1 : 0));
    }
    expect((await refusal(createDraft(db, writers.writer.id, { publicationId: "no-such-publication" }))).status).toBe(404);
    // Nor can an outsider move a draft of their own page into the publication.
    const { id } = await createDraft(db, writers.outsider.id, { title: "Sneaking in", document: essay("Words.") });
    expect((await refusal(saveDraft(db, writers.outsider.id, id, { title: "Sneaking in", document: essay("Words."), baseRevision: 1, publicationId: publication.id }))).status).toBe(403);
    expect((await getDraft(db, writers.outsider.id, id)).publicationId).toBeNull();
  });

  it("lets the owner and editors open and save another member's draft; others are refused and nothing changes", async () => {
    const draftId = await draftOf("author", "A shared draft");
    for (const who of EVERYONE) {
      const { revision, title } = await getDraft(db, writers.author.id, draftId);
      const opened = await refusal(getDraft(db, writers[who].id, draftId));
      const saved = await refusal(saveDraft(db, writers[who].id, draftId, { title: `Edited by the ${who}`, document: essay(`The ${who} was here.`), baseRevision: revision }));
      const allowed = who === "owner" || who === "editor";
      expect([opened.status, saved.status], who).toEqual(allowed ? [200, 200] : [403, 403]);
      const after = await getDraft(db, writers.author.id, draftId);
      expect([after.title, after.revision], who).toEqual(allowed ? [`Edited by the ${who}`, revision + 1] : [title, revision]);
      // An editor cannot take the draft out of the publication: where it goes is the author's choice.
      if (allowed) expect((await refusal(saveDraft(db, writers[who].id, draftId, { title: after.title, document: after.document, baseRevision: after.revision, publicationId: null }))).status).toBe(403);
    }
    // A draft for the author's own page stays theirs alone, even to the publication's owner.
    const { id: own } = await createDraft(db, writers.author.id, { title: "Private" });
    expect((await refusal(getDraft(db, writers.owner.id, own))).status).toBe(404);

    const ownerList = await listDrafts(db, writers.owner);
    expect(ownerList.find((draft) => draft.id === draftId)).toMatchObject({ writerId: writers.author.id, publication: { handle: publication.handle } });
    expect(ownerList.some((draft) => draft.id === own)).toBe(false);
    expect((await listDrafts(db, writers.writer)).some((draft) => draft.id === draftId)).toBe(false);
    expect((await listDrafts(db, writers.revoked)).some((draft) => draft.id === draftId)).toBe(false);
  });

  it("publishes a member's own draft into the publication; an outsider's or a revoked member's is refused", async () => {
    for (const who of EVERYONE) {
      const draftId = await draftOf(who, `Own words of the ${who}`);
      const prepared = await refusal(signPublication(db, accounts[who], writers[who], draftId));
      const allowed = who !== "outsider" && who !== "revoked";
      expect(prepared.status, who).toBe(allowed ? 200 : 403);
      if (!allowed) continue;
      const published = await publishDraft(db, env, writers[who], await signPublication(db, accounts[who], writers[who], draftId));
      expect(published.handle).toBe(publication.handle);
      const entry = await db.entry.findUniqueOrThrow({ where: { id: published.entryId } });
      expect([entry.writerId, entry.publicationId], who).toEqual([writers[who].id, publication.id]);
    }
    // Signing without preparing changes nothing either: the role is checked when publishing.
    const draftId = await draftOf("revoked", "Signed anyway");
    const forged = { draftId, revision: 1, timestamp: Math.floor(Date.now() / 1000), signature: "0x00" };
    expect((await refusal(publishDraft(db, env, writers.revoked, forged))).status).toBe(403);
    expect(await db.entry.count({ where: { writerId: writers.revoked.id } })).toBe(0);
  });

  it("lets the owner and editors publish another member's draft: they sign, the entry stays the author's", async () => {
    for (const who of EVERYONE) {
      const draftId = await draftOf("author", `Edited for the author by the ${who}`);
      const prepared = await refusal(preparePublication(db, writers[who], draftId));
      const allowed = who === "owner" || who === "editor";
      expect(prepared.status, who).toBe(allowed ? 200 : 403);
      if (!allowed) {
        // The author's own signed request, replayed by someone else, is refused as well.
        const signed = await signPublication(db, accounts.author, writers.author, draftId);
        expect((await refusal(publishDraft(db, env, writers[who], signed))).status, who).toBe(403);
        expect(await db.draft.findUniqueOrThrow({ where: { id: draftId } })).toMatchObject({ entryId: null });
        continue;
      }
      const published = await publishDraft(db, env, writers[who], await signPublication(db, accounts[who], writers[who], draftId));
      const entry = await db.entry.findUniqueOrThrow({ where: { id: published.entryId }, include: { versions: true } });
      expect([entry.writerId, entry.publicationId], who).toEqual([writers.author.id, publication.id]);
      expect(entry.versions[0]!.contributor.toLowerCase()).toBe(writers[who].address);
    }
  });

  it("lets the owner and editors publish a new version of another member's entry, and no one else", async () => {
    const first = await publishEntry(db, env, accounts.author, { title: "A living essay", document: essay("The first version."), publicationId: publication.id });
    let version = 1;
    for (const who of EVERYONE) {
      const opened = await refusal(draftForEntry(db, writers[who].id, first.entryId));
      const allowed = who === "owner" || who === "editor";
      expect(opened.status, who).toBe(allowed ? 200 : 403);
      const { revision } = await getDraft(db, writers.author.id, first.draftId);
      const text = { title: "A living essay", document: essay(`Revised by the ${who}.`) };
      if (!allowed) {
        expect((await refusal(saveDraft(db, writers[who].id, first.draftId, { ...text, baseRevision: revision }))).status, who).toBe(403);
        await saveDraft(db, writers.author.id, first.draftId, { ...text, baseRevision: revision });
        const signed = await signPublication(db, accounts.author, writers.author, first.draftId);
        expect((await refusal(publishDraft(db, env, writers[who], signed))).status, who).toBe(403);
        expect((await db.entry.findUniqueOrThrow({ where: { id: first.entryId } })).latestVersion).toBe(version);
        continue;
      }
      expect(await draftForEntry(db, writers[who].id, first.entryId)).toBe(first.draftId);
      await saveDraft(db, writers[who].id, first.draftId, { ...text, baseRevision: revision });
      const next = await publishDraft(db, env, writers[who], await signPublication(db, accounts[who], writers[who], first.draftId));
      version += 1;
      expect(next.version).toBe(version);
      const stored = await db.entryVersion.findUniqueOrThrow({ where: { arweaveId: next.arweaveId }, include: { entry: true } });
      expect([stored.entry.writerId, stored.contributor.toLowerCase()]).toEqual([writers.author.id, writers[who].address]);
      expect((JSON.parse(stored.entryJson) as Entry).content.publication).toBe(publication.publicationId);
    }
    // The entry stays in its publication: its draft cannot be moved to the author's own page.
    const draft = await getDraft(db, writers.author.id, first.draftId);
    expect((await refusal(saveDraft(db, writers.author.id, first.draftId, { title: draft.title, document: draft.document, baseRevision: draft.revision, publicationId: null }))).status).toBe(409);
  });

  it("gives two members publishing the same title at the same moment each an address of their own", async () => {
    const title = `Dispatch at once ${Date.now().toString(36)}`;
    const drafts = await Promise.all((["writer", "author"] as const).map(async (who) => ({ who, draftId: await draftOf(who, title) })));
    const signed = await Promise.all(drafts.map(async ({ who, draftId }) => ({ who, input: await signPublication(db, accounts[who], writers[who], draftId) })));
    const published = await Promise.all(signed.map(({ who, input }) => publishDraft(db, env, writers[who], input)));
    const base = published[0]!.slug.replace(/-2$/, "");
    expect(published.map((result) => result.slug).sort()).toEqual([base, `${base}-2`]);
    expect(await db.entry.count({ where: { publicationId: publication.id, title } })).toBe(2);
  });

  it("refuses a member revoked between preparing and publishing, and writes nothing", async () => {
    const member = privateKeyToAccount(generatePrivateKey());
    const writer = await writerOf(db, member);
    await signMembership(db, env, accounts.owner, publication.id, member.address, "writer", Math.floor(Date.now() / 1000) - 60);
    const { id: draftId } = await createDraft(db, writer.id, { title: "Too late", document: essay("Signed while a member."), publicationId: publication.id });
    const signed = await signPublication(db, member, writer, draftId);
    await signMembership(db, env, accounts.owner, publication.id, member.address, "revoked");
    const refused = await refusal(publishDraft(db, env, writer, signed));
    expect(refused).toMatchObject({ status: 403, message: "You are not a member of this publication." });
    expect(await db.entry.count({ where: { writerId: writer.id } })).toBe(0);
    expect(await db.entryVersion.count({ where: { contributor: { in: [member.address, member.address.toLowerCase()] } } })).toBe(0);
    expect(await db.draft.findUniqueOrThrow({ where: { id: draftId } })).toMatchObject({ entryId: null, revision: 1 });
  });

  it("signs the publication into the entry on Arweave and announces it from the publication's account", async () => {
    const published = await publishEntry(db, env, accounts.writer, { title: "Shared ground", document: essay("Under the publication's name."), publicationId: publication.id });
    await runOutboxOnce(db, env);
    const stored = JSON.parse((await fetchData(published.arweaveId, env.storage.gatewayUrl))!.toString("utf8")) as Entry;
    expect(stored.content.publication).toBe(publication.publicationId);
    expect(stored.authorship.contributor).toBe(accounts.writer.address);
    const found = await findByTags([{ name: "Publication", values: [publication.publicationId] }, { name: "Contributor", values: [accounts.writer.address] }], env.storage.gatewayUrl);
    expect(found.map((tx) => tx.id)).toContain(published.arweaveId);

    const newsletter = await db.newsletter.findUniqueOrThrow({ where: { entryId: published.entryId } });
    expect(newsletter.writerId).toBe(publication.id);
    const activities = await db.fediActivity.findMany({ where: { entryId: published.entryId } });
    expect(activities.map((activity) => [activity.writerId, activity.type])).toEqual([[publication.id, "Create"]]);

    // The slug is free among the publication's entries as well as the author's.
    const again = await publishEntry(db, env, accounts.editor, { title: "Shared ground", document: essay("Same title, another hand."), publicationId: publication.id });
    expect([published.slug, again.slug]).toEqual(["shared-ground", "shared-ground-2"]);
    const own = await publishEntry(db, env, accounts.writer, { title: "Shared ground", document: essay("On my own page.") });
    expect(own.slug).toBe("shared-ground-2");
    expect(own.handle).toBeNull();
    expect((await db.newsletter.findUniqueOrThrow({ where: { entryId: own.entryId } })).writerId).toBe(writers.writer.id);
  });
});
