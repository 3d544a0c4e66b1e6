import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { EditionForm } from "~/components/EditionForm";
import { getDb } from "~/db.server";
import { getEnv } from "~/env.server";
import { requireWriter } from "~/modules/auth/session.server";
import { walletChain } from "~/modules/editions/chain.server";
import { platformFeeBps } from "~/modules/editions/editions.server";
import { entryPath } from "~/modules/reading/entry-urls.server";
import { payoutStatement, payoutTermsFor, writerShare } from "~/modules/editions/payouts.server";

export const meta: MetaFunction = () => [{ title: "Make it collectible · Permanent Press" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const writer = await requireWriter(request);
  const entry = await getDb().entry.findFirst({ where: { id: params.id ?? "", writerId: writer.id }, include: { edition: { select: { status: true } }, publication: { select: { handle: true } } } });
  if (!entry) throw new Response("There is no such entry of yours.", { status: 404 });
  const exists = !!entry.edition && entry.edition.status !== "prepared";
  const feeBps = exists ? null : await platformFeeBps(getEnv());
  // An entry in a publication: the publication's payout settings fix the split; the writer signs it.
  const payout = await payoutTermsFor(getDb(), entry);
  return { entryId: entry.id, title: entry.title, entryUrl: entryPath({ ...entry, writer }), exists, feeBps, chain: walletChain(getEnv()), address: writer.address, payout: { statement: payoutStatement(payout), writerShare: writerShare(payout.splitBps), publicationName: payout.publicationName } };
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
          {data.feeBps !== null ? (
            <p className="muted" data-testid="platform-fee">
              {data.feeBps === 0
                ? "The platform takes no fee."
                : `The platform takes ${data.feeBps / 100}% of the proceeds. A signed edition never pays more than that, and pays less if the platform lowers its fee before the first collector deploys it.`}
            </p>
          ) : null}
          <p data-testid="payout-terms">
            <strong>{data.payout.statement}</strong>
            {data.payout.publicationName ? (
              <span className="muted">
                {" "}
                {data.payout.publicationName}’s payout settings fix this share; it is part of the terms you sign and cannot change afterwards. You can move
                your own share to another address later; only {data.payout.publicationName} can move theirs.
              </span>
            ) : null}
          </p>
          <EditionForm entryId={data.entryId} entryUrl={data.entryUrl} chain={data.chain} defaultRecipient={data.address} writerShare={data.payout.writerShare} />
        </>
      )}
    </section>
  );
}
