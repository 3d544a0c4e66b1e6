/**
 * Publishing entries end to end as a writer's browser and wallet do (draft, prepare, sign the
 * typed data, publish), and essays shaped like real ones, for integration tests and benchmarks.
 */
import type { JSONContent } from "@tiptap/core";
import type { PrivateKeyAccount } from "viem/accounts";
import type { Database } from "~/db.server";
import type { Env } from "~/env.server";
import { parseDocument, type TiptapDocument } from "~/modules/entries/document.server";
import { createDraft, getDraft, saveDraft } from "~/modules/entries/drafts.server";
import { preparePublication, publishDraft, type PublishResult } from "~/modules/entries/publish.server";
import { writerForAddress } from "~/modules/writers/profile.server";

export interface Writer {
  id: string;
  address: string;
}

export async function writerOf(db: Database, account: PrivateKeyAccount): Promise<Writer> {
  const { id, address } = await writerForAddress(db, account.address);
  return { id, address };
}

/** What `publishDraft` takes for a draft as saved now: the wallet's signature over the prepared entry. */
export async function signPublication(db: Database, account: PrivateKeyAccount, writer: Writer, draftId: string, now = new Date()) {
  const prepared = await preparePublication(db, writer, draftId, now);
  const signature = await account.signTypedData(prepared.typedData);
  return { draftId, revision: prepared.revision, timestamp: prepared.timestamp, signature };
}

/**
 * Publishes a new entry (version 1) from a new draft, on the writer's own page or into the
 * publication (its account id) given; the draft then edits the entry.
 */
export async function publishEntry(
  db: Database,
  env: Env,
  account: PrivateKeyAccount,
  essay: { title: string; document: TiptapDocument; publicationId?: string },
  now = new Date(),
): Promise<PublishResult & { draftId: string }> {
  const writer = await writerOf(db, account);
  const { id: draftId } = await createDraft(db, writer.id, essay);
  const result = await publishDraft(db, env, writer, await signPublication(db, account, writer, draftId, now), now);
  return { ...result, draftId };
}

/** Saves a new text into the draft that edits a published entry and publishes it as the next version. */
export async function publishRevision(
  db: Database,
  env: Env,
  account: PrivateKeyAccount,
  draftId: string,
  essay: { title: string; document: TiptapDocument },
  now = new Date(),
): Promise<PublishResult> {
  const writer = await writerOf(db, account);
  const draft = await getDraft(db, writer.id, draftId);
  await saveDraft(db, writer.id, draftId, { ...essay, baseRevision: draft.revision });
  return publishDraft(db, env, writer, await signPublication(db, account, writer, draftId, now), now);
}

const VOCABULARY = (
  "archive arweave attention author chain collector commons craft decade digest draft edition editor essay evidence footnote " +
  "future gateway history ink internet ledger library margin memory network page paper permanence protocol publisher reader " +
  "revision signature slow software story time wallet web writer word year about after again because before between could " +
  "every first from have into little long many more most never only other over people really same should since still such " +
  "than that their there these thing think those through under until very what when where which while with without would"
).split(" ");

/** A small deterministic generator (mulberry32), so an essay is the same for the same seed. */
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/**
 * An essay of about `words` words, as the editor saves one: sections under headings, paragraphs
 * with bold, italic, code and links, bullet and numbered lists, a quote. Different seeds give
 * different texts (and so different digests).
 */
export function essayDocument(opts: { words: number; seed: number }): TiptapDocument {
  const next = random(opts.seed);
  const pick = () => VOCABULARY[Math.floor(next() * VOCABULARY.length)]!;
  let written = 0;
  const phrase = (count: number) => {
    written += count;
    return Array.from({ length: count }, pick).join(" ");
  };
  const sentence = () => {
    const text = phrase(6 + Math.floor(next() * 14));
    return `${text[0]!.toUpperCase()}${text.slice(1)}.`;
  };
  const prose = (): JSONContent[] => {
    const inline: JSONContent[] = [];
    const sentences = 3 + Math.floor(next() * 4);
    for (let i = 0; i < sentences; i++) {
      const roll = next();
      if (roll < 0.12) inline.push({ type: "text", text: phrase(2), marks: [{ type: "bold" }] });
      else if (roll < 0.24) inline.push({ type: "text", text: phrase(3), marks: [{ type: "italic" }] });
      else if (roll < 0.34) inline.push({ type: "text", text: phrase(2), marks: [{ type: "link", attrs: { href: `https://example.com/${pick()}/${Math.floor(next() * 1000)}` } }] });
      else if (roll < 0.38) inline.push({ type: "text", text: `${pick()}()`, marks: [{ type: "code" }] });
      inline.push({ type: "text", text: `${inline.length > 0 ? " " : ""}${sentence()} ` });
    }
    return inline;
  };
  const listItem = (): JSONContent => ({ type: "listItem", content: [{ type: "paragraph", content: [{ type: "text", text: sentence() }] }] });

  const content: JSONContent[] = [];
  for (let block = 0; written < opts.words; block++) {
    if (block % 7 === 0) content.push({ type: "heading", attrs: { level: block % 21 === 14 ? 3 : 2 }, content: [{ type: "text", text: sentence().slice(0, -1) }] });
    else if (block % 11 === 5) content.push({ type: "bulletList", content: [listItem(), listItem(), listItem()] });
    else if (block % 13 === 9) content.push({ type: "orderedList", attrs: { start: 1 }, content: [listItem(), listItem(), listItem(), listItem()] });
    else if (block % 17 === 12) content.push({ type: "blockquote", content: [{ type: "paragraph", content: prose() }] });
    else content.push({ type: "paragraph", content: prose() });
  }
  return parseDocument({ type: "doc", content });
}
