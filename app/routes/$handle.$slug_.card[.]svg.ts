import type { LoaderFunctionArgs } from "@remix-run/node";
import { getDb } from "~/db.server";
import { socialCard } from "~/modules/editions/cover.server";
import { etagOf, publicHeaders } from "~/modules/reading/cache.server";
import { entryHeadline } from "~/modules/reading/listings.server";

/**
 * The entry's share card as SVG, drawn without an image library. Networks that show only PNG or
 * JPEG cards (X, Facebook, LinkedIn, Farcaster) get the same drawing rasterised at card.png.
 */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const entry = await entryHeadline(getDb(), params.handle ?? "", params.slug ?? "");
  if (!entry) throw new Response("There is no such entry.", { status: 404, headers: { "content-type": "text/plain; charset=utf-8" } });
  const headers = publicHeaders(request, etagOf(["card.svg", entry.title, entry.byline]));
  return new Response(socialCard(entry.title, entry.byline), { headers: { ...headers, "content-type": "image/svg+xml; charset=utf-8" } });
}
