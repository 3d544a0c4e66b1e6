import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { getEnv } from "~/env.server";
import { verifyArweaveEntry } from "~/modules/entries/verify.server";
import type { PageHandle } from "~/components/page-scripts";

/** A page of plain HTML and forms: it loads no client code. */
export const handle: PageHandle = { scripts: false };

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.verification.verified ? "Verified" : "Not verified"} · Proof · Permanent Press` }];

export async function loader({ params }: LoaderFunctionArgs) {
  const env = getEnv();
  const id = params.id ?? "";
  const verification = await verifyArweaveEntry(env, id);
  if (!verification) throw new Response(`The gateway has nothing stored under ${id} (yet).`, { status: 404 });
  return { id, verification, gatewayUrl: `${env.storage.gatewayUrl}/${id}` };
}

export default function Proof() {
  const { id, verification, gatewayUrl } = useLoaderData<typeof loader>();
  return (
    <article className="proof">
      <h1 data-testid="verdict" className={verification.verified ? "ok" : "error"}>
        {verification.verified ? "Verified" : "Not verified"}
      </h1>
      <p>
        Arweave id <a href={gatewayUrl}>{id}</a>
      </p>
      {verification.kind === "entry" ? (
        <>
          <p>
            <strong>{verification.title}</strong>, version {verification.version}, signed by <code>{verification.contributor}</code>.
          </p>
          <table>
            <tbody>
              <tr><th>Digest stated</th><td><code>{verification.digest}</code></td></tr>
              <tr><th>Digest of the content</th><td><code>{verification.computedDigest}</code></td></tr>
              <tr><th>Original digest</th><td><code>{verification.originalDigest}</code></td></tr>
              <tr><th>Published</th><td>{new Date(verification.timestamp * 1000).toISOString()}</td></tr>
            </tbody>
          </table>
        </>
      ) : null}
      {verification.kind === "mirror" ? (
        <p>
          A Mirror entry, <strong>{verification.title}</strong>, by <code>{verification.contributor}</code>:{" "}
          {verification.verdict.status === "verified"
            ? "signed by its contributor."
            : verification.verdict.status === "signed-by-member"
              ? `signed by ${verification.verdict.signer}, a member of the publication.`
              : verification.verdict.reason}
        </p>
      ) : null}
      {"problems" in verification && verification.problems.length > 0 ? (
        <ul className="problems">
          {verification.problems.map((problem) => (
            <li key={problem}>{problem}</li>
          ))}
        </ul>
      ) : null}
      <p className="muted">
        The digest is recomputed here from the entry&apos;s canonical bytes and the signature checked against it; anyone can do the same from the
        Arweave data alone (docs/entry-format.md).
      </p>
    </article>
  );
}
