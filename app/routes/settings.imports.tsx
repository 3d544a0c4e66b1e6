import { getEnv } from "~/env.server";
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { longDate } from "~/components/dates";
import type { PageHandle } from "~/components/page-scripts";
import { VERDICT_TONE } from "~/components/verdicts";
import { getDb } from "~/db.server";
import { requireWriter } from "~/modules/auth/session.server";
import { heldImports } from "~/modules/entries/import-review.server";

/** A page of plain HTML and forms: it loads no client code. */
export const handle: PageHandle = { scripts: false };

export const meta: MetaFunction = () => [{ title: "Imports to review · Permanent Press" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const writer = await requireWriter(request);
  return { held: await heldImports(getDb(), writer.id, getEnv().storage.gatewayUrl), address: writer.address };
}

export default function ImportReview() {
  const { held, address } = useLoaderData<typeof loader>();
  return (
    <section>
      <h1>Imports to review</h1>
      <p className="muted">
        Entries imported from Mirror under your address <code>{address}</code> that your own wallet did not sign. A signature proves who signed,
        nothing more: on Mirror a publication&apos;s member signs this way, and so can anyone. Readers see none of these until you accept them; an
        accepted entry still shows who signed it.
      </p>
      {held.length === 0 ? (
        <p>Nothing is waiting for you.</p>
      ) : (
        <ul className="draft-list" data-testid="held-imports">
          {held.map((entry) => (
            <li key={entry.originalDigest}>
              <div>
                <strong>{entry.title}</strong> <time dateTime={entry.publishedAt} className="muted">{longDate(entry.publishedAt)}</time>
                <details>
                  <summary>Read it before you choose</summary>
                  <div className="prose" dangerouslySetInnerHTML={{ __html: entry.html }} />
                </details>
                <p data-state={entry.status} className={`verdict ${VERDICT_TONE[entry.status]}`}>
                  {entry.status === "signed-by-other" ? "Not signed by you: " : "Its signatures do not check out: "}
                  {entry.verification}.
                  {entry.proofId ? (
                    <>
                      {" "}
                      <a href={`/verify/${entry.proofId}`}>Read the proof</a>
                    </>
                  ) : null}
                </p>
              </div>
              <Form method="post" action={`/settings/imports/${entry.originalDigest}`} reloadDocument className="inline">
                <button type="submit" name="intent" value="accept">
                  Accept and publish
                </button>{" "}
                <button type="submit" name="intent" value="discard" className="danger">
                  Discard
                </button>
              </Form>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
