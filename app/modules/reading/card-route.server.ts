import type { LoaderFunctionArgs } from "@remix-run/node";
import { getDb } from "~/db.server";
import type { CardShape } from "~/modules/editions/cover.server";
import { etagOf, publicHeaders } from "./cache.server";
import { renderCardPng } from "./card-image.server";
import { entryHeadline } from "./listings.server";

/**
 * A loader answering an entry's share card as a PNG of one shape. The card changes only with the
 * title and byline, so those name it; a crawler that already holds it gets a 304 without the card
 * being drawn.
 */
export function cardPngLoader(shape: CardShape) {
  return ({ request, params }: LoaderFunctionArgs) => cardPng(request, params, shape);
}

async function cardPng(request: Request, params: LoaderFunctionArgs["params"], shape: CardShape) {
  const entry = await entryHeadline(getDb(), params.handle ?? "", params.slug ?? "");
  if (!entry) throw new Response("There is no such entry.", { status: 404, headers: { "content-type": "text/plain; charset=utf-8" } });
  const headers = publicHeaders(request, etagOf(["card.png", shape, entry.title, entry.byline]));
  const png = await renderCardPng(entry.title, entry.byline, shape);
  // A copy, typed as the body a Response takes; the cached buffer stays untouched.
  return new Response(new Uint8Array(png), { headers: { ...headers, "content-type": "image/png", "content-length": String(png.length) } });
}
