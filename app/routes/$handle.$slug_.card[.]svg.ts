import type { LoaderFunctionArgs } from "@remix-run/node";
import { getDb } from "~/db.server";
import { socialCard } from "~/modules/editions/cover.server";
import { entryHeadline } from "~/modules/reading/listings.server";

/**
 * The entry's share card. SVG because we can draw it without an image library; some networks
 * (X, Facebook) only show PNG or JPEG cards, which needs a rasteriser the platform does not have.
 */
export async function loader({ params }: LoaderFunctionArgs) {
  const entry = await entryHeadline(getDb(), params.handle ?? "", params.slug ?? "");
  if (!entry) throw new Response("There is no such entry.", { status: 404, headers: { "content-type": "text/plain; charset=utf-8" } });
  return new Response(socialCard(entry.title, entry.byline), {
    headers: { "content-type": "image/svg+xml; charset=utf-8", "cache-control": "public, max-age=3600, stale-while-revalidate=86400" },
  });
}
