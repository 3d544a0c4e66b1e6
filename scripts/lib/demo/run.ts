import { createWalletClient, http, type Address } from "viem";
import type { Env } from "../../../app/env.server";
import { logLine } from "../../../app/server/log.server";
import { draftFromMarkdown, slugify } from "../../../app/modules/entries/drafts.server";
import { DEV_READER_INDEXES, DEV_WRITERS } from "../../../app/modules/dev/accounts.server";
import { listCapturedMail } from "../../../app/modules/mail/mailbox.server";
import { avatarPng, DEMO_CONTENT, essayMarkdown, essayTitle, mapPng, type DemoEssay } from "./content";
import { PressError, PressSession, PressVisitor } from "./client";

export interface DemoOptions {
  /** The running press, as readers reach it. */
  baseUrl: string;
  /** The local development chain: its node signs for the demo's accounts. */
  rpcUrl: string;
  /** The local mail catcher's folder: the demo's readers read their mail there. */
  mailboxDir: string;
  log(line: string): void;
  /** How long to wait for the worker (uploads, mail, the indexer) before giving up. */
  waitMs?: number;
}

export interface DemoResult {
  writers: Array<{ name: string; url: string }>;
  entries: Array<{ title: string; url: string; proofUrl: string }>;
  editionUrl: string | null;
  /** Entries that were there already from an earlier run, left as they were. */
  skipped: number;
}

interface Published {
  entryId: string;
  url: string;
  arweaveId: string;
}

/** The demo readers' mail addresses: the local catcher accepts any. */
const readerEmail = (n: number) => `reader${n}@example.com`;

async function waitFor<T>(what: string, ms: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what} after ${Math.round(ms / 1000)} s: is the worker running?`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * Fills a local press with what a newcomer needs to see it work: three writers of the local
 * chain's development accounts, their signed essays (one illustrated, one in two versions, one a
 * writing edition partly collected), email subscribers who confirmed by the link in their mail and
 * received the newsletter, and a reader following by wallet. Every step is a request a browser
 * would make, signed by the account's wallet, so uploads, the newsletter and the indexer do the
 * rest as they would for anyone. Entries already there are left alone, so it can run again.
 */
export async function runDemo(opts: DemoOptions): Promise<DemoResult> {
  const waitMs = opts.waitMs ?? 120_000;
  const accounts = await createWalletClient({ transport: http(opts.rpcUrl, { retryCount: 0 }) }).getAddresses();
  const visitor = (index: number) => new PressVisitor(opts.baseUrl, accounts[index]! as Address, opts.rpcUrl);
  const readers = DEV_READER_INDEXES.map((index, n) => ({ visitor: visitor(index), email: readerEmail(n + 1) }));
  const result: DemoResult = { writers: [], entries: [], editionUrl: null, skipped: 0 };
  const newsletters: Array<{ to: string; subject: string }> = [];
  const proofs: string[] = [];
  const collections: Array<{ editionId: string; collector: Address }> = [];

  for (const dev of DEV_WRITERS) {
    const content = DEMO_CONTENT[dev.handle]!;
    const writer = visitor(dev.index);
    const signedIn = await writer.signIn();
    let handle = signedIn.handle;
    if (!handle) {
      const form = new FormData();
      form.set("handle", dev.handle);
      form.set("displayName", dev.name);
      form.set("bio", content.bio);
      form.set("avatar", new Blob([new Uint8Array(avatarPng(content.colour))], { type: "image/png" }), "avatar.png");
      await writer.postForm("/settings/profile", form);
      handle = dev.handle;
      opts.log(`${dev.name}: signed in with development account #${dev.index} and saved a profile at /${handle}`);
    }
    result.writers.push({ name: dev.name, url: `${opts.baseUrl}/${handle}` });

    const pending = content.essays.map((essay) => ({ essay, markdown: essayMarkdown(essay) }));
    const exists = await Promise.all(pending.map(({ markdown }) => fetch(`${opts.baseUrl}/${handle}/${slugify(essayTitle(markdown))}`).then((response) => response.ok)));
    if (exists.every(Boolean)) {
      result.skipped += pending.length;
      opts.log(`${dev.name}: already published here, left as is`);
      for (const { markdown } of pending) result.entries.push({ title: essayTitle(markdown), url: `${opts.baseUrl}/${handle}/${slugify(essayTitle(markdown))}`, proofUrl: "" });
      continue;
    }

    // Subscribed before the first essay, so that every essay reaches them as a newsletter.
    if (content.subscribed && !exists.some(Boolean)) {
      for (const reader of readers) await subscribeByEmail(opts, reader.email, handle, waitMs);
      opts.log(`${dev.name}: ${readers.length} readers subscribed by email and confirmed from their mail`);
    }

    for (const [i, { essay, markdown }] of pending.entries()) {
      if (exists[i]) {
        result.skipped += 1;
        continue;
      }
      const title = essayTitle(markdown);
      if (content.subscribed) for (const reader of readers) newsletters.push({ to: reader.email, subject: title });
      const published = await publishEssay(writer, essay, essay.illustrated ? await illustrate(writer, markdown) : markdown);
      opts.log(`${dev.name}: published “${title}” (signed; Arweave ${published.arweaveId})`);
      let latest = published;
      if (essay.revision) {
        latest = await publishRevision(writer, published.entryId, `${markdown.trim()}\n\n${essay.revision}\n`);
        opts.log(`${dev.name}: published a second version of “${title}” (Arweave ${latest.arweaveId})`);
      }
      proofs.push(latest.arweaveId);
      result.entries.push({ title, url: `${opts.baseUrl}${latest.url}`, proofUrl: `${opts.baseUrl}/verify/${latest.arweaveId}` });
      if (essay.edition) {
        const editionId = await makeEdition(writer, published.entryId, essay.edition);
        result.editionUrl = `${opts.baseUrl}${latest.url}`;
        opts.log(`${dev.name}: made “${title}” an edition of ${essay.edition.supply} at ${essay.edition.price} ETH`);
        // The second reader came through the first one's referral link and keeps two copies.
        const collectors = readers.slice(0, essay.edition.collectors);
        for (const [i, reader] of collectors.entries()) {
          const referred = i === 1 ? { quantity: 2, referrer: collectors[0]!.visitor.address } : {};
          const call = await reader.visitor.postJson<{ to: string; data: string; value: string }>(`/editions/${editionId}/collect`, { collector: reader.visitor.address, message: "Collected from the demo.", ...referred });
          await reader.visitor.send(call);
          collections.push({ editionId, collector: reader.visitor.address });
        }
        opts.log(`${dev.name}: ${essay.edition.collectors} readers collected “${title}”, one of them two copies through another's referral link`);
      }
    }
  }

  // A reader who follows by wallet: the feed at /following shows what the writers they follow publish.
  const follower = readers[0]!.visitor;
  await follower.signIn();
  await follower.postForm(`/subscribe/${DEV_WRITERS[0].handle}`, { intent: "follow" });

  opts.log("waiting for the worker: the indexer, the newsletter and the uploads to Arweave…");
  await Promise.all([
    ...collections.map(({ editionId, collector }) =>
      waitFor(`the indexer to see ${collector} collect`, waitMs, async () => {
        const response = await fetch(`${opts.baseUrl}/editions/${editionId}/collected?by=${collector}`, { cache: "no-store" });
        return response.ok && ((await response.json()) as { collected: boolean }).collected ? true : undefined;
      }),
    ),
    ...proofs.map((id) =>
      waitFor(`Arweave to serve ${id}`, waitMs, async () => {
        const response = await fetch(`${opts.baseUrl}/verify/${id}`);
        return response.ok && (await response.text()).includes("<title>Verified") ? true : undefined;
      }),
    ),
    waitFor("the newsletter", waitMs, async () => {
      const mail = await listCapturedMail(opts.mailboxDir);
      return newsletters.every(({ to, subject }) => mail.some((message) => message.to.includes(to) && message.subject === subject)) ? true : undefined;
    }),
  ]);
  opts.log(`indexed ${collections.length} collects, ${newsletters.length} newsletter messages delivered, ${proofs.length} entries verified from Arweave`);
  return result;
}

async function subscribeByEmail(opts: DemoOptions, email: string, handle: string, waitMs: number) {
  const reader = new PressSession(opts.baseUrl);
  const since = Date.now();
  await reader.postForm(`/subscribe/${handle}`, { intent: "email", email });
  const link = await waitFor(`the confirmation mail to ${email}`, waitMs, async () => {
    const mail = await listCapturedMail(opts.mailboxDir);
    const message = mail.find((m) => m.receivedAt.getTime() >= since - 1000 && m.to.includes(email) && m.subject.startsWith("Confirm your subscription"));
    return message?.text.match(/https?:\/\/\S+\/subscriptions\/confirm\?token=[\w.-]+/)?.[0];
  });
  await reader.postForm("/subscriptions/confirm", { token: new URL(link).searchParams.get("token")! });
}

async function publish(writer: PressVisitor, draftId: string): Promise<Published> {
  const url = `/drafts/${draftId}/publish`;
  const prepared = await writer.postJson<{ revision: number; timestamp: number; typedData: Parameters<PressVisitor["signTypedData"]>[0] }>(url, { intent: "prepare" });
  const signature = await writer.signTypedData(prepared.typedData);
  return writer.postJson<Published>(url, { intent: "publish", revision: prepared.revision, timestamp: prepared.timestamp, signature });
}

/** A new draft from the essay's Markdown file, as the drafts page's import does it, then signed and published. */
async function publishEssay(writer: PressVisitor, essay: DemoEssay, markdown: string): Promise<Published> {
  const form = new FormData();
  form.set("markdown", new Blob([markdown], { type: "text/markdown" }), essay.file);
  const location = await writer.postForm("/drafts/new", form);
  const draftId = location?.match(/^\/drafts\/([^/?]+)$/)?.[1];
  if (!draftId) throw new PressError(500, `creating a draft answered ${location ?? "no redirect"}`);
  return publish(writer, draftId);
}

/** The entry opened for editing, the draft saved with the new text, and published as its next version. */
async function publishRevision(writer: PressVisitor, entryId: string, markdown: string): Promise<Published> {
  const location = await writer.postForm(`/entries/${entryId}/edit`, {});
  const draftId = location?.match(/^\/drafts\/([^/?]+)$/)?.[1];
  if (!draftId) throw new PressError(500, `editing the entry answered ${location ?? "no redirect"}`);
  const { title, document } = draftFromMarkdown(markdown);
  const save = (baseRevision: number) => writer.postJson(`/drafts/${draftId}/save`, { title, document, baseRevision });
  // Like an editor that opened the draft elsewhere: the press answers a stale revision with the current one.
  await save(0).catch((error: unknown) => {
    if (error instanceof PressError && error.status === 409 && typeof error.body.currentRevision === "number") return save(error.body.currentRevision);
    throw error;
  });
  return publish(writer, draftId);
}

/** The essay's Markdown with an illustration uploaded by the writer under its title. */
async function illustrate(writer: PressVisitor, markdown: string): Promise<string> {
  const form = new FormData();
  form.set("file", new Blob([new Uint8Array(mapPng())], { type: "image/png" }), "map.png");
  const response = await writer.request("/uploads/images", { method: "POST", body: form });
  const { id } = (await response.json()) as { id: string };
  return markdown.replace(/^(#\s+.+\n)/m, `$1\n![A drawn map: the river, its two bridges, and the square where the market used to be](ar://${id})\n`);
}

/** A writing edition created now by the writer's own transaction to the factory. */
async function makeEdition(writer: PressVisitor, entryId: string, terms: { supply: string; price: string }): Promise<string> {
  const url = `/entries/${entryId}/edition/api`;
  const prepared = await writer.postJson<{ editionId: string; createCall: { to: string; data: string; value: string } }>(url, {
    intent: "prepare",
    terms: { price: terms.price, supply: terms.supply, royaltyPercent: "5", referralPercent: "10", fundingRecipient: "" },
  });
  const txHash = await writer.send(prepared.createCall);
  await writer.postJson(url, { intent: "confirm", editionId: prepared.editionId, confirmation: { mode: "direct", txHash } });
  return prepared.editionId;
}

/** The demo on the press `env` describes, with what to look at afterwards printed as start-up lines. */
export async function runDemoOn(env: Env): Promise<void> {
  const log = (line: string) => logLine("demo", line);
  const started = performance.now();
  const result = await runDemo({ baseUrl: env.publicUrl, rpcUrl: env.chain.rpcUrl, mailboxDir: env.mailboxDir, log });
  const were = result.skipped === 1 ? "1 entry was" : `${result.skipped} entries were`;
  log(`done in ${((performance.now() - started) / 1000).toFixed(1)} s${result.skipped ? ` (${were} there already)` : ""}. Have a look:`);
  log(`front page     ${env.publicUrl}/`);
  for (const writer of result.writers) log(`writer         ${writer.url}  (${writer.name})`);
  const proof = result.entries.find((entry) => entry.proofUrl);
  if (proof) log(`entry, proof   ${proof.url}  ${proof.proofUrl}`);
  if (result.editionUrl) log(`edition        ${result.editionUrl}`);
  log(`feeds          ${env.publicUrl}/rss.xml  ${env.publicUrl}/atom.xml  ${env.publicUrl}/feed.json`);
  if (env.devMailbox) log(`mail           ${env.publicUrl}/dev/mail`);
  log(`sign in as a demo writer at ${env.publicUrl}/signin ("Use a development wallet")`);
}
