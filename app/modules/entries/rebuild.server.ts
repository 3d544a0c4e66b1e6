/**
 * Rebuilding a writer's entries from Arweave alone: the database is a fast copy of what writers
 * signed and stored there, so everything in `Entry` and `EntryVersion` can be made again from the
 * gateway's GraphQL index and the items it serves, each verified before it is trusted.
 */
import { getAddress, isAddress } from "viem";
import type { Database } from "~/db.server";
import type { Env } from "~/env.server";
import { UserError } from "~/modules/errors.server";
import { formatPublicationRestore, restorePublication, type PublicationRestore } from "~/modules/publications/rebuild.server";
import { fetchData, findByTags, type FoundTransaction } from "~/modules/storage/gateway.server";
import { writerForAddress } from "~/modules/writers/profile.server";
import { storedHtml } from "./html.server";
import { claimSlug, entrySummary } from "./listing.server";
import { APP_NAME, type Entry } from "./entry";
import { verifyEntryJson } from "./verify.server";

/** Items fetched and verified at once: enough to hide the gateway's latency, few enough to be polite to it. */
export const GATEWAY_CONCURRENCY = 8;

/** A writer's address as given on a command line or in a form, checksummed; refused with a clear message otherwise. */
export function parseContributor(input: string): `0x${string}` {
  const trimmed = input.trim();
  if (!isAddress(trimmed, { strict: false })) throw new UserError(`"${input}" is not an Ethereum address (0x followed by 40 hex digits).`);
  return getAddress(trimmed);
}

/** Both spellings a Contributor tag may use: tag filters match exact strings. */
export function contributorSpellings(contributor: `0x${string}`): string[] {
  return [contributor, contributor.toLowerCase()];
}

/** Told how many of a known number of items are done, as they finish; the caller decides how to show it. */
export type OnProgress = (done: number, total: number) => void;

/** `work` over every item, at most `limit` at a time; results in the items' order. */
export async function mapConcurrently<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>, onProgress?: OnProgress): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
      onProgress?.(++done, items.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Oldest first: what was mined first is the original; pending items (no block yet) come last. */
export function byChainOrder(a: FoundTransaction, b: FoundTransaction): number {
  const height = (tx: FoundTransaction) => tx.blockHeight ?? Number.MAX_SAFE_INTEGER;
  return height(a) - height(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export interface SkippedItem {
  arweaveId: string;
  reason: string;
}

export interface RebuildReport {
  contributor: `0x${string}`;
  /** Items the gateway's index lists for this writer. */
  found: number;
  entriesRestored: number;
  versionsRestored: number;
  /** Already in the database, exactly as on Arweave (a repeated or resumed rebuild). */
  entriesPresent: number;
  versionsPresent: number;
  skipped: SkippedItem[];
  /** The publications the restored entries name, each restored from its own records first. */
  publications: PublicationRestore[];
}

/** The writer already has entries that are not the ones on Arweave: restoring would mix two histories. */
export class RebuildRefused extends UserError {
  constructor(
    contributor: string,
    readonly conflicts: string[],
  ) {
    super(
      `Refusing to rebuild ${contributor}: this database already holds entries of theirs that differ from what Arweave holds. ` +
        `Rebuild into a database without them, or remove them first.\n${conflicts.map((line) => `  - ${line}`).join("\n")}`,
      409,
    );
    this.name = "RebuildRefused";
  }
}

/** A version that verified, with what the database row needs. */
interface Restorable {
  arweaveId: string;
  tx: FoundTransaction;
  entryJson: string;
  entry: Entry;
  html: string;
  renderer: number;
  summary: { excerpt: string; wordCount: number };
}

/** Fetches and verifies one listed item; a reason when it cannot be restored. */
async function readItem(env: Pick<Env, "chain" | "storage">, contributor: `0x${string}`, tx: FoundTransaction): Promise<Restorable | SkippedItem> {
  const skip = (reason: string): SkippedItem => ({ arweaveId: tx.id, reason });
  const bytes = await fetchData(tx.id, env.storage.gatewayUrl);
  if (!bytes) return skip("the gateway lists it but does not serve its data (yet)");
  const entryJson = bytes.toString("utf8");
  let json: unknown;
  try {
    json = JSON.parse(entryJson);
  } catch {
    return skip("its data is not JSON");
  }
  const verification = await verifyEntryJson(env, json).catch((error: Error) => ({ kind: "unreadable" as const, verified: false as const, problems: [error.message] }));
  if (verification.kind === "mirror") return skip("it is a Mirror entry, not a Permanent Press one (import it with import:mirror)");
  if (verification.kind === "unreadable") return skip(`it is not a readable entry: ${verification.problems.join("; ")}`);
  if (!verification.verified) return skip(`it does not verify: ${verification.problems.join(" ") || verification.summary}`);
  if (verification.contributor !== contributor) return skip(`it is ${verification.contributor}'s entry, tagged as ${contributor}'s`);
  const entry = json as Entry;
  try {
    return { arweaveId: tx.id, tx, entryJson, entry, ...storedHtml(entry.content.json), summary: entrySummary(entry.content.json) };
  } catch (error) {
    return skip(`its document does not fit the editor's schema: ${(error as Error).message}`);
  }
}

/** One entry's versions in order, version 1 first. */
interface Group {
  originalDigest: string;
  versions: Restorable[];
}

/**
 * Groups verified versions by entry. A digest found twice is one version stored twice (anyone may
 * upload a copy of a signed entry): the oldest copy is the one kept. Two different versions with
 * the same number can only both be signed if the writer signed both; the earlier one is kept, as
 * publishing would have. An entry whose version 1 is missing cannot be restored (its slug and
 * publication date come from it).
 */
function groupVersions(restorable: Restorable[], skipped: SkippedItem[]): Group[] {
  const byDigest = new Map<string, Restorable>();
  for (const item of restorable) {
    const kept = byDigest.get(item.entry.digest);
    if (kept) skipped.push({ arweaveId: item.arweaveId, reason: `a copy of version ${item.entry.version} of ${item.entry.originalDigest}, already found in ${kept.arweaveId}` });
    else byDigest.set(item.entry.digest, item);
  }
  const groups = new Map<string, Map<number, Restorable>>();
  const ordered = [...byDigest.values()].sort((a, b) => a.entry.content.timestamp - b.entry.content.timestamp || byChainOrder(a.tx, b.tx));
  for (const item of ordered) {
    const versions = groups.get(item.entry.originalDigest) ?? new Map<number, Restorable>();
    groups.set(item.entry.originalDigest, versions);
    const kept = versions.get(item.entry.version);
    if (kept) skipped.push({ arweaveId: item.arweaveId, reason: `another version ${item.entry.version} of ${item.entry.originalDigest} (${kept.arweaveId}) was published before it` });
    else versions.set(item.entry.version, item);
  }
  const complete: Group[] = [];
  for (const [originalDigest, versions] of groups) {
    const list = [...versions.values()].sort((a, b) => a.entry.version - b.entry.version);
    if (list[0]!.entry.version !== 1) {
      for (const item of list) skipped.push({ arweaveId: item.arweaveId, reason: `version 1 of ${originalDigest} is not on Arweave or does not verify, so its entry cannot be restored` });
      continue;
    }
    complete.push({ originalDigest, versions: list });
  }
  // Slugs are claimed in publication order, so `title-2` goes to the same entry it went to before.
  return complete.sort((a, b) => a.versions[0]!.entry.content.timestamp - b.versions[0]!.entry.content.timestamp || byChainOrder(a.versions[0]!.tx, b.versions[0]!.tx));
}

function versionRow(item: Restorable, confirmedAt: Date) {
  const { entry } = item;
  return {
    version: entry.version,
    digest: entry.digest,
    arweaveId: item.arweaveId,
    title: entry.content.title,
    entryJson: item.entryJson,
    html: item.html,
    renderer: item.renderer,
    // Checksummed, as publishing stores it, whatever casing the signed JSON used.
    contributor: getAddress(entry.authorship.contributor),
    signature: entry.authorship.signature,
    timestamp: entry.content.timestamp,
    status: "confirmed",
    dataItem: null,
    confirmedAt,
  };
}

function latestFields(group: Group) {
  const latest = group.versions.at(-1)!;
  return {
    latestVersion: latest.entry.version,
    title: latest.entry.content.title,
    excerpt: latest.summary.excerpt,
    wordCount: latest.summary.wordCount,
    updatedAt: new Date(latest.entry.content.timestamp * 1000),
  };
}

/**
 * Restores every entry and version `contributor` published, from Arweave alone: the gateway's
 * GraphQL (`App-Name: PermanentPress`, `Contributor`), then each item's data, verified with
 * verifyEntryJson. Items that do not verify are skipped and reported. Running it again adds
 * nothing, and a rebuild cut short resumes. Refuses (RebuildRefused) a database where the writer
 * already has entries or versions that are not the ones on Arweave. `onProgress` follows the
 * fetching and verifying of the listed items, which is where the time goes.
 *
 * An entry naming a publication is restored only when the publication's records prove its author a
 * member at its time (verifyEntryJson); the publication (account, details, membership records) is
 * restored first and the entry gets its `publicationId`. With `publication`, only the writer's
 * entries in that publication are read and compared.
 */
export async function rebuildContributor(
  db: Database,
  env: Pick<Env, "chain" | "storage">,
  contributorInput: string,
  { now = new Date(), onProgress, publication }: { now?: Date; onProgress?: OnProgress; publication?: PublicationRestore } = {},
): Promise<RebuildReport> {
  const contributor = parseContributor(contributorInput);
  const listed = await findByTags(
    [
      { name: "App-Name", values: [APP_NAME] },
      { name: "Contributor", values: contributorSpellings(contributor) },
      ...(publication ? [{ name: "Publication", values: [publication.publication] }] : []),
    ],
    env.storage.gatewayUrl,
  );
  listed.sort(byChainOrder);
  const skipped: SkippedItem[] = [];
  const restorable: Restorable[] = [];
  for (const result of await mapConcurrently(listed, GATEWAY_CONCURRENCY, (tx) => readItem(env, contributor, tx), onProgress)) {
    if ("entry" in result) restorable.push(result);
    else skipped.push(result);
  }
  const groups = groupVersions(restorable, skipped);

  const report: RebuildReport = { contributor, found: listed.length, entriesRestored: 0, versionsRestored: 0, entriesPresent: 0, versionsPresent: 0, skipped, publications: [] };
  // The publications the entries name, restored before the entries that point at them.
  const accounts = new Map<string, string>(publication ? [[publication.publication, publication.accountId]] : []);
  for (const id of new Set(groups.map((group) => group.versions[0]!.entry.content.publication).filter((id) => id !== undefined))) {
    if (accounts.has(id)) continue;
    const restored = await restorePublication(db, env, id);
    accounts.set(id, restored.accountId);
    report.publications.push(restored);
  }
  const existingWriter = await db.writer.findUnique({ where: { address: contributor.toLowerCase() }, select: { id: true } });
  // Entries imported from Mirror are not on Arweave under our App-Name; they are left as they are.
  const existing = existingWriter
    ? await db.entry.findMany({
        where: { writerId: existingWriter.id, importedFrom: null, ...(publication ? { publicationId: publication.accountId } : {}) },
        select: { id: true, slug: true, originalDigest: true, versions: { select: { version: true, digest: true, arweaveId: true } } },
      })
    : [];
  const byOriginal = new Map(groups.map((group) => [group.originalDigest, group]));
  const conflicts: string[] = [];
  for (const entry of existing) {
    const group = byOriginal.get(entry.originalDigest);
    if (!group) {
      conflicts.push(`"${entry.slug}" (${entry.originalDigest}) is not on Arweave as a verified entry of ${contributor}`);
      continue;
    }
    for (const version of entry.versions) {
      const found = group.versions.find((item) => item.entry.version === version.version);
      if (!found || found.entry.digest !== version.digest || found.arweaveId !== version.arweaveId) {
        conflicts.push(`"${entry.slug}" version ${version.version} (${version.digest}, Arweave id ${version.arweaveId}) differs from Arweave's`);
      }
    }
  }
  if (conflicts.length > 0) throw new RebuildRefused(contributor, conflicts);

  // Digests and ids are unique across writers; one held by another writer's row cannot be restored here.
  const mine = new Set(existing.map((entry) => entry.id));
  const held = await db.entryVersion.findMany({
    where: { OR: [{ digest: { in: restorable.map((item) => item.entry.digest) } }, { arweaveId: { in: restorable.map((item) => item.arweaveId) } }] },
    select: { entryId: true, digest: true, arweaveId: true },
  });
  const heldElsewhere = new Set(held.filter((row) => !mine.has(row.entryId)).flatMap((row) => [row.digest, row.arweaveId]));
  const heldEntries = await db.entry.findMany({
    where: { originalDigest: { in: groups.map((group) => group.originalDigest) }, NOT: { id: { in: [...mine] } } },
    select: { originalDigest: true },
  });
  const entryHeldElsewhere = new Set(heldEntries.map((entry) => entry.originalDigest));

  if (groups.length === 0) return report;
  const writer = existingWriter ?? (await writerForAddress(db, contributor));
  const taken = new Set((await db.entry.findMany({ where: { writerId: writer.id }, select: { slug: true } })).map((entry) => entry.slug));
  // An entry in a publication has a slug free under both its writer and the publication.
  const takenIn = new Map([...accounts.values()].map((accountId) => [accountId, new Set<string>()]));
  for (const entry of await db.entry.findMany({ where: { publicationId: { in: [...takenIn.keys()] } }, select: { publicationId: true, slug: true } })) takenIn.get(entry.publicationId!)!.add(entry.slug);
  const existingByOriginal = new Map(existing.map((entry) => [entry.originalDigest, entry]));

  for (const group of groups) {
    if (entryHeldElsewhere.has(group.originalDigest) || group.versions.some((item) => heldElsewhere.has(item.entry.digest) || heldElsewhere.has(item.arweaveId))) {
      for (const item of group.versions) skipped.push({ arweaveId: item.arweaveId, reason: `entry ${group.originalDigest} is already in this database under another writer` });
      continue;
    }
    const present = existingByOriginal.get(group.originalDigest);
    if (!present) {
      const first = group.versions[0]!.entry;
      const publicationId = first.content.publication ? accounts.get(first.content.publication)! : null;
      await db.entry.create({
        data: {
          writerId: writer.id,
          publicationId,
          originalDigest: group.originalDigest,
          slug: claimSlug(publicationId ? [taken, takenIn.get(publicationId)!] : taken, first.content.title),
          publishedAt: new Date(first.content.timestamp * 1000),
          ...latestFields(group),
          versions: { create: group.versions.map((item) => versionRow(item, now)) },
        },
      });
      report.entriesRestored++;
      report.versionsRestored += group.versions.length;
      continue;
    }
    report.entriesPresent++;
    const have = new Set(present.versions.map((version) => version.version));
    const missing = group.versions.filter((item) => !have.has(item.entry.version));
    report.versionsPresent += group.versions.length - missing.length;
    if (missing.length === 0) continue;
    await db.$transaction([
      db.entryVersion.createMany({ data: missing.map((item) => ({ entryId: present.id, ...versionRow(item, now) })) }),
      db.entry.update({ where: { id: present.id }, data: latestFields(group) }),
    ]);
    report.versionsRestored += missing.length;
  }
  return report;
}

/** The report as lines for a terminal. */
export function formatRebuildReport(report: RebuildReport): string {
  const lines = [
    `contributor        ${report.contributor}`,
    `items on Arweave   ${report.found}`,
    `entries restored   ${report.entriesRestored}`,
    `versions restored  ${report.versionsRestored}`,
    `already present    ${report.entriesPresent} entries, ${report.versionsPresent} versions`,
    `items skipped      ${report.skipped.length}`,
    ...report.skipped.map((item) => `  ${item.arweaveId}  ${item.reason}`),
    ...report.publications.map(formatPublicationRestore),
  ];
  return lines.join("\n");
}

/**
 * Restores publication `id` from Arweave alone: its account, details and membership records
 * (restorePublication), then, for every contributor whose entries name it, those entries
 * (rebuildContributor limited to the publication).
 */
export async function rebuildPublication(db: Database, env: Pick<Env, "chain" | "storage">, id: `0x${string}`, { now = new Date(), onProgress }: { now?: Date; onProgress?: OnProgress } = {}) {
  const publication = await restorePublication(db, env, id);
  const listed = await findByTags(
    [
      { name: "App-Name", values: [APP_NAME] },
      { name: "Publication", values: [id] },
    ],
    env.storage.gatewayUrl,
  );
  // Records carry the Publication tag too; entries are the items with a Contributor tag.
  const contributors = new Set<`0x${string}`>();
  for (const tx of listed) {
    const tag = tx.tags.find((candidate) => candidate.name === "Contributor")?.value;
    if (tag && isAddress(tag, { strict: false })) contributors.add(getAddress(tag));
  }
  const reports: RebuildReport[] = [];
  for (const contributor of [...contributors].sort()) reports.push(await rebuildContributor(db, env, contributor, { now, onProgress, publication }));
  return { publication, contributors: reports };
}

/** A publication's rebuild as lines for a terminal. */
export function formatPublicationRebuild(result: Awaited<ReturnType<typeof rebuildPublication>>): string {
  return [formatPublicationRestore(result.publication), ...result.contributors.map(formatRebuildReport)].join("\n\n");
}
