import type { HeadersFunction, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data as withHeaders, redirect } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { shortAddress } from "~/components/addresses";
import editorStyles from "~/components/editor.css";
import { SubscribeForm } from "~/components/SubscribeForm";
import { getDb } from "~/db.server";
import { getEnv } from "~/env.server";
import { currentHtml } from "~/modules/entries/html.server";
import { getWriter } from "~/modules/auth/session.server";
import { CollectButton } from "~/components/CollectButton";
import { WithdrawButton } from "~/components/WithdrawButton";
import { walletChain } from "~/modules/editions/chain.server";
import { editionForEntry } from "~/modules/editions/editions.server";
import { entryHistory, entryMovedTo, entryVersion } from "~/modules/entries/read.server";
import { importedVerdict } from "~/modules/publications/publications.server";
import { entryUrl } from "~/modules/reading/entry-urls.server";
import { writerName } from "~/modules/reading/listings.server";
import { hasSession, readerHeaders } from "~/modules/reading/cache.server";
import { entryPageEtag, entryPageState, requestedVersion } from "~/modules/reading/entry-page.server";
import { readingMinutes } from "~/modules/reading/listings.server";
import { pageScript } from "~/modules/reading/page-scripts.server";
import type { PageHandle } from "~/components/page-scripts";
import { longDate } from "~/components/dates";
import { ResponseByline } from "~/components/ResponseByline";
import { VERDICT_TONE } from "~/components/verdicts";
import { articleJsonLd, farcasterMeta, shareMeta } from "~/components/share-meta";
import { approvedResponses, pendingResponses } from "~/modules/federation/responses.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: editorStyles }];

export const meta: MetaFunction<typeof loader> = ({ data }) =>
  data
    ? [
        ...shareMeta({ title: `${data.title} · ${data.publication ? `${data.byline} in ${data.publication.name}` : data.byline}`, description: data.excerpt, url: data.canonical, type: "article", image: data.card }),
        // First published with version 1; each later version is a modification.
        { property: "article:published_time", content: data.firstPublishedAt },
        ...(data.latestVersion > 1 ? [{ property: "article:modified_time", content: data.latestPublishedAt }] : []),
        { property: "article:author", content: data.byline },
        ...(data.publication ? [{ property: "article:publisher", content: data.publication.name }] : []),
        ...farcasterMeta({ imageUrl: `${data.canonical}/card-3x2.png`, url: data.canonical, button: data.edition ? "Collect" : "Read" }),
        articleJsonLd({
          title: data.title,
          description: data.excerpt,
          url: data.canonical,
          image: data.card,
          author: { name: data.byline, url: data.writerUrl },
          firstPublishedAt: data.firstPublishedAt,
          modifiedAt: data.latestPublishedAt,
          arweaveUrl: data.arweaveUrl,
          words: data.words,
        }),
      ]
    : [{ title: "Not found" }];

/**
 * The page is plain HTML without the React client; a collectible entry loads one small script for
 * Collect and Withdraw (app/page-scripts/edition.ts). It is what a Farcaster mini-app embed opens.
 */
export const handle: PageHandle = {
  scripts: false,
  pageScripts: (data) => {
    const { editionScript } = data as { editionScript: string | null };
    return editionScript ? [editionScript] : [];
  },
  embeddable: true,
};

export const headers: HeadersFunction = ({ loaderHeaders }) => loaderHeaders;

const STATUS: Record<string, string> = { queued: "waiting to upload", uploaded: "uploaded, awaiting the gateway", confirmed: "on Arweave" };

export async function loader({ request, params }: LoaderFunctionArgs) {
  const version = requestedVersion(new URL(request.url));
  // Anonymous readers revalidate before the essay is read; a signed-in page names its reader and is never stored.
  const state = await entryPageState(getDb(), params.handle ?? "", params.slug ?? "");
  if (!state) {
    // An entry published into a publication is read under the publication's handle; its writer's address for it moved there for good.
    const moved = await entryMovedTo(getDb(), params.handle ?? "", params.slug ?? "");
    if (moved) throw redirect(`${moved}${new URL(request.url).search}`, 301);
    throw new Response("There is no such entry.", { status: 404 });
  }
  const cacheHeaders = readerHeaders(request, entryPageEtag(state, version), { negotiated: true });
  const signedIn = hasSession(request);
  const entry = await entryHistory(getDb(), params.handle ?? "", params.slug ?? "");
  if (!entry) throw new Response("There is no such entry.", { status: 404 });
  const current = await entryVersion(getDb(), entry, version);
  if (!current) throw new Response("There is no such entry.", { status: 404 });
  const viewer = signedIn ? await getWriter(request) : undefined;
  const env = getEnv();
  const gateway = env.storage.gatewayUrl;
  const canonical = entryUrl(env.publicUrl, entry);
  const edition = entry.edition ? await editionForEntry(getDb(), entry.id) : null;
  // The state already counted what the social web made of the entry: the replies are read only when there are some.
  const [responses, waiting] = await Promise.all([
    Number(state.responses) > 0 ? approvedResponses(getDb(), entry.id) : [],
    viewer?.id === entry.writer.id ? pendingResponses(getDb(), entry.writer.id) : 0,
  ]);
  const versions = entry.versions.map((v) => ({ ...v, publishedAt: new Date(v.timestamp * 1000).toISOString(), statusText: STATUS[v.status] ?? v.status, gatewayUrl: `${gateway}/${v.arweaveId}` }));
  return withHeaders({
    canonical,
    card: `${canonical}/card.png`,
    edition,
    // An edition whose local development chain was replaced (and not made again since).
    goneAt: entry.edition?.status !== "live" ? (entry.edition?.goneAt?.toISOString() ?? null) : null,
    editionScript: edition ? pageScript("edition") : null,
    chain: walletChain(env),
    title: current.title,
    html: await currentHtml(getDb(), gateway, current),
    byline: writerName(entry.writer),
    handle: entry.writer.handle!,
    writerUrl: `${env.publicUrl}/${entry.writer.handle}`,
    /** The publication the entry was published into: its page is the entry's home. */
    publication: entry.publication?.handle ? { name: writerName(entry.publication), handle: entry.publication.handle } : null,
    path: new URL(canonical).pathname,
    slug: entry.slug,
    entryId: entry.id,
    excerpt: entry.excerpt,
    readingMinutes: readingMinutes(entry.wordCount),
    words: entry.wordCount,
    publishedAt: new Date(current.timestamp * 1000).toISOString(),
    version: current.version,
    latestVersion: entry.latestVersion,
    arweaveId: current.arweaveId,
    // An import shows what its signatures prove, whoever accepted it.
    imported:
      entry.importedFrom && entry.verification
        ? await importedVerdict(getDb(), { publicationId: entry.publicationId, verification: entry.verification, signer: entry.writer.address, publicationName: entry.publication ? writerName(entry.publication) : "" }, current.timestamp)
        : null,
    isAuthor: viewer?.id === entry.writer.id,
    responses: responses.map((r) => ({ ...r, publishedAt: r.publishedAt.toISOString() })),
    responseCount: Number(state.responses),
    likes: Number(state.likes),
    boosts: Number(state.boosts),
    waiting,
    arweaveUrl: `${gateway}/${current.arweaveId}`,
    versions,
    // Versions are newest first: the essay is dated by version 1, and updated by the latest.
    firstPublishedAt: versions.at(-1)!.publishedAt,
    latestPublishedAt: versions[0]!.publishedAt,
  }, { headers: cacheHeaders });
}

const date = longDate;

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** Replies from the social web the writer approved, and the entry's likes and boosts there. */
function Responses({ data }: { data: { responses: Array<{ id: string; author: { handle: string; name: string | null; profileUrl: string | null }; url: string | null; html: string; publishedAt: string }>; responseCount: number; likes: number; boosts: number } }) {
  const reactions = [data.likes ? plural(data.likes, "like", "likes") : null, data.boosts ? plural(data.boosts, "boost", "boosts") : null].filter(Boolean);
  if (data.responses.length === 0 && reactions.length === 0) return null;
  return (
    <section className="responses" aria-labelledby="responses">
      <h2 id="responses">Responses</h2>
      {reactions.length ? (
        <p className="muted" data-testid="reactions">
          {reactions.join(" · ")} from the social web
        </p>
      ) : null}
      {data.responses.length ? (
        <ol className="response-list">
          {data.responses.map((r) => (
            <li key={r.id} data-testid="response">
              <ResponseByline author={r.author} url={r.url} publishedAt={r.publishedAt} />
              <div className="response-body" dangerouslySetInnerHTML={{ __html: r.html }} />
            </li>
          ))}
        </ol>
      ) : null}
      {data.responseCount > data.responses.length ? <p className="muted">The first {data.responses.length} of {data.responseCount} responses are shown.</p> : null}
    </section>
  );
}

export default function EntryPage() {
  const data = useLoaderData<typeof loader>();
  return (
    <article className="entry">
      <header>
        <h1>{data.title}</h1>
        <p className="muted byline">
          {data.publication ? "by " : null}
          <a href={`/${data.handle}`}>{data.byline}</a>
          {data.publication ? (
            <>
              {" "}
              in <a href={`/${data.publication.handle}`}>{data.publication.name}</a>
            </>
          ) : null}{" "}
          · <time dateTime={data.firstPublishedAt}>{date(data.firstPublishedAt)}</time> · {data.readingMinutes} min read
          {data.version === data.latestVersion && data.latestVersion > 1 ? (
            <>
              {" "}
              · updated <time dateTime={data.publishedAt}>{date(data.publishedAt)}</time>
            </>
          ) : null}
          {data.version !== data.latestVersion ? (
            <>
              {" "}
              · version {data.version} of {data.latestVersion}, <a href={data.path}>read the latest</a>
            </>
          ) : null}
        </p>
      </header>
      <div className="prose" dangerouslySetInnerHTML={{ __html: data.html }} />
      {data.goneAt ? (
        <p className="notice" data-testid="edition-gone">
          This edition lived on a local development chain that was reset on {date(data.goneAt)}; it no longer exists.
        </p>
      ) : null}
      {data.edition ? (
        <section className="edition" aria-labelledby="collect">
          <h2 id="collect">Collect</h2>
          <p>
            {data.edition.priceEth === "0" ? "Free" : `${data.edition.priceEth} ETH`} ·{" "}
            <span data-testid="supply">
              {data.edition.minted} collected{data.edition.supplyLimit > 0 ? ` of ${data.edition.supplyLimit}` : ", open edition"}
            </span>
          </p>
          {data.edition.soldOut ? (
            <p className="sold-out" data-testid="sold-out">
              Sold out: every copy has been collected.
            </p>
          ) : (
            <CollectButton
              editionId={data.edition.id}
              priceEth={data.edition.priceEth}
              priceWei={data.edition.priceWei}
              maxCopies={data.edition.maxCopies}
              referralPercent={data.edition.referralPercent}
              chain={data.chain}
            />
          )}
          {data.isAuthor && data.edition.status === "live" ? <WithdrawButton editionId={data.edition.id} heldEth={data.edition.heldEth} toWriterEth={data.edition.toWriterEth} feePercent={data.edition.feePercent} fundingRecipient={data.edition.fundingRecipient} publicationShare={data.edition.publicationShare} chain={data.chain} /> : null}
          {data.edition.collectors.length > 0 ? (
            <ol className="collectors" data-testid="collectors">
              {data.edition.collectors.map((c) => (
                <li key={c.tokenId}>
                  <a href={`/collector/${c.collector}`}>{shortAddress(c.collector)}</a>
                  {c.copies > 1 ? (
                    <span data-testid="copies">
                      {" "}
                      collected {c.copies} (#{c.tokenId}–#{c.lastTokenId})
                    </span>
                  ) : null}
                  {c.referrer ? (
                    <span className="muted" data-testid="referred-by">
                      {" "}
                      via <a href={`/collector/${c.referrer}`}>{shortAddress(c.referrer)}</a>
                    </span>
                  ) : null}
                  {c.message ? <q>{c.message}</q> : null} <time dateTime={c.timestamp} className="muted">{date(c.timestamp)}</time>
                </li>
              ))}
            </ol>
          ) : null}
        </section>
      ) : data.isAuthor ? (
        <p>
          <a href={`/entries/${data.entryId}/edition`}>Make it collectible</a>: readers collect it as an edition on {data.chain.name}.
        </p>
      ) : null}
      <Responses data={data} />
      {data.isAuthor ? (
        <p className="notice">
          Readers subscribe to you here and on your page. <a href="/settings/subscribers">Your subscribers</a>
          {data.waiting ? (
            <>
              {" "}
              · <a href="/settings/responses">{plural(data.waiting, "reply waits", "replies wait")} for you</a>
            </>
          ) : null}
        </p>
      ) : data.publication ? (
        // An essay in a publication is one of the publication's: its readers subscribe to the publication.
        <SubscribeForm handle={data.publication.handle} writerName={data.publication.name} publication />
      ) : (
        <SubscribeForm handle={data.handle} writerName={data.byline} />
      )}
      <footer className="entry-footer">
        {data.imported ? (
          <p data-testid="verdict" data-state={data.imported.state} className={`verdict ${VERDICT_TONE[data.imported.state]}`}>
            Imported from Mirror: {data.imported.verification}. <a href={`/verify/${data.arweaveId}`}>Check the proof</a> — stored permanently on Arweave as{" "}
            <code>{data.arweaveId}</code>.
          </p>
        ) : (
          <p>
            <a href={`/verify/${data.arweaveId}`}>Verify this entry</a> — signed by its writer, stored permanently on Arweave as <code>{data.arweaveId}</code>.
          </p>
        )}
        {data.isAuthor ? (
          <Form method="post" action={`/entries/${data.entryId}/edit`} reloadDocument>
            <button type="submit">Edit (publishes a new version)</button>
          </Form>
        ) : null}
        <section aria-labelledby="versions">
          <h2 id="versions">Versions</h2>
          <ol className="versions" reversed>
            {data.versions.map((v) => (
              <li key={v.version} data-status={v.status}>
                <a href={`${data.path}?version=${v.version}`}>Version {v.version}</a>, {date(v.publishedAt)} · <span className="muted">{v.statusText}</span> ·{" "}
                <a href={`/verify/${v.arweaveId}`}>proof</a> · <a href={v.gatewayUrl}>{v.arweaveId}</a>
              </li>
            ))}
          </ol>
        </section>
      </footer>
    </article>
  );
}
