import type { LoaderFunctionArgs } from "@remix-run/node";
import { getDb } from "~/db.server";
import { getEnv } from "~/env.server";
import { writerByHandle } from "~/modules/writers/profile.server";
import { feedResponse, type FeedFormat } from "./feeds.server";
import { feedItems, writerName } from "./listings.server";

/** Where each feed format lives, under the site root or a writer's page. */
export const FEED_FILES: Record<FeedFormat, string> = { rss: "rss.xml", atom: "atom.xml", json: "feed.json" };

const SITE_DESCRIPTION = "Essays that live forever on Arweave, signed by their writers, collected as editions.";

/** The loader of the whole site's feed in one format. */
export function siteFeedLoader(format: FeedFormat) {
  return async () => {
    const { publicUrl } = getEnv();
    const items = await feedItems(getDb(), publicUrl);
    return feedResponse(format, { title: "Permanent Press", description: SITE_DESCRIPTION, homeUrl: `${publicUrl}/`, selfUrl: `${publicUrl}/${FEED_FILES[format]}`, items });
  };
}

/** The loader of one writer's feed in one format; 404 for a handle no writer has. */
export function writerFeedLoader(format: FeedFormat) {
  return async ({ params }: LoaderFunctionArgs) => {
    const writer = await writerByHandle(getDb(), params.handle ?? "");
    if (!writer?.handle) throw new Response("No writer has this address.", { status: 404, headers: { "content-type": "text/plain; charset=utf-8" } });
    const { publicUrl } = getEnv();
    const name = writerName(writer);
    const items = await feedItems(getDb(), publicUrl, writer.id);
    const homeUrl = `${publicUrl}/${writer.handle}`;
    return feedResponse(format, { title: `${name} · Permanent Press`, description: writer.bio ?? `Writing by ${name}`, homeUrl, selfUrl: `${homeUrl}/${FEED_FILES[format]}`, items });
  };
}
