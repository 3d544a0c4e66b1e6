import { spawnSync } from "node:child_process";
import path from "node:path";
import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, type Database } from "~/db.server";
import { getEnv, type Env } from "~/env.server";
import { canonicalJson } from "~/modules/entries/entry";
import { importMirror } from "~/modules/entries/import-mirror.server";
import { rebuildContributor, rebuildPublication } from "~/modules/entries/rebuild.server";
import { mirrorPublicationLookup } from "~/modules/publications/verify.server";
import { importedVerdict } from "~/modules/publications/publications.server";
import { verificationState, verifyArweaveEntry, type Verification } from "~/modules/entries/verify.server";
import { membershipTags, publicationId, publicationTags, publicationTypedData, PUBLICATION_FORMAT_VERSION, type MembershipRecordJson, type PublicationRecord } from "~/modules/publications/records";
import { runOutboxOnce } from "~/modules/storage/outbox.server";
import { deployMigrations } from "../../scripts/lib/migrations";
import { databaseProviders, freshDatabase, useMigratedDatabase, type TestDatabase } from "../support/databases";
import { createPublication, signMembership, uploadMembershipRecord, uploadPublicationEntry, uploadSigned } from "../support/publications";
import { postMirrorEntry, signMirrorEntry } from "../support/mirror";
import { startTestServer } from "../support/web";

const ROOT = path.resolve(__dirname, "../..");
const account = () => privateKeyToAccount(generatePrivateKey());
const nowS = () => Math.floor(Date.now() / 1000);

let server: Awaited<ReturnType<typeof startTestServer>>;
let base: string;
beforeAll(async () => {
  server = await startTestServer();
  base = process.env.PUBLIC_URL!;
});
afterAll(() => server?.stop());

type EntryVerification = Extract<Verification, { kind: "entry" }>;

async function verified(id: string): Promise<EntryVerification> {
  const verification = await verifyArweaveEntry(getEnv(), id);
  expect(verification?.kind).toBe("entry");
  return verification as EntryVerification;
}

/** The proof page as a reader gets it: its verdict heading and the two checks, as text. */
async function proofPage(id: string) {
  const response = await fetch(`${base}/verify/${id}`);
  expect(response.status).toBe(200);
  const html = await response.text();
  const text = (testid: string) => {
    const match = html.match(new RegExp(`data-testid="${testid}"[^>]*>([\\s\\S]*?)</(h1|p|li)>`));
    return match ? match[1]!.replace(/<[^>]+>/g, "").replace(/&#x27;|&apos;/g, "'").replace(/\s+/g, " ").trim() : undefined;
  };
  return { html, verdict: text("verdict"), summary: text("summary"), signature: text("check-signature"), grant: text("check-grant") };
}

describe.each(databaseProviders())("verifying membership of a publication from the gateway alone on %s", (provider) => {
  let db: Database;
  let dbUrl: string;
  useMigratedDatabase(provider, (database, url) => {
    db = database;
    dbUrl = url;
  });
  // Read once the test server has set the press's address.
  let env: Env;
  beforeAll(() => {
    env = getEnv();
  });

  /** A publication named `name`, its record on the gateway. */
  async function publication(owner: PrivateKeyAccount, name = "The Quarterly") {
    const created = await createPublication(db, env, owner, { name });
    await runOutboxOnce(db, env);
    return created;
  }

  async function grant(owner: PrivateKeyAccount, accountId: string, member: string, role: "writer" | "editor" | "revoked", from?: number) {
    const record = await signMembership(db, env, owner, accountId, member, role, from);
    await runOutboxOnce(db, env);
    return record;
  }

  it("proves a member from the owner's grant, and shows a non-member's signed entry as not proven, on the page and in the CLI", async () => {
    const [owner, member, stranger] = [account(), account(), account()];
    const pub = await publication(owner, "Field Notes");
    const t0 = nowS();
    const record = await grant(owner, pub.id, member.address, "writer", t0 - 3600);

    const byMember = await uploadPublicationEntry(env, member, pub.publicationId, { title: "A member writes", timestamp: t0 });
    const memberProof = await verified(byMember.id);
    expect(memberProof).toMatchObject({ verified: true, problems: [], summary: `signed by ${member.address} (writer of Field Notes)` });
    expect(memberProof.membership).toMatchObject({ role: "writer", owner: owner.address, recordId: pub.recordId, grant: { arweaveId: record.arweaveId, role: "writer", from: t0 - 3600 }, forged: [] });
    expect(verificationState(memberProof)).toBe("verified");

    const byOwner = await verified((await uploadPublicationEntry(env, owner, pub.publicationId, { title: "The owner writes", timestamp: t0 })).id);
    expect(byOwner).toMatchObject({ verified: true, summary: `signed by ${owner.address} (owner of Field Notes)` });

    const byStranger = await uploadPublicationEntry(env, stranger, pub.publicationId, { title: "A stranger claims it", timestamp: t0 });
    const strangerProof = await verified(byStranger.id);
    // Their own signature holds; membership does not.
    expect(strangerProof).toMatchObject({ verified: false, problems: [], summary: `signed by ${stranger.address}, not proven a member of Field Notes` });
    expect(verificationState(strangerProof)).toBe("signed-by-other");

    const page = await proofPage(byMember.id);
    expect(page.verdict).toBe("Verified");
    expect(page.summary).toBe(`A member writes, version 1, signed by ${member.address} (writer of Field Notes).`);
    expect(page.signature).toBe(`Signed by the member ${member.address}: the entry's own signature.`);
    expect(page.grant).toContain(`The owner ${owner.address} granted ${member.address} the role of writer from`);
    expect(page.html).toContain(`href="${env.storage.gatewayUrl}/${record.arweaveId}"`);
    expect(page.html).toContain(`href="${env.storage.gatewayUrl}/${pub.recordId}"`);
    const notProven = await proofPage(byStranger.id);
    expect(notProven.verdict).toBe("Not verified");
    expect(notProven.summary).toBe(`A stranger claims it, version 1, signed by ${stranger.address}, not proven a member of Field Notes.`);
    expect(notProven.signature).toBe(`Signed by the member ${stranger.address}: the entry's own signature.`);
    expect(notProven.grant).toBe(`No record signed by the owner ${owner.address} makes ${stranger.address} a member at the entry's time: not proven a member.`);

    const cli = (id: string) => spawnSync(process.execPath, ["--import", "tsx", "scripts/verify.ts", id], { cwd: ROOT, encoding: "utf8", env: process.env });
    const yes = cli(byMember.id);
    expect(yes.status).toBe(0);
    expect(yes.stdout).toContain(`verified  ${byMember.id}`);
    expect(yes.stdout).toContain(`verdict      signed by ${member.address} (writer of Field Notes)`);
    expect(yes.stdout).toContain(`grant        writer from ${new Date((t0 - 3600) * 1000).toISOString()}, signed by the owner ${owner.address}: ${record.arweaveId}`);
    const no = cli(byStranger.id);
    expect(no.status).toBe(1);
    expect(no.stdout).toContain(`NOT VERIFIED  ${byStranger.id}`);
    expect(no.stdout).toContain(`verdict      signed by ${stranger.address}, not proven a member of Field Notes`);
  });

  it("proves nothing before a grant's time, and nothing after a revocation", async () => {
    const [owner, member, later] = [account(), account(), account()];
    const pub = await publication(owner);
    const t0 = nowS();
    await grant(owner, pub.id, later.address, "editor", t0 - 60);
    const before = await verified((await uploadPublicationEntry(env, later, pub.publicationId, { title: "Before the grant", timestamp: t0 - 600 })).id);
    expect(before).toMatchObject({ verified: false, summary: `signed by ${later.address}, not proven a member of The Quarterly` });
    const after = await verified((await uploadPublicationEntry(env, later, pub.publicationId, { title: "After the grant", timestamp: t0 })).id);
    expect(after).toMatchObject({ verified: true, summary: `signed by ${later.address} (editor of The Quarterly)` });

    await grant(owner, pub.id, member.address, "writer", t0 - 7200);
    await grant(owner, pub.id, member.address, "revoked");
    const whileMember = await verified((await uploadPublicationEntry(env, member, pub.publicationId, { title: "While a member", timestamp: t0 - 1800 })).id);
    expect(whileMember).toMatchObject({ verified: true, summary: `signed by ${member.address} (writer of The Quarterly)` });
    const afterRevocation = await uploadPublicationEntry(env, member, pub.publicationId, { title: "After the revocation", timestamp: nowS() + 120 });
    expect(await verified(afterRevocation.id)).toMatchObject({ verified: false, problems: [], summary: `signed by ${member.address}, not proven a member of The Quarterly` });
    expect((await proofPage(afterRevocation.id)).verdict).toBe("Not verified");
  });

  it("ignores and reports a grant signed by another key, and a signed grant whose text was changed", async () => {
    const [owner, member, forger] = [account(), account(), account()];
    const pub = await publication(owner);
    const t0 = nowS();
    const forgedId = await uploadMembershipRecord(env, forger, owner.address, { publication: pub.publicationId, member: member.address, role: "editor", from: t0 - 3600 });
    const entry = await uploadPublicationEntry(env, member, pub.publicationId, { title: "Claimed by a forged grant", timestamp: t0 });
    const forged = await verified(entry.id);
    expect(forged).toMatchObject({ verified: false, summary: `signed by ${member.address}, not proven a member of The Quarterly` });
    expect(forged.membership!.forged).toEqual([{ arweaveId: forgedId, reason: `it is not signed by the publication's owner ${owner.address}` }]);
    expect((await proofPage(entry.id)).html).toContain(forgedId);

    // A genuine grant from t0, moved back an hour after the owner signed it.
    const genuine = await grant(owner, pub.id, member.address, "writer", t0);
    const tampered: MembershipRecordJson = { ...(JSON.parse(genuine.json) as MembershipRecordJson), from: t0 - 3600 };
    const tamperedId = await uploadSigned(env, canonicalJson(tampered), membershipTags(tampered));
    const early = await verified((await uploadPublicationEntry(env, member, pub.publicationId, { title: "Before the real grant", timestamp: t0 - 1800 })).id);
    expect(early.verified).toBe(false);
    expect(early.membership!.forged).toContainEqual({ arweaveId: tamperedId, reason: `it is not signed by the publication's owner ${owner.address}` });
    expect(await verified((await uploadPublicationEntry(env, member, pub.publicationId, { title: "After the real grant", timestamp: t0 + 5 })).id)).toMatchObject({ verified: true });
  });

  it("ignores a publication record by another owner claiming the publication's id", async () => {
    const [owner, usurper] = [account(), account()];
    const pub = await publication(owner, "The Real One");
    const salt = `0x${"11".repeat(32)}` as const;
    const fields = { id: pub.publicationId, owner: usurper.address, salt, handle: "hijacked", name: "Hijacked", description: "", timestamp: nowS() + 60 };
    const record: PublicationRecord = { format: PUBLICATION_FORMAT_VERSION, type: "publication", ...fields, signature: await usurper.signTypedData(publicationTypedData(fields)) };
    const usurperId = await uploadSigned(env, canonicalJson(record), publicationTags(record));
    // Their own grant to themselves, under the publication's tags.
    await uploadMembershipRecord(env, usurper, usurper.address, { publication: pub.publicationId, member: usurper.address, role: "editor", from: nowS() - 60 });

    const entry = await verified((await uploadPublicationEntry(env, usurper, pub.publicationId, { title: "Usurped", timestamp: nowS() })).id);
    expect(publicationId(usurper.address, salt)).not.toBe(pub.publicationId);
    expect(entry).toMatchObject({ verified: false, summary: `signed by ${usurper.address}, not proven a member of The Real One` });
    expect(entry.membership).toMatchObject({ owner: owner.address, recordId: pub.recordId });
    expect(entry.membership!.forged).toContainEqual({
      arweaveId: usurperId,
      reason: `its owner ${usurper.address} and salt do not make the publication's id: it claims a publication that is not theirs`,
    });
    expect(entry.membership!.forged.map((item) => item.reason)).toContain(`it is not signed by the publication's owner ${owner.address}`);
  });

  it("imports a Mirror publication's archive under each signing wallet, not proven until the owner grants the wallet a role", async () => {
    const [owner, first, second] = [account(), account(), account()];
    const mirrorAddress = account().address;
    const pub = await publication(owner, "The Archive");
    const t0 = nowS() - 90 * 86400;
    const posted: Record<string, string> = {};
    for (const [wallet, title, at] of [[first, "First hand", t0], [second, "Second hand", t0 + 86400]] as const) {
      const signed = await signMirrorEntry(wallet, { title, body: `# ${title}\n\nWritten on Mirror for the publication.`, timestamp: at }, mirrorAddress);
      posted[title] = await postMirrorEntry(JSON.stringify(signed), signed.digest);
    }

    const report = await importMirror(db, env, mirrorAddress, { publication: pub.id });
    expect(report.imported.map((item) => [item.title, item.verdict.status])).toEqual([["First hand", "signed-by-other"], ["Second hand", "signed-by-other"]]);
    expect((await db.publication.findUniqueOrThrow({ where: { writerId: pub.id } })).mirrorAddress).toBe(mirrorAddress.toLowerCase());
    const imported = await db.entry.findMany({ where: { publicationId: pub.id }, include: { writer: true, versions: true }, orderBy: { publishedAt: "asc" } });
    // Each is its signer's own writing, signed by their wallet: shown on the publication's page at
    // once, not held for anyone's review; what is not yet proven is the signer's membership.
    expect(imported.map((entry) => entry.importReview)).toEqual(["none", "none"]);
    expect(report.imported.map((item) => item.heldForReview)).toEqual([false, false]);
    expect(imported.map((entry) => [entry.writer.address, entry.versions[0]!.contributor, entry.publishedAt.getTime() / 1000])).toEqual([
      [first.address.toLowerCase(), first.address, t0],
      [second.address.toLowerCase(), second.address, t0 + 86400],
    ]);

    // What the entry's page says beside its Mirror verdict, from the owner's records this press holds.
    const onPage = (entry: (typeof imported)[number]) =>
      importedVerdict(db, { publicationId: entry.publicationId, verification: entry.verification!, signer: entry.writer.address, publicationName: "The Archive" }, entry.versions[0]!.timestamp);
    expect(await onPage(imported[0]!)).toEqual({ state: "signed-by-other", verification: `signed by ${first.address}, not proven a member of The Archive` });

    const proof = (id: string) => verifyArweaveEntry(env, id, { mirrorPublication: mirrorPublicationLookup(db) });
    expect(await proof(posted["First hand"]!)).toMatchObject({ kind: "mirror", verified: false, summary: `signed by ${first.address}, not proven a member of The Archive` });
    const cli = () => spawnSync(process.execPath, ["--import", "tsx", "scripts/verify.ts", posted["First hand"]!], { cwd: ROOT, encoding: "utf8", env: { ...process.env, DATABASE_URL: dbUrl } });
    const before = cli();
    expect(before.status).toBe(1);
    expect(before.stdout).toContain(`signed by ${first.address}, not proven a member of The Archive`);

    // The grant reaches back over the archive: from before its first entry.
    const record = await grant(owner, pub.id, first.address, "writer", t0 - 3600);
    const granted = await proof(posted["First hand"]!);
    expect(granted).toMatchObject({ kind: "mirror", verified: true, summary: `signed by ${first.address} (writer of The Archive)`, membership: { grant: { arweaveId: record.arweaveId } } });
    expect(verificationState(granted!)).toBe("verified");
    expect(await proof(posted["Second hand"]!)).toMatchObject({ verified: false, summary: `signed by ${second.address}, not proven a member of The Archive` });
    expect(await onPage(imported[0]!)).toEqual({ state: "verified", verification: `verified: signed by ${first.address} (writer of The Archive)` });
    expect((await onPage(imported[1]!)).state).toBe("signed-by-other");
    const after = cli();
    expect(after.status, after.stderr).toBe(0);
    expect(after.stdout).toContain(`grant        writer from ${new Date((t0 - 3600) * 1000).toISOString()}, signed by the owner ${owner.address}: ${record.arweaveId}`);

    const again = await importMirror(db, env, mirrorAddress, { publication: pub.id });
    expect([again.imported.length, again.updated.length, again.unchanged.length]).toEqual([0, 0, 2]);
  });

  describe("rebuilding from Arweave alone", () => {
    const databases: TestDatabase[] = [];
    const clients: Database[] = [];
    async function migrated(): Promise<{ db: Database; url: string }> {
      const database = await freshDatabase(provider);
      databases.push(database);
      await deployMigrations(database.url);
      const client = createDatabase(database.url);
      clients.push(client);
      return { db: client, url: database.url };
    }
    afterAll(async () => {
      await Promise.all(clients.map((client) => client.$disconnect()));
      await Promise.all(databases.map((database) => database.drop()));
    });

    it("restores a publication, its members and its entries, skips forged records and unproven entries, and adds nothing the second time", async () => {
      const [owner, writer, editor, stranger, forger] = [account(), account(), account(), account(), account()];
      const pub = await publication(owner, "Rebuilt Review");
      const t0 = nowS();
      await grant(owner, pub.id, writer.address, "writer", t0 - 3600);
      await grant(owner, pub.id, editor.address, "editor", t0 - 3600);
      const forgedId = await uploadMembershipRecord(env, forger, owner.address, { publication: pub.publicationId, member: stranger.address, role: "editor", from: t0 - 3600 });
      const entries = [
        await uploadPublicationEntry(env, writer, pub.publicationId, { title: "Notes", timestamp: t0 - 60 }),
        await uploadPublicationEntry(env, editor, pub.publicationId, { title: "Notes", timestamp: t0 - 30 }),
        await uploadPublicationEntry(env, owner, pub.publicationId, { title: "From the owner", timestamp: t0 - 10 }),
      ];
      const unproven = await uploadPublicationEntry(env, stranger, pub.publicationId, { title: "Not a member", timestamp: t0 });

      const { db: target, url } = await migrated();
      const first = await rebuildPublication(target, env, pub.publicationId);
      expect(first.publication).toMatchObject({ created: true, name: "Rebuilt Review", membersRestored: 2, membersPresent: 0 });
      expect(first.publication.skipped).toEqual([{ arweaveId: forgedId, reason: `it is not signed by the publication's owner ${owner.address}` }]);
      expect(first.contributors.map((report) => report.entriesRestored).sort()).toEqual([0, 1, 1, 1]);
      expect(first.contributors.flatMap((report) => report.skipped)).toEqual([
        { arweaveId: unproven.id, reason: `it does not verify: signed by ${stranger.address}, not proven a member of Rebuilt Review` },
      ]);

      const source = await db.publication.findUniqueOrThrow({ where: { writerId: pub.id }, include: { account: true } });
      const restored = await target.publication.findUniqueOrThrow({ where: { writerId: first.publication.accountId }, include: { account: true, owner: true } });
      expect(restored.account).toMatchObject({ kind: "publication", address: pub.publicationId, handle: source.account.handle, displayName: "Rebuilt Review", bio: source.account.bio });
      expect(restored).toMatchObject({ ownerAddress: owner.address.toLowerCase(), salt: source.salt, recordId: source.recordId, recordJson: source.recordJson, recordTimestamp: source.recordTimestamp });
      expect(restored.owner.address).toBe(owner.address.toLowerCase());
      const rows = (client: Database, publicationId: string) =>
        client.membershipRecord.findMany({ where: { publicationId }, orderBy: { arweaveId: "asc" }, select: { member: true, role: true, from: true, signature: true, json: true, arweaveId: true } });
      expect(await rows(target, restored.writerId)).toEqual(await rows(db, pub.id));

      const restoredEntries = await target.entry.findMany({ where: { publicationId: restored.writerId }, include: { writer: true, versions: true }, orderBy: { publishedAt: "asc" } });
      expect(restoredEntries.map((entry) => [entry.writer.address, entry.versions[0]!.arweaveId])).toEqual([
        [writer.address.toLowerCase(), entries[0]!.id],
        [editor.address.toLowerCase(), entries[1]!.id],
        [owner.address.toLowerCase(), entries[2]!.id],
      ]);
      // Slugs are unique within the publication as well as under each writer.
      expect(restoredEntries.map((entry) => entry.slug).sort()).toEqual(["from-the-owner", "notes", "notes-2"]);

      // Rebuilding one member restores the publication their entries name, and their entry in it.
      const { db: other } = await migrated();
      const member = await rebuildContributor(other, env, writer.address);
      expect(member).toMatchObject({ entriesRestored: 1, publications: [{ publication: pub.publicationId, created: true, membersRestored: 2 }] });
      const entry = await other.entry.findFirstOrThrow({ include: { publication: true } });
      expect(entry.publication).toMatchObject({ address: pub.publicationId, kind: "publication", displayName: "Rebuilt Review" });
      const again = spawnSync(process.execPath, ["--import", "tsx", "scripts/rebuild.ts", "--publication", pub.publicationId], { cwd: ROOT, encoding: "utf8", env: { ...process.env, DATABASE_URL: url } });
      expect(again.status, again.stderr).toBe(0);
      expect(again.stdout).toContain(`publication        Rebuilt Review (${pub.publicationId}), already here: brought to its latest record`);
      expect(again.stdout).toContain("membership records 0 restored, 2 already present");
      expect(again.stdout).toContain(`  ${forgedId}  it is not signed by the publication's owner ${owner.address}`);
      expect(again.stdout).not.toMatch(/entries restored {3}[1-9]/);
      expect(await target.entry.count()).toBe(3);
      expect(await target.membershipRecord.count()).toBe(2);

    });
  });
});
