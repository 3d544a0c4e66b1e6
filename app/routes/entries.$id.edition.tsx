import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { EditionForm } from "~/components/EditionForm";
import { getDb } from "~/db.server";
import { getEnv } from "~/env.server";
import { requireWriter, requireWriterForApi } from "~/modules/auth/session.server";
import { walletChain } from "~/modules/editions/chain.server";
import { confirmEdition, prepareEdition } from "~/modules/editions/editions.server";
import { UserError } from "~/modules/errors.server";
import { assertSameOrigin, readJson, userErrorResponse } from "~/modules/http.server";

export const meta: MetaFunction = () => [{ title: "Make it collectible · Permanent Press" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const writer = await requireWriter(request);
  const entry = await getDb().entry.findFirst({ where: { id: params.id ?? "", writerId: writer.id }, include: { edition: { select: { status: true } } } });
  if (!entry) throw new Response("There is no such entry of yours.", { status: 404 });
  return { entryId: entry.id, title: entry.title, entryUrl: `/${writer.handle}/${entry.slug}`, exists: !!entry.edition && entry.edition.status !== "prepared", chain: walletChain(getEnv()), address: writer.address };
}

const body = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("prepare"), terms: z.object({ price: z.string(), supply: z.string(), royaltyPercent: z.string(), fundingRecipient: z.string() }) }),
  z.object({ intent: z.literal("confirm"), editionId: z.string(), mode: z.literal("direct"), txHash: z.string() }),
  z.object({ intent: z.literal("confirm"), editionId: z.string(), mode: z.literal("lazy"), signature: z.string() }),
]);

export async function action({ request, params }: ActionFunctionArgs) {
  const writer = await requireWriterForApi(request);
  try {
    assertSameOrigin(request);
    const parsed = body.safeParse(await readJson(request, 16 * 1024));
    if (!parsed.success) throw new UserError("Send {intent: 'prepare', terms} or {intent: 'confirm', editionId, mode, txHash | signature}.");
    const db = getDb();
    if (parsed.data.intent === "prepare") return Response.json(await prepareEdition(db, getEnv(), writer, params.id ?? "", parsed.data.terms), { headers: { "cache-control": "no-store" } });
    const { editionId, ...confirmation } = parsed.data;
    const edition = await confirmEdition(db, getEnv(), writer, editionId, confirmation.mode === "direct" ? { mode: "direct", txHash: confirmation.txHash } : { mode: "lazy", signature: confirmation.signature });
    return Response.json({ status: edition.status, address: edition.address });
  } catch (error) {
    return userErrorResponse(error);
  }
}

export default function MakeEdition() {
  const data = useLoaderData<typeof loader>();
  return (
    <section>
      <h1>Make “{data.title}” collectible</h1>
      {data.exists ? (
        <p>
          This entry is already an edition. <a href={data.entryUrl}>Back to the entry</a>.
        </p>
      ) : (
        <>
          <p className="muted">
            Readers collect your essay as an ERC-721 token on {data.chain.name}. The cover and metadata are stored on Arweave; proceeds stay in
            the edition until withdrawn to the recipient.
          </p>
          <EditionForm entryId={data.entryId} entryUrl={data.entryUrl} chain={data.chain} defaultRecipient={data.address} />
        </>
      )}
    </section>
  );
}
