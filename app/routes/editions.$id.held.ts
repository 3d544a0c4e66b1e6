import type { LoaderFunctionArgs } from "@remix-run/node";
import { getDb } from "~/db.server";
import { editionForEntry } from "~/modules/editions/editions.server";

/** What the index says an edition holds now, and each payee's share: the page polls it after a withdrawal, then reloads. */
export async function loader({ params }: LoaderFunctionArgs) {
  const edition = await getDb().edition.findUnique({ where: { id: params.id ?? "" }, select: { entryId: true } });
  const shown = edition ? await editionForEntry(getDb(), edition.entryId) : null;
  if (!shown) return Response.json({ error: "There is no such edition." }, { status: 404 });
  // Each payee's own share of what a withdrawal would pay now, and what each has been paid.
  const shares = {
    writer: { recipient: shown.fundingRecipient, toEth: shown.toWriterEth, paidEth: shown.paidToWriterEth },
    publication: shown.publicationShare ? { name: shown.publicationShare.name, recipient: shown.publicationShare.recipient, toEth: shown.publicationShare.toPublicationEth, paidEth: shown.publicationShare.paidEth } : null,
  };
  return Response.json({ heldEth: shown.heldEth, shares }, { headers: { "cache-control": "no-store" } });
}
