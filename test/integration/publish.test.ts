import { spawn } from "node:child_process";
import crypto from "node:crypto";
import path from "node:path";
import { verifyTypedData } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb, type Database } from "~/db.server";
import { getEnv, parseEnv } from "~/env.server";
import { createDraft, getDraft, saveDraft } from "~/modules/entries/drafts.server";
import { canonicalJson, contentDigest, entryTags, type Entry } from "~/modules/entries/entry";
import { runOutboxOnce } from "~/modules/storage/outbox.server";
import { preparePublication, publishDraft } from "~/modules/entries/publish.server";
import { draftForEntry, entryPage } from "~/modules/entries/read.server";
import { verifyArweaveEntry } from "~/modules/entries/verify.server";
import { UserError } from "~/modules/errors.server";
import { createSignedDataItem } from "~/modules/storage/data-item.server";
import { fetchData, findByTags } from "~/modules/storage/gateway.server";
import { bundlerTarget, uploadDataItem } from "~/modules/storage/irys.server";
import { useMigratedDatabase } from "../support/databases";
import { signPublication } from "../support/entries";
import { startFlakyBundler } from "../support/proxy";
import { Browser, startTestServer } from "../support/web";

let server: Awaited<ReturnType<typeof startTestServer>>;
let db: Database;
beforeAll(async () => {
  server = await startTestServer();
  db = getDb();
});
afterAll(() => server?.stop());

const essay = (words: string) => ({
  type: "doc" as const,
  content: [
    { type: "heading", attrs: { level: 2 }, content: [{ type: "text", text: "First principles" }] },
    { type: "paragraph", content: [{ type: "text", text: words }] },
    { type: "bulletList", content: [{ type: "listItem", content: [{ type: "paragraph", content: [{ type: "text", text: "permanence" }] }] }] },
  ],
});

async function newWriter(on: Database = db) {
  const account = privateKeyToAccount(generatePrivateKey());
  const handle = `w-${crypto.randomBytes(4).toString("hex")}`;
  const writer = await on.writer.create({ data: { address: account.address.toLowerCase(), handle } });
  return { account, writer };
}

/** The proof page's "Read it here" line: its text as a reader sees it, and where its links go. */
function readHere(proof: string) {
  const line = /<p data-testid="read-here">([\s\S]*?)<\/p>/.exec(proof)?.[1] ?? "";
  return { text: line.replace(/<[^>]+>|<!-- -->/g, ""), links: [...line.matchAll(/href="([^"]+)"/g)].map((m) => m[1]) };
}

async function draftWith(writerId: string, title: string, words: string, on: Database = db) {
  const { id } = await createDraft(on, writerId);
  await saveDraft(on, writerId, id, { title, document: essay(words), baseRevision: 1 });
  return id;
}


describe("publishing", () => {
  it("stores a signed entry on Arweave, findable by every tag, verifiable, and readable on its page", async () => {
    const { account, writer } = await newWriter();
    const draftId = await draftWith(writer.id, "On Permanence", "Words that stay where they are put.");
    const published = await publishDraft(db, getEnv(), writer, await signPublication(db, account, writer, draftId));
    expect(published).toMatchObject({ version: 1, status: "confirmed", slug: "on-permanence" });

    const stored = JSON.parse((await fetchData(published.arweaveId, getEnv().storage.gatewayUrl))!.toString("utf8")) as Entry;
    expect(stored.content.title).toBe("On Permanence");
    expect(stored.content.body).toBe("## First principles\n\nWords that stay where they are put.\n\n- permanence\n");
    expect(stored.digest).toBe(published.digest);
    expect(stored.originalDigest).toBe(published.digest);
    expect(stored.authorship.contributor).toBe(account.address);
    expect(await contentDigest(stored.content)).toBe(stored.digest);

    const gateway = getEnv().storage.gatewayUrl;
    for (const tag of entryTags(stored)) {
      const found = await findByTags([{ name: tag.name, values: [tag.value] }, { name: "Contributor", values: [account.address] }], gateway);
      expect(found.map((tx) => tx.id), `tag ${tag.name}`).toEqual([published.arweaveId]);
    }
    expect(await verifyArweaveEntry(getEnv(), published.arweaveId)).toMatchObject({ kind: "entry", verified: true, problems: [], version: 1 });

    const visitor = new Browser(server.url);
    const page = await (await visitor.fetch(`/${writer.handle}/on-permanence`)).text();
    expect(page).toContain("<h1>On Permanence</h1>");
    expect(page).toContain("<h2>First principles</h2>");
    expect(page).toContain(`href="/verify/${published.arweaveId}"`);
    const proof = await (await visitor.fetch(`/verify/${published.arweaveId}`)).text();
    expect(proof).toContain('data-testid="verdict" class="ok" data-state="verified">Verified</h1>');
    // The page's "Check it yourself" recipe, followed with none of the platform's code, agrees.
    const recipe = /<section aria-labelledby="check-yourself"[\s\S]*?<\/section>/.exec(proof)?.[0] ?? "";
    const storedUrl = /href="([^"]+)"/.exec(recipe)?.[1];
    expect(storedUrl).toBe(`${gateway}/${published.arweaveId}`);
    const downloaded = (await (await fetch(storedUrl!)).json()) as Entry;
    const canonical = (value: unknown): string =>
      Array.isArray(value)
        ? `[${value.map(canonical).join(",")}]`
        : value !== null && typeof value === "object"
          ? `{${Object.keys(value).sort().map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`).join(",")}}`
          : JSON.stringify(value);
    expect(crypto.createHash("sha256").update(canonical(downloaded.content), "utf8").digest("base64url")).toBe(downloaded.digest);
    const signedBy = await verifyTypedData({
      address: downloaded.authorship.contributor,
      domain: { name: "Permanent Press", version: "1" },
      types: { Entry: [{ name: "title", type: "string" }, { name: "digest", type: "string" }, { name: "originalDigest", type: "string" }, { name: "version", type: "uint32" }, { name: "contributor", type: "address" }] },
      primaryType: "Entry",
      message: { title: downloaded.content.title, digest: downloaded.digest, originalDigest: downloaded.originalDigest, version: downloaded.version, contributor: downloaded.authorship.contributor },
      signature: downloaded.authorship.signature,
    });
    expect(signedBy).toBe(true);

    const malformed = await visitor.fetch("/verify/not-an-id");
    expect(malformed.status).toBe(400);
    expect(await malformed.text()).toContain("That is not an Arweave id: an id is 43 characters of letters, digits, - and _.");
    // The verdict is the gateway's; the proof also says where the entry is read on this platform.
    expect(readHere(proof)).toEqual({ text: `Read it here: On Permanence by @${writer.handle}.`, links: [`/${writer.handle}/on-permanence`, `/${writer.handle}`] });

    const unchanged = await preparePublication(db, writer, draftId).then(() => undefined, (error: unknown) => error as UserError);
    expect(unchanged).toMatchObject({ status: 409, message: "Nothing changed since version 1: edit the essay to publish a new version." });
  });

  it("publishes an edit as version 2 with the same original digest, and keeps version 1 reachable", async () => {
    const { account, writer } = await newWriter();
    // Version 1 ten minutes before version 2 (within the signing window), so their times differ.
    const first = await publishDraft(db, getEnv(), writer, await signPublication(db, account, writer, await draftWith(writer.id, "Drafting", "The first thoughts."), new Date(Date.now() - 10 * 60_000)));
    // The draft that made version 1 stays linked to the entry and is where its edits happen.
    const editId = await draftForEntry(db, writer.id, first.entryId);
    const { revision } = await getDraft(db, writer.id, editId);
    const saved = await saveDraft(db, writer.id, editId, { title: "Drafting, revised", document: essay("Second thoughts, better."), baseRevision: revision });
    expect(saved.revision).toBe(revision + 1);
    const second = await publishDraft(db, getEnv(), writer, await signPublication(db, account, writer, editId));
    expect(second).toMatchObject({ entryId: first.entryId, version: 2, slug: "drafting" });
    expect(second.digest).not.toBe(first.digest);

    const both = await findByTags([{ name: "Original-Content-Digest", values: [first.digest] }], getEnv().storage.gatewayUrl);
    expect(both.map((tx) => tx.id).sort()).toEqual([first.arweaveId, second.arweaveId].sort());
    const v2 = await verifyArweaveEntry(getEnv(), second.arweaveId);
    expect(v2).toMatchObject({ verified: true, version: 2, originalDigest: first.digest, title: "Drafting, revised" });

    const latest = await entryPage(db, writer.handle!, "drafting");
    expect(latest?.current).toMatchObject({ version: 2, title: "Drafting, revised" });
    expect(latest?.entry.versions.map((v) => v.version)).toEqual([2, 1]);
    const old = await entryPage(db, writer.handle!, "drafting", 1);
    expect(old?.current).toMatchObject({ version: 1, title: "Drafting", arweaveId: first.arweaveId });

    // Each version's proof leads to that version's page; the older one also to the latest.
    const visitor = new Browser(server.url);

    // The page dates the essay by version 1 and says when version 2 modified it.
    const pageHtml = await (await visitor.fetch(`/${writer.handle}/drafting`)).text();
    const metaOf = (property: string) => new RegExp(`<meta property="${property}" content="([^"]+)"`).exec(pageHtml)?.[1];
    const timeOf = (v: { timestamp: number }) => new Date(v.timestamp * 1000).toISOString();
    const [v2Row, v1Row] = latest!.entry.versions;
    expect(timeOf(v1Row!)).not.toBe(timeOf(v2Row!));
    expect(metaOf("article:published_time")).toBe(timeOf(v1Row!));
    expect(metaOf("article:modified_time")).toBe(timeOf(v2Row!));
    const article = JSON.parse(/<script type="application\/ld\+json">([\s\S]*?)<\/script>/.exec(pageHtml)![1]!);
    expect(article).toMatchObject({ headline: "Drafting, revised", datePublished: timeOf(v1Row!), dateModified: timeOf(v2Row!) });
    const proofOf = async (arweaveId: string) => readHere(await (await visitor.fetch(`/verify/${arweaveId}`)).text());
    expect(await proofOf(first.arweaveId)).toEqual({
      text: `Read it here: Drafting, version 1 by @${writer.handle} (version 2 is the latest).`,
      links: [`/${writer.handle}/drafting?version=1`, `/${writer.handle}`, `/${writer.handle}/drafting`],
    });
    expect(await proofOf(second.arweaveId)).toEqual({ text: `Read it here: Drafting, revised, version 2 by @${writer.handle}.`, links: [`/${writer.handle}/drafting`, `/${writer.handle}`] });
  });

  it("reports a tampered copy and a forged signature as not verified", async () => {
    const { account, writer } = await newWriter();
    const published = await publishDraft(db, getEnv(), writer, await signPublication(db, account, writer, await draftWith(writer.id, "Tamper me", "Exactly these words.")));
    const entry = JSON.parse((await fetchData(published.arweaveId, getEnv().storage.gatewayUrl))!.toString("utf8")) as Entry;
    const upload = async (copy: Entry) => {
      const item = await createSignedDataItem(canonicalJson(copy), entryTags(copy), getEnv().storage.platformKey);
      await uploadDataItem(item, bundlerTarget(getEnv()));
      return verifyArweaveEntry(getEnv(), item.id);
    };
    const altered = await upload({ ...entry, content: { ...entry.content, body: entry.content.body.replace("Exactly", "Roughly") } });
    expect(altered?.verified).toBe(false);
    expect(altered && "problems" in altered && altered.problems[0]).toMatch(/^The content does not match its digest: it says .* its bytes give .*changed after it was signed\.$/);

    const forger = privateKeyToAccount(generatePrivateKey());
    const forged = await upload({ ...entry, authorship: { ...entry.authorship, signature: await forger.signMessage({ message: entry.digest }) } });
    expect(forged).toMatchObject({ verified: false, problems: [`The signature is not ${account.address}'s signature of this entry.`] });
  });

  it("refuses a wrong signature, a draft changed since signing, and an untitled essay, storing nothing", async () => {
    const { account, writer } = await newWriter();
    const draftId = await draftWith(writer.id, "Refusals", "Some words.");
    const good = await signPublication(db, account, writer, draftId);
    const refusal = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error as UserError);

    const other = privateKeyToAccount(generatePrivateKey());
    const wrong = await refusal(publishDraft(db, getEnv(), writer, { ...good, signature: (await signPublication(db, other, writer, draftId)).signature }));
    expect(wrong).toMatchObject({ status: 401, message: "The signature does not match this entry and your address." });

    await saveDraft(db, writer.id, draftId, { title: "Refusals", document: essay("Other words."), baseRevision: good.revision });
    const stale = await refusal(publishDraft(db, getEnv(), writer, good));
    expect(stale).toMatchObject({ status: 409 });

    const untitled = await draftWith(writer.id, "", "No title here.");
    const noTitle = await refusal(preparePublication(db, writer, untitled));
    expect(noTitle).toMatchObject({ status: 422, message: "Give the essay a title before publishing." });
    expect(await db.entry.count({ where: { writerId: writer.id } })).toBe(0);
  });
});

describe("the upload outbox", () => {
  // A database of its own: a pass uploads every queued row, and other test files queue images.
  let db: Database;
  let url: string;
  useMigratedDatabase("sqlite", (created, createdUrl) => {
    db = created;
    url = createdUrl;
  });

  it("ends with exactly one item on Arweave when the bundler fails the first two uploads", async () => {
    const flaky = await startFlakyBundler(getEnv().storage.irysUrl, { failFirst: 2 });
    try {
      const env = parseEnv({ ...process.env, IRYS_URL: flaky.url, ARWEAVE_GATEWAY_URL: getEnv().storage.gatewayUrl });
      const { account, writer } = await newWriter(db);
      const published = await publishDraft(db, env, writer, await signPublication(db, account, writer, await draftWith(writer.id, "Flaky", "Retried words.", db)));
      expect(published.status).toBe("queued");
      let row = await db.entryVersion.findUniqueOrThrow({ where: { arweaveId: published.arweaveId } });
      expect(row).toMatchObject({ attempts: 1, status: "queued" });
      expect(row.lastError).toMatch(/503/);

      const later = (minutes: number) => new Date(Date.now() + minutes * 60_000);
      await runOutboxOnce(db, env, later(11));
      await runOutboxOnce(db, env, later(22));
      row = await db.entryVersion.findUniqueOrThrow({ where: { arweaveId: published.arweaveId } });
      expect(row).toMatchObject({ attempts: 3, status: "confirmed", lastError: null, dataItem: null });
      expect(flaky.uploads()).toBe(3);
      const found = await findByTags([{ name: "Content-Digest", values: [published.digest] }], getEnv().storage.gatewayUrl);
      expect(found).toHaveLength(1);
    } finally {
      await flaky.stop();
    }
  });

  it("resumes an upload after the publishing process was killed mid-upload, without a second copy", async () => {
    const hanging = await startFlakyBundler(getEnv().storage.irysUrl, { hang: true });
    try {
      const { account, writer } = await newWriter(db);
      const input = await signPublication(db, account, writer, await draftWith(writer.id, "Interrupted", "Words in flight.", db));
      const root = path.resolve(__dirname, "../..");
      const child = spawn(path.join(root, "node_modules/.bin/tsx"), ["test/support/publish-child.ts", JSON.stringify({ writer, ...input })], {
        cwd: root,
        env: { ...process.env, DATABASE_URL: url, IRYS_URL: hanging.url, ARWEAVE_GATEWAY_URL: getEnv().storage.gatewayUrl },
        stdio: "ignore",
      });
      const exited = new Promise((resolve) => child.once("exit", resolve));
      const deadline = Date.now() + 30_000;
      while (hanging.uploads() === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(hanging.uploads()).toBe(1);
      child.kill("SIGKILL");
      await exited;

      const row = await db.entryVersion.findFirstOrThrow({ where: { entry: { writerId: writer.id } } });
      expect(row.status).toBe("queued");
      expect(row.lockedUntil).not.toBeNull();
      // After the dead worker's claim runs out, the next pass uploads the same bytes.
      await runOutboxOnce(db, getEnv(), new Date(Date.now() + 2 * 60_000));
      const done = await db.entryVersion.findUniqueOrThrow({ where: { id: row.id } });
      expect(done.status).toBe("confirmed");
      const found = await findByTags([{ name: "Content-Digest", values: [row.digest] }], getEnv().storage.gatewayUrl);
      expect(found.map((tx) => tx.id)).toEqual([row.arweaveId]);
    } finally {
      await hanging.stop();
    }
  });
});
