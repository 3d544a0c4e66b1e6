import type { Database } from "~/db.server";
import { HELD_FOR_REVIEW } from "~/modules/entries/import-review.server";
import { handleSchema } from "~/modules/writers/profile.server";
import { stateEtag } from "./cache.server";

/**
 * Everything an anonymous reader's copy of an entry page depends on that can change: the entry
 * (a new version, a new title), its writer and its publication (their names), its versions' upload states, the
 * edition (created, collected, its limit), the replies from the social web its writer approved and
 * its likes and boosts there. Any of these changing changes the page's ETag.
 */
export type EntryPageState = Record<string, unknown>;

/** The page's ETag: one version of an entry (the latest unless `version` is given) as it stands. */
export const entryPageEtag = (state: EntryPageState, version: number | undefined) => stateEtag(["entry", version ?? "latest"], state);

/** `?version=N` of an entry page; anything else there means the latest. */
export function requestedVersion(url: URL): number | undefined {
  const requested = url.searchParams.get("version");
  return requested && /^\d{1,6}$/.test(requested) ? Number(requested) : undefined;
}

/**
 * The state of an entry page, without its essay, in one indexed query (written in SQL both
 * databases read alike: it runs on every anonymous page view); null when there is no such entry
 * or it is an import held for its writer's review (so the page cache never keeps one). `handle` is
 * the entry's home: its publication's when it is in one (see entry-urls.server), else its writer's.
 * A version's upload state only moves forward, so counting versions by state sees every change.
 * Approved replies are known by their number and their latest change: one hidden and another
 * approved leave the number as it was, but the approved one changed last. Likes and boosts show as
 * numbers only, so their numbers are all the page depends on.
 */
export async function entryPageState(db: Database, handle: string, slug: string): Promise<EntryPageState | null> {
  const parsed = handleSchema.safeParse(handle);
  if (!parsed.success) return null;
  const rows = await db.$queryRaw<EntryPageState[]>`
    SELECT e."id", e."writerId", e."latestVersion", e."updatedAt", w."updatedAt" AS "homeUpdatedAt", a."updatedAt" AS "writerUpdatedAt",
      (SELECT COUNT(*) FROM "EntryVersion" v WHERE v."entryId" = e."id") AS "versions",
      (SELECT COUNT(*) FROM "EntryVersion" v WHERE v."entryId" = e."id" AND v."status" = 'uploaded') AS "uploaded",
      (SELECT COUNT(*) FROM "EntryVersion" v WHERE v."entryId" = e."id" AND v."status" = 'confirmed') AS "confirmed",
      d."status" AS "editionStatus", d."minted" AS "editionMinted", d."updatedAt" AS "editionUpdatedAt",
      (SELECT COUNT(*) FROM "Response" r WHERE r."entryId" = e."id" AND r."status" = 'approved') AS "responses",
      (SELECT MAX(r."updatedAt") FROM "Response" r WHERE r."entryId" = e."id" AND r."status" = 'approved') AS "responsesChangedAt",
      (SELECT COUNT(*) FROM "Reaction" x WHERE x."entryId" = e."id" AND x."type" = 'like') AS "likes",
      (SELECT COUNT(*) FROM "Reaction" x WHERE x."entryId" = e."id" AND x."type" = 'announce') AS "boosts"
    FROM "Entry" e
    JOIN "Writer" w ON w."id" = COALESCE(e."publicationId", e."writerId")
    JOIN "Writer" a ON a."id" = e."writerId"
    LEFT JOIN "Edition" d ON d."entryId" = e."id"
    WHERE w."handle" = ${parsed.data} AND e."slug" = ${slug} AND e."importReview" <> ${HELD_FOR_REVIEW}
    LIMIT 1`;
  return rows[0] ?? null;
}
