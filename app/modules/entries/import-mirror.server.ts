/**
 * Importing a writer's Mirror.xyz entries from Arweave (`App-Name: MirrorXYZ`): the latest version
 * of each post, verified by Mirror's own scheme, converted from Markdown to a document and recorded
 * with its verdict. See docs/mirror-format.md for the format and mirror.server.ts for verification.
 */
import type { JSONContent } from "@tiptap/core";
import { getAddress } from "viem";
import type { Database } from "~/db.server";
import type { Env } from "~/env.server";
import { UserError } from "~/modules/errors.server";
import { fetchData, findByTags, type FoundTransaction } from "~/modules/storage/gateway.server";
import { writerForAddress } from "~/modules/writers/profile.server";
import { DocumentError, markdownToDocument, parseDocument, type TiptapDocument } from "./document.server";
import { storedHtml } from "./html.server";
import { codeLanguageProblem, describeValue, imageSrcProblem, linkHrefProblem, markdownToJSON } from "./extensions";
import { HELD_FOR_REVIEW, NO_REVIEW } from "./import-review.server";
import { describeVerdict, mirrorSeconds, parseMirrorEntry, verifyMirrorEntry, type MirrorEntry, type MirrorVerdict } from "./mirror.server";
import { claimSlug, entrySummary } from "./listing.server";
import { byChainOrder, contributorSpellings, GATEWAY_CONCURRENCY, mapConcurrently, parseContributor, type OnProgress } from "./rebuild.server";

export const MIRROR_APP_NAME = "MirrorXYZ";
export const IMPORTED_FROM_MIRROR = "mirror";

/** A Mirror entry read from Arweave, with its verdict. */
interface Candidate {
  tx: FoundTransaction;
  raw: string;
  entry: MirrorEntry;
  verdict: MirrorVerdict;
  /** Seconds since the epoch, whatever type and unit Mirror stored. */
  timestamp: number;
}

export interface ImportOutcome {
  originalDigest: string;
  arweaveId: string;
  digest: string;
  title: string;
  slug: string;
  verdict: MirrorVerdict;
  /** The verdict as stored in `Entry.verification`. */
  verification: string;
  /** Not signed by the contributor: kept from readers until the writer accepts it. */
  heldForReview: boolean;
  /** What the conversion had to leave out, and what else the operator should know. */
  notes: string[];
}

export interface ImportSkip {
  arweaveId: string;
  originalDigest?: string;
  reason: string;
  verdict?: MirrorVerdict;
}

export interface MirrorImportReport {
  contributor: `0x${string}`;
  /** Items the gateway's index lists for this contributor. */
  found: number;
  imported: ImportOutcome[];
  /** Entries imported before whose newer (or better verified) version was found now. */
  updated: ImportOutcome[];
  /** Entries already imported exactly as found. */
  unchanged: ImportOutcome[];
  skipped: ImportSkip[];
}

/** How far a verdict can be trusted: the signer is the contributor > another wallet > nothing checks out. */
function trust(verdict: MirrorVerdict): number {
  return verdict.status === "verified" ? 2 : verdict.status === "signed-by-other" ? 1 : 0;
}

/**
 * Only what the contributor's own wallet signed is published at once; anything else waits for the
 * writer to accept it after seeing who signed it (docs/mirror-format.md).
 */
const reviewFor = (verdict: MirrorVerdict) => (verdict.status === "verified" ? NO_REVIEW : HELD_FOR_REVIEW);

/** Mirror's wallet signature (0x-hex), whichever field the entry's era put it in. */
function walletSignature(entry: MirrorEntry): string {
  return [entry.authorship.signature, entry.authorship.signingKeySignature].find((value) => value !== null && /^0x[0-9a-fA-F]+$/.test(value)) ?? "";
}

/**
 * The Markdown body as a document. Markdown written for Mirror may hold links and images our
 * schema refuses (say `javascript:` links, `http:` images) or code languages it does not take;
 * such a body is imported without them, each listed in `notes`, rather than not at all. The
 * signed body itself stays in `entryJson`, untouched.
 */
export function mirrorDocument(markdown: string): { doc: TiptapDocument; notes: string[] } {
  try {
    return { doc: markdownToDocument(markdown), notes: [] };
  } catch (error) {
    if (!(error instanceof DocumentError)) throw error;
    const notes: string[] = [];
    let json: TiptapDocument;
    try {
      json = markdownToJSON(markdown);
    } catch {
      throw error;
    }
    const cleaned = withoutRefused(json, notes) as TiptapDocument;
    if (notes.length === 0) throw error;
    return { doc: parseDocument(cleaned), notes };
  }
}

// Containers whose content may not be empty once an image is taken out of them.
const NEEDS_BLOCK = new Set(["doc", "blockquote", "listItem"]);

function withoutRefused(node: JSONContent, notes: string[]): JSONContent {
  const copy: JSONContent = { ...node };
  if (node.marks) {
    copy.marks = node.marks.filter((mark) => {
      const problem = mark.type === "link" ? linkHrefProblem(mark.attrs?.href) : undefined;
      if (problem) notes.push(`removed the link on "${describeValue(node.text ?? "")}" (${problem})`);
      return !problem;
    });
  }
  const languageProblem = node.type === "codeBlock" ? codeLanguageProblem(node.attrs?.language ?? null) : undefined;
  if (languageProblem) {
    notes.push(`dropped a code block's language (${languageProblem})`);
    copy.attrs = { ...node.attrs, language: null };
  }
  if (node.content) {
    copy.content = node.content.flatMap((child) => {
      const problem = child.type === "image" ? imageSrcProblem(child.attrs?.src) : undefined;
      if (!problem) return [withoutRefused(child, notes)];
      notes.push(`removed an image (${problem})`);
      return [];
    });
    if (copy.content.length === 0 && NEEDS_BLOCK.has(node.type ?? "")) copy.content = [{ type: "paragraph" }];
  }
  return copy;
}

/** Reads one listed item; a reason when it is not a Mirror entry of this contributor. */
async function readCandidate(gatewayUrl: string, contributor: `0x${string}`, tx: FoundTransaction): Promise<Candidate | ImportSkip> {
  const originalContentDigest = tx.tags.find((tag) => tag.name === "Original-Content-Digest")?.value;
  const skip = (reason: string): ImportSkip => ({ arweaveId: tx.id, originalDigest: originalContentDigest, reason });
  const bytes = await fetchData(tx.id, gatewayUrl);
  if (!bytes) return skip("the gateway lists it but does not serve its data (yet)");
  const raw = bytes.toString("utf8");
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return skip("its data is not JSON");
  }
  let entry: MirrorEntry;
  try {
    entry = parseMirrorEntry(json, { originalContentDigest });
  } catch (error) {
    if (error instanceof UserError) return skip(error.message);
    throw error;
  }
  if (entry.contributor !== contributor) return skip(`it names ${entry.contributor} as its contributor, not ${contributor}`);
  const timestamp = mirrorSeconds(entry.timestamp);
  if (timestamp === undefined) return skip(`its timestamp ${describeValue(entry.timestamp)} is not a time`);
  return { tx, raw, entry, verdict: await verifyMirrorEntry(entry), timestamp };
}

/** Best first: most trusted verdict, then latest, then the oldest copy on Arweave. */
function byPreference(a: Candidate, b: Candidate): number {
  return trust(b.verdict) - trust(a.verdict) || b.timestamp - a.timestamp || byChainOrder(a.tx, b.tx);
}

/** Why a candidate was not the one imported for its post. */
function passedOver(candidate: Candidate, chosen: Candidate): string {
  if (candidate.entry.digest === chosen.entry.digest && candidate.timestamp === chosen.timestamp) return `a copy of the imported version (${chosen.tx.id})`;
  if (trust(candidate.verdict) < trust(chosen.verdict)) {
    const better = chosen.verdict.status === "verified" ? "signed by the contributor" : "verifies better and";
    return `${describeVerdict(candidate.verdict)}; the version ${chosen.entry.digest} ${better} was imported instead`;
  }
  return `superseded by the newer version ${chosen.entry.digest}`;
}

/** Everything stored for a chosen version; `earliest` is when the post was first published. */
function importRows(contributor: `0x${string}`, chosen: Candidate, earliest: number, publicationId: string | null) {
  const { doc, notes } = mirrorDocument(chosen.entry.body);
  const verification = describeVerdict(chosen.verdict);
  const summary = entrySummary(doc);
  return {
    notes,
    verification,
    entry: {
      title: chosen.entry.title,
      excerpt: summary.excerpt,
      wordCount: summary.wordCount,
      verification,
      // Imported into a publication, a version signed by someone other than the contributor is put
      // under the wallet that signed it: its author's own signature, shown at once on the
      // publication's page as "not proven a member" until the owner grants that wallet a role.
      importReview: publicationId && chosen.verdict.status === "signed-by-other" ? NO_REVIEW : reviewFor(chosen.verdict),
      publicationId,
      publishedAt: new Date(earliest * 1000),
      updatedAt: new Date(chosen.timestamp * 1000),
    },
    version: {
      digest: chosen.entry.digest,
      arweaveId: chosen.tx.id,
      title: chosen.entry.title,
      entryJson: chosen.raw,
      ...storedHtml(doc),
      contributor,
      signature: walletSignature(chosen.entry),
      timestamp: chosen.timestamp,
      status: "confirmed",
    },
  };
}

/** The verdict of an entry already imported, from the JSON stored with it. */
async function storedVerdict(entryJson: string, originalDigest: string): Promise<MirrorVerdict> {
  try {
    return await verifyMirrorEntry(parseMirrorEntry(JSON.parse(entryJson), { originalContentDigest: originalDigest }));
  } catch (error) {
    return { status: "failed", reason: (error as Error).message };
  }
}

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string }).code === "P2002";
}

/**
 * Imports `contributor`'s Mirror entries: every item tagged `App-Name: MirrorXYZ` and
 * `Contributor` (checksummed or lower-case), read with its Original-Content-Digest tag, verified,
 * and for each post the latest version among those that verify best is imported as an Entry
 * (`importedFrom: "mirror"`) with one EntryVersion. A version signed by the contributor always
 * wins over versions signed by anyone else, whatever their dates, and one that fails verification
 * is recorded only when nothing better exists for its post, so a forged "newer" copy never
 * displaces a genuine one. A version not signed by the contributor is held for review
 * (`importReview: "pending"`): readers see nothing of it until the writer accepts it. Running it
 * again adds nothing; a newer version found later replaces the imported one, and one not signed
 * by the contributor goes back to review even where an earlier one was accepted.
 *
 * With `publication` (its account id, chosen by its owner), the archive of a Mirror publication
 * (entries by several member wallets under one contributor address) is imported into it: each entry
 * belongs to the wallet that signed it (a writer row is made as needed) and to the publication
 * (`publicationId`), and `Publication.mirrorAddress` records the contributor. A signer stays "not
 * proven a member" on the proof page until the owner grants their wallet a role on Arweave (a grant
 * may hold from an earlier time); the review works as for any entry not signed by the contributor.
 *
 * Mirror's ids (original digest, digest) are unique in the database across writers. When another
 * writer's import holds one with a weaker verdict (a forged or relabelled copy: Mirror does not sign
 * `contributor`), the better-verified entry takes its place, unless that writer has built on it
 * (an edition, a newsletter, a draft); otherwise this one is skipped. Either way the report says so.
 */
export async function importMirror(
  db: Database,
  env: Pick<Env, "storage">,
  contributorInput: string,
  { now = new Date(), onProgress, publication }: { now?: Date; onProgress?: OnProgress; publication?: string } = {},
): Promise<MirrorImportReport> {
  const contributor = parseContributor(contributorInput);
  if (publication) await db.publication.update({ where: { writerId: publication }, data: { mirrorAddress: contributor.toLowerCase() } });
  const listed = await findByTags(
    [
      { name: "App-Name", values: [MIRROR_APP_NAME] },
      { name: "Contributor", values: contributorSpellings(contributor) },
    ],
    env.storage.gatewayUrl,
  );
  const report: MirrorImportReport = { contributor, found: listed.length, imported: [], updated: [], unchanged: [], skipped: [] };
  const posts = new Map<string, Candidate[]>();
  for (const result of await mapConcurrently(listed, GATEWAY_CONCURRENCY, (tx) => readCandidate(env.storage.gatewayUrl, contributor, tx), onProgress)) {
    if (!("entry" in result)) {
      report.skipped.push(result);
      continue;
    }
    const candidates = posts.get(result.entry.originalDigest) ?? [];
    candidates.push(result);
    posts.set(result.entry.originalDigest, candidates);
  }
  if (posts.size === 0) return report;

  // Slugs taken under each author, and under the publication: an entry's slug is free in both.
  const takenBy = new Map<string, Set<string>>();
  const slugsOf = async (where: { writerId: string } | { publicationId: string }) => new Set((await db.entry.findMany({ where, select: { slug: true } })).map((entry) => entry.slug));
  const inPublication = publication ? await slugsOf({ publicationId: publication }) : undefined;
  const authorOf = async (candidate: Candidate) => {
    // In a publication the wallet that signed is the author; a failed signature names nobody.
    const address = publication && candidate.verdict.status !== "failed" ? candidate.verdict.signer : contributor;
    const writer = await writerForAddress(db, address);
    if (!takenBy.has(writer.id)) takenBy.set(writer.id, await slugsOf({ writerId: writer.id }));
    return { writer, address: getAddress(address) };
  };
  // Oldest post first, so slugs are claimed in the order the writer published.
  const ordered = [...posts.entries()].sort(([, a], [, b]) => Math.min(...a.map((c) => c.timestamp)) - Math.min(...b.map((c) => c.timestamp)));

  for (const [originalDigest, candidates] of ordered) {
    candidates.sort(byPreference);
    const chosen = candidates[0]!;
    for (const other of candidates.slice(1)) report.skipped.push({ arweaveId: other.tx.id, originalDigest, reason: passedOver(other, chosen), verdict: other.verdict });
    // The post's first date comes from versions as trusted as the one kept: a forger can backdate theirs.
    const peers = candidates.filter((candidate) => trust(candidate.verdict) >= trust(chosen.verdict));
    const earliest = Math.min(...peers.map((candidate) => candidate.timestamp));

    let rows: ReturnType<typeof importRows>;
    try {
      rows = importRows(contributor, chosen, earliest, publication ?? null);
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      report.skipped.push({ arweaveId: chosen.tx.id, originalDigest, reason: `its Markdown cannot be imported: ${error.message}`, verdict: chosen.verdict });
      continue;
    }
    const held = await db.entry.findUnique({
      where: { originalDigest },
      select: {
        id: true,
        writerId: true,
        slug: true,
        importedFrom: true,
        writer: { select: { address: true } },
        versions: { select: { id: true, digest: true, arweaveId: true, entryJson: true } },
        // What deleting the entry would take with it.
        edition: { select: { id: true } },
        newsletter: { select: { id: true } },
        draft: { select: { id: true } },
      },
    });
    const notes = [...rows.notes];
    const { writer, address: author } = await authorOf(chosen);
    rows.version.contributor = author;
    const outcome = (slug: string): ImportOutcome => ({
      originalDigest,
      arweaveId: chosen.tx.id,
      digest: chosen.entry.digest,
      title: chosen.entry.title,
      slug,
      verdict: chosen.verdict,
      verification: rows.verification,
      heldForReview: rows.entry.importReview === HELD_FOR_REVIEW,
      notes,
    });
    const skipChosen = (reason: string) => report.skipped.push({ arweaveId: chosen.tx.id, originalDigest, reason, verdict: chosen.verdict });

    try {
      if (held && held.writerId === writer.id) {
        if (held.importedFrom !== IMPORTED_FROM_MIRROR) {
          skipChosen(`the post's id is held by "${held.slug}", an entry published here`);
          continue;
        }
        const current = held.versions[0];
        if (current && current.digest === chosen.entry.digest && current.arweaveId === chosen.tx.id) {
          report.unchanged.push(outcome(held.slug));
          continue;
        }
        // One version per imported post: its row is brought to the newer version in place.
        await db.$transaction([
          current
            ? db.entryVersion.update({ where: { id: current.id }, data: { version: 1, confirmedAt: now, ...rows.version } })
            : db.entryVersion.create({ data: { entryId: held.id, version: 1, confirmedAt: now, ...rows.version } }),
          db.entry.update({ where: { id: held.id }, data: { latestVersion: 1, ...rows.entry } }),
        ]);
        report.updated.push(outcome(held.slug));
        continue;
      }

      let replaced: Array<ReturnType<typeof db.entry.delete>> = [];
      if (held) {
        const heldVersion = held.versions[0];
        const heldVerdict = held.importedFrom === IMPORTED_FROM_MIRROR && heldVersion ? await storedVerdict(heldVersion.entryJson, originalDigest) : undefined;
        if (!heldVerdict || trust(heldVerdict) >= trust(chosen.verdict)) {
          skipChosen(`the post is already ${heldVerdict ? `imported for ${held.writer.address} (${describeVerdict(heldVerdict)})` : `published here by ${held.writer.address}`}`);
          continue;
        }
        if (held.edition || held.newsletter || held.draft) {
          skipChosen(`the post is already imported for ${held.writer.address} (${describeVerdict(heldVerdict)}), who has since made an edition, a newsletter or a draft of it`);
          continue;
        }
        replaced = [db.entry.delete({ where: { id: held.id } })];
        notes.push(`replaced the copy imported for ${held.writer.address} (${describeVerdict(heldVerdict)})`);
      }
      const slug = claimSlug([takenBy.get(writer.id)!, ...(inPublication ? [inPublication] : [])], chosen.entry.title);
      await db.$transaction([
        ...replaced,
        db.entry.create({
          data: {
            writerId: writer.id,
            originalDigest,
            slug,
            latestVersion: 1,
            importedFrom: IMPORTED_FROM_MIRROR,
            ...rows.entry,
            versions: { create: { version: 1, confirmedAt: now, ...rows.version } },
          },
        }),
      ]);
      report.imported.push(outcome(slug));
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      skipChosen(`its digest ${chosen.entry.digest} or Arweave id is already recorded for another entry`);
    }
  }
  return report;
}

/** The report as lines for a terminal. */
export function formatImportReport(report: MirrorImportReport): string {
  const outcome = (label: string, item: ImportOutcome) => [
    `  ${label.padEnd(9)} ${item.originalDigest}  "${item.title}" -> ${item.slug}`,
    `            ${item.verification}${item.heldForReview ? "; held until the writer accepts it at /settings/imports" : ""}`,
    ...item.notes.map((note) => `            note: ${note}`),
  ];
  return [
    `contributor      ${report.contributor}`,
    `items on Arweave ${report.found}`,
    `imported ${report.imported.length}, updated ${report.updated.length}, unchanged ${report.unchanged.length}, skipped ${report.skipped.length}`,
    ...report.imported.flatMap((item) => outcome("imported", item)),
    ...report.updated.flatMap((item) => outcome("updated", item)),
    ...report.unchanged.flatMap((item) => outcome("unchanged", item)),
    ...report.skipped.map((item) => `  skipped   ${item.arweaveId}${item.originalDigest ? ` (${item.originalDigest})` : ""}: ${item.reason}`),
  ].join("\n");
}
