import fs from "node:fs";
import path from "node:path";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { beforeAll, describe, expect, it } from "vitest";
import type { Database } from "~/db.server";
import { getEnv } from "~/env.server";
import { slugify } from "~/modules/entries/drafts.server";
import { importMirror, type MirrorImportReport } from "~/modules/entries/import-mirror.server";
import { databaseProviders, useMigratedDatabase } from "../support/databases";
import { postMirrorEntry, signMirrorEntry } from "../support/mirror";

const FIXTURES = path.resolve(__dirname, "../fixtures/mirror");

// onchainsummer.xyz's address; its entries were signed by two member wallets, one per device key.
const PUBLICATION = "0xd3271DF159F18E07AAD79E79A24580BB5c4776e9";
const MEMBER_RYIL = "0x3E7bbcF91Ef6e7F657a0f658D69a440a4E2F3AA3";
const MEMBER_4RCT = "0xE13022451246A6DB2d8005E949DBebd851A24792";
const SOLO_WRITER = "0xf9e0206f9f020DE9423A80ace7A64B322D0CE334";

const ZORA_REVISION = "DJ0PP-QLvDLMagBXajSCliN8RqNFt2WAggTBSwzGjPA.H6t3FMTQcGLiqIwCCmekWES_JVbje9VC8hqN5ctmM_0.json";
const ZORA_LATEST = "DJ0PP-QLvDLMagBXajSCliN8RqNFt2WAggTBSwzGjPA.json";
const ATARI = "N-zdPR5w0qhkgOFi9WJBDEnM2WzD4xfSHjF40i4qvq4.json";
const SOLO = "nIJWGywAVkuFY_Q3HzKRsP8UmkTlvZVF31Vof90u_TU.json";

/**
 * Each post imported, by its original digest: the file of the version kept and who signed it.
 * Only the solo writer's is signed by its contributor; the publication's are signed by its members,
 * which nothing on Arweave proves, so they are held for the publication to review.
 */
const IMPORTED: Record<string, { file: string; verification: string }> = {
  "BtttCd5ecU0USQhFQ9wGZCmQ1Exq-nEhSUDViy0B_RY": { file: "BtttCd5ecU0USQhFQ9wGZCmQ1Exq-nEhSUDViy0B_RY.json", verification: `signed by ${MEMBER_RYIL}, not the contributor; membership unknown` },
  "DJ0PP-QLvDLMagBXajSCliN8RqNFt2WAggTBSwzGjPA": { file: ZORA_LATEST, verification: `signed by ${MEMBER_4RCT}, not the contributor; membership unknown` },
  "HTXHZIR5WXI3N7rehIKBtir-Th0QV7d_u12Ss6w6cqw": { file: "HTXHZIR5WXI3N7rehIKBtir-Th0QV7d_u12Ss6w6cqw.json", verification: `signed by ${MEMBER_4RCT}, not the contributor; membership unknown` },
  "N-zdPR5w0qhkgOFi9WJBDEnM2WzD4xfSHjF40i4qvq4": { file: ATARI, verification: `signed by ${MEMBER_4RCT}, not the contributor; membership unknown` },
  "k4bfWvIESu0m5XqXY80V6yPKy1ce9HY4y2g5mcULDA0": { file: "k4bfWvIESu0m5XqXY80V6yPKy1ce9HY4y2g5mcULDA0.json", verification: `signed by ${MEMBER_4RCT}, not the contributor; membership unknown` },
  "lSB4sNKGgntaVI9RqsR_Ak54BD8NrEBjXN5sYJ_LyPM": { file: "lSB4sNKGgntaVI9RqsR_Ak54BD8NrEBjXN5sYJ_LyPM.json", verification: `signed by ${MEMBER_RYIL}, not the contributor; membership unknown` },
  "nIJWGywAVkuFY_Q3HzKRsP8UmkTlvZVF31Vof90u_TU": { file: SOLO, verification: `verified: signed by the contributor ${SOLO_WRITER}` },
};

const fixtureText = (name: string) => fs.readFileSync(path.join(FIXTURES, name), "utf8");

const summary = (report: MirrorImportReport) => ({
  imported: report.imported.map((item) => item.originalDigest).sort(),
  updated: report.updated.map((item) => item.originalDigest).sort(),
  unchanged: report.unchanged.map((item) => item.originalDigest).sort(),
  skipped: report.skipped.map((item) => item.arweaveId).sort(),
});

// Posted once for the whole file: the local gateway lives for the run, each provider imports into its own database.
const posted = new Map<string, string>();
/** A copy of the solo writer's entry, one character of its body changed, claimed by another address. */
const forger = privateKeyToAccount(generatePrivateKey()).address;
let forgedId: string;
/** A copy of the Atari post, one character changed and dated later, posted under the publication's own tags. */
let forgedNewerId: string;

beforeAll(async () => {
  for (const name of fs.readdirSync(FIXTURES).filter((file) => file.endsWith(".json"))) posted.set(name, await postMirrorEntry(fixtureText(name), name.split(".")[0]!));

  const solo = JSON.parse(fixtureText(SOLO));
  solo.content.body = solo.content.body.replace("good", "goad");
  solo.authorship.contributor = forger;
  forgedId = await postMirrorEntry(JSON.stringify(solo), SOLO.split(".")[0]!);

  const atari = JSON.parse(fixtureText(ATARI));
  atari.content.body = atari.content.body.replace("Atari", "Atar1");
  atari.content.timestamp = String(Number(atari.content.timestamp) + 3600);
  forgedNewerId = await postMirrorEntry(JSON.stringify(atari), ATARI.split(".")[0]!);
});

describe.each(databaseProviders())("importing Mirror entries from Arweave on %s", (provider) => {
  const env = getEnv();
  let db: Database;
  useMigratedDatabase(provider, (created) => (db = created));

  it("records a tampered copy, when it is all there is, as failed with a digest mismatch", async () => {
    const report = await importMirror(db, env, forger);
    expect(summary(report)).toEqual({ imported: ["nIJWGywAVkuFY_Q3HzKRsP8UmkTlvZVF31Vof90u_TU"], updated: [], unchanged: [], skipped: [] });
    const verification = report.imported[0]!.verification;
    expect(verification).toMatch(/^failed: digest mismatch: expected nIJWGywAVkuFY_Q3HzKRsP8UmkTlvZVF31Vof90u_TU, computed [A-Za-z0-9_-]{43}$/);
    const entry = await db.entry.findFirstOrThrow({ where: { writer: { address: forger.toLowerCase() } }, include: { versions: true } });
    // Nobody's signature checks out: it waits for the writer's review like any import they did not sign.
    expect(entry).toMatchObject({ importedFrom: "mirror", verification, title: "petis", importReview: "pending" });
    expect(report.imported[0]!.heldForReview).toBe(true);
    expect(entry.versions).toMatchObject([{ arweaveId: forgedId, status: "confirmed", contributor: forger }]);
  });

  it("imports the latest version of each post with the verdict Mirror's signatures give", async () => {
    const publication = await importMirror(db, env, PUBLICATION.toLowerCase());
    const solo = await importMirror(db, env, SOLO_WRITER);
    const zoraRevisionId = posted.get(ZORA_REVISION)!;

    expect(summary(publication)).toEqual({
      imported: Object.keys(IMPORTED).filter((digest) => IMPORTED[digest]!.file !== SOLO).sort(),
      updated: [],
      unchanged: [],
      skipped: [zoraRevisionId, forgedNewerId].sort(),
    });
    expect(publication.skipped.find((item) => item.arweaveId === zoraRevisionId)?.reason).toBe("superseded by the newer version xNoYZAkFRVoraG9zy-I4wOQOSRmJNg6ibsvuWiGPHcE");
    expect(publication.skipped.find((item) => item.arweaveId === forgedNewerId)?.reason).toMatch(
      /^failed: digest mismatch: expected 0JFCdwi5DW\S+, computed \S+; the version 0JFCdwi5DW\S+ verifies better and was imported instead$/,
    );
    // The tampered copy claimed the solo writer's post; the genuine, verified entry takes its place.
    expect(summary(solo)).toEqual({ imported: ["nIJWGywAVkuFY_Q3HzKRsP8UmkTlvZVF31Vof90u_TU"], updated: [], unchanged: [], skipped: [] });
    expect(solo.imported[0]!.notes).toEqual([expect.stringMatching(new RegExp(`^replaced the copy imported for ${forger.toLowerCase()} \\(failed: digest mismatch`))]);

    const entries = await db.entry.findMany({ include: { versions: true, writer: { select: { address: true, handle: true } } } });
    expect(entries).toHaveLength(Object.keys(IMPORTED).length);
    for (const entry of entries) {
      const expected = IMPORTED[entry.originalDigest]!;
      const text = fixtureText(expected.file);
      const json = JSON.parse(text);
      const contributor = json.authorship.contributor as string;
      expect(entry).toMatchObject({
        importedFrom: "mirror",
        verification: expected.verification,
        importReview: expected.file === SOLO ? "none" : "pending",
        slug: slugify(json.content.title),
        latestVersion: 1,
        title: json.content.title,
        updatedAt: new Date(Number(json.content.timestamp) * 1000),
        writer: { address: contributor.toLowerCase(), handle: null },
      });
      expect(entry.wordCount).toBeGreaterThan(0);
      expect(entry.versions).toEqual([
        expect.objectContaining({
          version: 1,
          digest: json.digest,
          arweaveId: posted.get(expected.file),
          title: json.content.title,
          entryJson: text,
          contributor,
          signature: json.authorship.signature,
          timestamp: Number(json.content.timestamp),
          status: "confirmed",
          dataItem: null,
        }),
      ]);
    }

    const byDigest = new Map(entries.map((entry) => [entry.originalDigest, entry]));
    const zora = byDigest.get("DJ0PP-QLvDLMagBXajSCliN8RqNFt2WAggTBSwzGjPA")!;
    // First published as the older revision, updated by the newer one.
    expect(zora.publishedAt).toEqual(new Date(Number(JSON.parse(fixtureText(ZORA_REVISION)).content.timestamp) * 1000));
    expect(zora.versions[0]!.html).toContain('<p><strong><em>Zora is emerging as a');
    expect(zora.versions[0]!.html).toContain('href="https://onchainsummer.xyz/zora"');
    expect(zora.versions[0]!.html).toContain('href="https://zora.energy/">Manifesto</a>');
    expect(byDigest.get("lSB4sNKGgntaVI9RqsR_Ak54BD8NrEBjXN5sYJ_LyPM")!.versions[0]!.html).toMatch(/<img [^>]*src="https:\/\/images\.mirror-media\.xyz\/publication-images\/kYzapyneWZUSQ5WpYEq6V\.png\?height=550&amp;width=1200"/);
    expect(byDigest.get("nIJWGywAVkuFY_Q3HzKRsP8UmkTlvZVF31Vof90u_TU")!.versions[0]!.html).toBe("<p>im good</p>");
  });

  it("adds nothing when run again, and a tampered copy cannot displace the verified entry", async () => {
    const before = [await db.entry.count(), await db.entryVersion.count(), await db.writer.count()];
    const publication = await importMirror(db, env, PUBLICATION);
    expect(summary(publication)).toMatchObject({ imported: [], updated: [], unchanged: Object.keys(IMPORTED).filter((digest) => IMPORTED[digest]!.file !== SOLO).sort() });
    expect(summary(await importMirror(db, env, SOLO_WRITER.toLowerCase()))).toEqual({ imported: [], updated: [], unchanged: ["nIJWGywAVkuFY_Q3HzKRsP8UmkTlvZVF31Vof90u_TU"], skipped: [] });

    const forged = await importMirror(db, env, forger);
    expect(summary(forged)).toEqual({ imported: [], updated: [], unchanged: [], skipped: [forgedId] });
    expect(forged.skipped[0]!.reason).toBe(`the post is already imported for ${SOLO_WRITER.toLowerCase()} (verified: signed by the contributor ${SOLO_WRITER})`);
    expect(forged.skipped[0]!.verdict).toMatchObject({ status: "failed", reason: expect.stringMatching(/^digest mismatch/) });
    expect([await db.entry.count(), await db.entryVersion.count(), await db.writer.count()]).toEqual(before);
  });

  it("imports Markdown without the links and images the editor refuses, and moves to a newer version", async () => {
    const wallet = privateKeyToAccount(generatePrivateKey());
    const first = Math.floor(Date.now() / 1000) - 3600;
    const v1 = await signMirrorEntry(wallet, {
      title: "Field notes",
      body: "## What I saw\n\nRead [the notes](https://example.com/notes) or [run this](javascript:alert(1)).\n\n![a photo](http://example.com/photo.png)\n\n- one\n- two\n",
      timestamp: String(first),
    });
    const v1Id = await postMirrorEntry(JSON.stringify(v1), v1.digest);
    const imported = await importMirror(db, env, wallet.address);
    expect(summary(imported)).toEqual({ imported: [v1.digest], updated: [], unchanged: [], skipped: [] });
    expect(imported.imported[0]).toMatchObject({ arweaveId: v1Id, verification: `verified: signed by the contributor ${wallet.address}`, heldForReview: false });
    expect(imported.imported[0]!.notes).toEqual([
      'removed the link on "run this" (Links may only point to http(s), mailto or ar addresses: javascript:alert(1))',
      "removed an image (Images must be stored on Arweave (ar://<id>) or served over https: http://example.com/photo.png)",
    ]);
    const html = (await db.entryVersion.findUniqueOrThrow({ where: { arweaveId: v1Id } })).html;
    expect(html).toBe(
      '<h2>What I saw</h2><p>Read <a rel="noopener noreferrer nofollow" href="https://example.com/notes">the notes</a> or run this.</p><ul><li><p>one</p></li><li><p>two</p></li></ul>',
    );

    const v2 = await signMirrorEntry(wallet, { title: "Field notes, revised", body: "## What I saw\n\nLess than I thought.\n", timestamp: String(first + 600) });
    const v2Id = await postMirrorEntry(JSON.stringify(v2), v1.digest);
    const updated = await importMirror(db, env, wallet.address);
    expect(summary(updated)).toEqual({ imported: [], updated: [v1.digest], unchanged: [], skipped: [v1Id] });
    const entry = await db.entry.findUniqueOrThrow({ where: { originalDigest: v1.digest }, include: { versions: true } });
    expect(entry).toMatchObject({ slug: "field-notes", title: "Field notes, revised", latestVersion: 1, publishedAt: new Date(first * 1000), updatedAt: new Date((first + 600) * 1000) });
    expect(entry.versions).toMatchObject([{ version: 1, digest: v2.digest, arweaveId: v2Id, timestamp: first + 600, html: "<h2>What I saw</h2><p>Less than I thought.</p>" }]);
  });
});
