import type { LoaderFunctionArgs } from "@remix-run/node";
import { getDb } from "~/db.server";
import { editionForEntry } from "~/modules/editions/editions.server";

/** What the index says an edition holds now: the page polls it after a withdrawal, then reloads. */
export async function loader({ params }: LoaderFunctionArgs) {
  const edition = await getDb().edition.findUnique({ where: { id: params.id ?? "" }, select: { entryId: true } });
  const shown = edition ? await editionForEntry(getDb(), edition.entryId) : null;
  if (!shown) return Response.json({ error: "There is no such edition." }, { status: 404 });
  return Response.json({ heldEth: shown.heldEth }, { headers: { "cache-control": "no-store" } });
}
