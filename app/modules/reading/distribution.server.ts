import type { LoaderFunctionArgs } from "@remix-run/node";
import { getDb, type Database } from "~/db.server";
import { getEnv } from "~/env.server";
import { HELD_FOR_REVIEW } from "~/modules/entries/import-review.server";
import { homeUrl } from "~/modules/publications/domains.server";
import { handleSchema, writerByHandle } from "~/modules/writers/profile.server";
import { publicHeaders, stateEtag } from "./cache.server";
import { feedResponse, type FeedFormat } from "./feeds.server";
import { feedItems, writerName } from "./listings.server";

/** Where each feed format lives, under the site root or a writer's page. */
export const FEED_FILES: Record<FeedFormat, string> = { rss: "rss.xml", atom: "atom.xml", json: "feed.json" };

const SITE_DESCRIPTION = "Essays that live forever on Arweave, signed by their writers, collected as editions.";

/**
 * What a feed shows that can change, in one query: how many entries it could list, the latest
 * change to any of them (a new version moves it and the version count), and the writers' names.
 * Held imports are not counted, so accepting one changes the state and shows it at once.
 * `handle` narrows it to one writer's feed; null when no writer has that handle.
 */
export async function feedState(db: Database, handle?: string): Promise<Record<string, unknown> | null> {
  if (handle === undefined) {
    const rows = await db.$queryRaw<Record<string, unknown>[]>`
      SELECT (SELECT COUNT(*) FROM "Entry" WHERE "importReview" <> ${HELD_FOR_REVIEW}) AS "entries",
        (SELECT SUM("latestVersion") FROM "Entry" WHERE "importReview" <> ${HELD_FOR_REVIEW}) AS "versions",
        (SELECT MAX("updatedAt") FROM "Entry" WHERE "importReview" <> ${HELD_FOR_REVIEW}) AS "entryChange", (SELECT MAX("updatedAt") FROM "Writer") AS "writerChange"`;
    return rows[0] ?? null;
  }
  const parsed = handleSchema.safeParse(handle);
  if (!parsed.success) return null;
  // A writer's feed lists their entries in publications too, a publication's those of its writers:
  // the other account named beside each entry (its publication, or its writer) counts by its last
  // change. A publication's page also shows its cover and members: its details' change and its
  // membership records count too.
  const rows = await db.$queryRaw<Record<string, unknown>[]>`
    SELECT w."id", w."updatedAt", COUNT(e."id") AS "entries", SUM(e."latestVersion") AS "versions", MAX(e."updatedAt") AS "entryChange", MAX(o."updatedAt") AS "namesChange",
      (SELECT p."updatedAt" FROM "Publication" p WHERE p."writerId" = w."id") AS "publicationChange",
      (SELECT COUNT(*) FROM "MembershipRecord" m WHERE m."publicationId" = w."id") AS "memberships"
    FROM "Writer" w
    LEFT JOIN "Entry" e ON (e."writerId" = w."id" OR e."publicationId" = w."id") AND e."importReview" <> ${HELD_FOR_REVIEW}
    LEFT JOIN "Writer" o ON o."id" = CASE WHEN e."writerId" = w."id" THEN e."publicationId" ELSE e."writerId" END
    WHERE w."handle" = ${parsed.data}
    GROUP BY w."id", w."updatedAt"`;
  return rows[0] ?? null;
}

/** A feed's ETag: its format, whose it is, and its state. */
export const feedEtag = (format: FeedFormat, handle: string | undefined, state: Record<string, unknown>) => stateEtag(["feed", format, handle ?? ""], state);

/** The ETag of a listing page (the home page, a writer's page) at `page`: from the same state as its feeds. */
export const listingEtag = (handle: string | undefined, page: number, state: Record<string, unknown>) => stateEtag(["listing", handle ?? "", page], state);

/** The loader of the whole site's feed in one format. */
export function siteFeedLoader(format: FeedFormat) {
  return async ({ request }: LoaderFunctionArgs) => {
    // A feed reader that already holds the current feed gets a 304 before the feed is built.
    const headers = publicHeaders(request, feedEtag(format, undefined, (await feedState(getDb()))!));
    const { publicUrl, storage } = getEnv();
    const items = await feedItems(getDb(), publicUrl, storage.gatewayUrl);
    return feedResponse(format, { title: "Permanent Press", description: SITE_DESCRIPTION, homeUrl: `${publicUrl}/`, selfUrl: `${publicUrl}/${FEED_FILES[format]}`, items, emptyDate: new Date() }, headers);
  };
}

/** The loader of one writer's or publication's feed in one format (each item names its writer); 404 for a handle no one has. */
export function writerFeedLoader(format: FeedFormat) {
  return async ({ request, params }: LoaderFunctionArgs) => {
    const missing = () => new Response("No writer has this address.", { status: 404, headers: { "content-type": "text/plain; charset=utf-8" } });
    const state = await feedState(getDb(), params.handle ?? "");
    if (!state) throw missing();
    const headers = publicHeaders(request, feedEtag(format, params.handle, state));
    const writer = await writerByHandle(getDb(), params.handle ?? "");
    if (!writer?.handle) throw missing();
    const { publicUrl, storage } = getEnv();
    const name = writerName(writer);
    const items = await feedItems(getDb(), publicUrl, storage.gatewayUrl, writer.id);
    const home = homeUrl(publicUrl, writer);
    return feedResponse(format, { title: `${name} · Permanent Press`, description: writer.bio ?? `Writing by ${name}`, homeUrl: home, selfUrl: `${home.replace(/\/$/, "")}/${FEED_FILES[format]}`, items, emptyDate: writer.updatedAt }, headers);
  };
}
