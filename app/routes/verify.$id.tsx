import type { HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { longDate } from "~/components/dates";
import { VERDICT_TONE } from "~/components/verdicts";
import type { PageHandle } from "~/components/page-scripts";
import { getDb } from "~/db.server";
import { getEnv } from "~/env.server";
import { DependencyUnavailable, errorHeaders } from "~/modules/errors.server";
import { versionOnPlatform } from "~/modules/entries/read.server";
import { etagOf, readerHeaders } from "~/modules/reading/cache.server";
import { isArweaveId, verificationState, verifyArweaveEntry } from "~/modules/entries/verify.server";
import { mirrorPublicationLookup, type MembershipProof } from "~/modules/publications/verify.server";

/** A page of plain HTML and forms: it loads no client code. */
export const handle: PageHandle = { scripts: false };

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.verification.verified ? "Verified" : "Not verified"} · Proof · Permanent Press` }];

export const headers: HeadersFunction = ({ loaderHeaders }) => loaderHeaders;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const env = getEnv();
  const id = params.id ?? "";
  if (!isArweaveId(id)) throw new Response("That is not an Arweave id: an id is 43 characters of letters, digits, - and _.", { status: 400 });
  // The verdict comes from the gateway's bytes alone; the database only says where to read it here.
  const [verification, onPlatform] = await Promise.all([
    verifyArweaveEntry(env, id, { mirrorPublication: mirrorPublicationLookup(getDb()) }).catch((error: unknown) => {
      if (error instanceof DependencyUnavailable) throw new Response(error.message, { status: 503, headers: errorHeaders(error) });
      throw error;
    }),
    versionOnPlatform(getDb(), id),
  ]);
  if (!verification) throw new Response(`The gateway has nothing stored under ${id} (yet).`, { status: 404 });
  const proof = { id, verification, state: verificationState(verification), onPlatform, gateway: env.storage.gatewayUrl, gatewayUrl: `${env.storage.gatewayUrl}/${id}` };
  // The verdict moves as the gateway confirms the bytes: the page is named by everything it shows.
  return data(proof, { headers: readerHeaders(request, etagOf(["proof", JSON.stringify(proof)])) });
}

const utc = (seconds: number) => `${new Date(seconds * 1000).toISOString().slice(0, 19).replace("T", " ")} UTC`;

/** The two checks behind an entry of a publication: the member's signature, and the owner's grant at the entry's time. */
function MembershipChecks({ signed, membership, gateway }: { signed: boolean; membership: MembershipProof; gateway: string }) {
  return (
    <section aria-labelledby="membership" data-testid="membership">
      <h2 id="membership">Published in {membership.name}</h2>
      <ol>
        <li data-testid="check-signature" data-state={signed ? "ok" : "failed"}>
          {signed ? "Signed" : "Not signed"} by the member <code>{membership.member}</code>: the entry&apos;s own signature.
        </li>
        <li data-testid="check-grant" data-state={membership.role ? "ok" : "failed"}>
          {membership.role === "owner" ? (
            <>
              <code>{membership.member}</code> owns the publication.
            </>
          ) : membership.grant ? (
            <>
              The owner <code>{membership.owner}</code> granted <code>{membership.member}</code> the role of {membership.grant.role} from{" "}
              {utc(membership.grant.from)}, valid at the entry&apos;s time ({utc(membership.at)}):{" "}
              <a href={`${gateway}/${membership.grant.arweaveId}`}>the grant record</a>.
            </>
          ) : membership.owner ? (
            <>
              No record signed by the owner <code>{membership.owner}</code> makes <code>{membership.member}</code> a member at the entry&apos;s time: not proven a member.
            </>
          ) : (
            <>No publication record signed by its owner is on the gateway for <code>{membership.publication}</code>: membership cannot be proven.</>
          )}
        </li>
      </ol>
      {membership.recordId ? (
        <p>
          <a href={`${gateway}/${membership.recordId}`}>The publication record</a> (id <code>{membership.publication}</code>, keccak256 of the owner and a salt, signed by the owner).
        </p>
      ) : null}
      {membership.forged.length > 0 ? (
        <details>
          <summary>{membership.forged.length} record(s) under this publication&apos;s tags ignored</summary>
          <ul className="problems">
            {membership.forged.map((record) => (
              <li key={record.arweaveId}>
                <a href={`${gateway}/${record.arweaveId}`}>{record.arweaveId}</a>: {record.reason}
              </li>
            ))}
          </ul>
        </details>
      ) : null}
    </section>
  );
}

export default function Proof() {
  const { id, verification, state, onPlatform, gateway, gatewayUrl } = useLoaderData<typeof loader>();
  const published = verification.kind === "entry" ? new Date(verification.timestamp * 1000).toISOString() : "";
  return (
    <article className="proof">
      <h1 data-testid="verdict" className={VERDICT_TONE[state]} data-state={state}>
        {verification.verified ? "Verified" : "Not verified"}
      </h1>
      <p>
        Arweave id <a href={gatewayUrl}>{id}</a>
      </p>
      {verification.kind === "entry" ? (
        <>
          <p data-testid="summary">
            <strong>{verification.title}</strong>, version {verification.version}, {verification.summary}.
          </p>
          <table>
            <tbody>
              <tr><th>Digest stated</th><td><code>{verification.digest}</code></td></tr>
              <tr><th>Digest of the content</th><td><code>{verification.computedDigest}</code></td></tr>
              <tr><th>Original digest</th><td><code>{verification.originalDigest}</code></td></tr>
              <tr><th>Published</th><td><time dateTime={published}>{longDate(published)}, {published.slice(11, 19)} UTC</time></td></tr>
            </tbody>
          </table>
        </>
      ) : null}
      {verification.kind === "entry" && verification.membership ? <MembershipChecks signed={verification.problems.length === 0} membership={verification.membership} gateway={gateway} /> : null}
      {verification.kind === "mirror" && verification.membership ? <MembershipChecks signed membership={verification.membership} gateway={gateway} /> : null}
      {verification.kind === "mirror" ? (
        <p>
          A Mirror entry, <strong>{verification.title}</strong>, by <code>{verification.contributor}</code>:{" "}
          {verification.summary}.
        </p>
      ) : null}
      {verification.kind === "mirror" && verification.verdict.status === "signed-by-other" && !verification.membership ? (
        <p className="warning">
          Mirror&apos;s signatures prove that <code>{verification.verdict.signer}</code> signed this, and nothing more. A publication&apos;s member signs
          this way, and so can anyone with a wallet: whether this wallet may publish for <code>{verification.contributor}</code> is not recorded on
          Arweave.
        </p>
      ) : null}
      {"problems" in verification && verification.problems.length > 0 ? (
        <ul className="problems">
          {verification.problems.map((problem) => (
            <li key={problem}>{problem}</li>
          ))}
        </ul>
      ) : null}
      {onPlatform ? (
        <p data-testid="read-here">
          Read it here: <a href={onPlatform.url}>{onPlatform.title}</a>
          {onPlatform.latestVersion > 1 ? `, version ${onPlatform.version}` : ""} by <a href={onPlatform.writerUrl}>{onPlatform.writer}</a>
          {onPlatform.version < onPlatform.latestVersion ? (
            <>
              {" "}
              (<a href={onPlatform.latestUrl}>version {onPlatform.latestVersion}</a> is the latest)
            </>
          ) : null}
          .
        </p>
      ) : null}
      {verification.kind === "entry" ? (
        <section aria-labelledby="check-yourself" className="muted">
          <h2 id="check-yourself">Check it yourself</h2>
          <p>This page read the entry from the gateway and checked it as anyone can, without this platform:</p>
          <ol>
            <li>
              Download <a href={gatewayUrl}>the stored entry</a> (JSON) from any Arweave gateway.
            </li>
            <li>
              Write its <code>content</code> as canonical JSON (RFC 8785: keys sorted, no white space), UTF-8; its SHA-256 in base64url without
              padding is the <code>digest</code>.
            </li>
            <li>
              <code>authorship.signature</code> is the contributor&apos;s EIP-712 signature of <code>Entry {"{"} title, digest, originalDigest, version,
              contributor {"}"}</code> in the domain <code>{"{"} name: &quot;Permanent Press&quot;, version: &quot;1&quot; {"}"}</code> (ERC-1271 for
              contract wallets).
            </li>
            {verification.membership ? (
              <li>
                <code>content.publication</code> names a publication: find its records on the gateway by the tags <code>Type: publication</code> and{" "}
                <code>Publication: {verification.membership.publication}</code>, keep those whose id is keccak256(owner ‖ salt) and that the owner signed, then
                the owner&apos;s membership records (<code>Type: membership</code>, <code>Member: {verification.contributor.toLowerCase()}</code>): the latest
                one from before the entry&apos;s time must grant a role, not revoke it.
              </li>
            ) : null}
          </ol>
        </section>
      ) : (
        <p className="muted">Anyone can check an entry from the Arweave data alone, without this platform.</p>
      )}
    </article>
  );
}
