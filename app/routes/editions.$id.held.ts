import type { LoaderFunctionArgs } from "@remix-run/node";
import { getDb } from "~/db.server";
import { heldByPayee } from "~/modules/editions/editions.server";

/** What the index says an edition holds now, and each payee's share: the page polls it after a withdrawal, then reloads. */
export async function loader({ params }: LoaderFunctionArgs) {
  const held = await heldByPayee(getDb(), params.id ?? "");
  if (!held) return Response.json({ error: "There is no such edition." }, { status: 404 });
  return Response.json(held, { headers: { "cache-control": "no-store" } });
}
