import type { LoaderFunctionArgs } from "@remix-run/node";
import { isAddress } from "viem";
import { getDb } from "~/db.server";

/** Whether the indexer has seen `by` collect this edition yet: the page polls it after a collect. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const by = new URL(request.url).searchParams.get("by") ?? "";
  if (!isAddress(by, { strict: false })) return Response.json({ error: "Give ?by=<address>." }, { status: 400 });
  const count = await getDb().purchase.count({ where: { editionId: params.id ?? "", collector: by.toLowerCase() } });
  return Response.json({ collected: count > 0 }, { headers: { "cache-control": "no-store" } });
}
