import type { HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { EntryList } from "~/components/EntryList";
import type { PageHandle } from "~/components/page-scripts";
import { shareMeta } from "~/components/share-meta";
import { getDb } from "~/db.server";
import { getEnv } from "~/env.server";
import { readerHeaders } from "~/modules/reading/cache.server";
import { feedState, listingEtag } from "~/modules/reading/distribution.server";
import { pageNumber, recentEntries, requirePageInRange } from "~/modules/reading/listings.server";

export const handle: PageHandle = { scripts: false };

const DESCRIPTION = "Essays that live forever on Arweave, signed by their writers, collected as editions.";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  ...shareMeta({ title: "Permanent Press", description: DESCRIPTION, url: data?.canonical ?? "/", type: "website" }),
  { tagName: "link", rel: "alternate", type: "application/rss+xml", title: "Permanent Press", href: "/rss.xml" },
  { tagName: "link", rel: "alternate", type: "application/atom+xml", title: "Permanent Press", href: "/atom.xml" },
  { tagName: "link", rel: "alternate", type: "application/feed+json", title: "Permanent Press", href: "/feed.json" },
];

export const headers: HeadersFunction = ({ loaderHeaders }) => loaderHeaders;

export async function loader({ request }: LoaderFunctionArgs) {
  const page = pageNumber(request);
  const headers = readerHeaders(request, listingEtag(undefined, page, (await feedState(getDb()))!));
  const { publicUrl } = getEnv();
  const listing = await recentEntries(getDb(), { page });
  requirePageInRange(listing, page);
  return data({ ...listing, page, canonical: page > 1 ? `${publicUrl}/?page=${page}` : `${publicUrl}/` }, { headers });
}

export default function Home() {
  const { entries, page, hasMore } = useLoaderData<typeof loader>();
  return (
    <article>
      {page === 1 ? (
        <>
          <h1>Writing that outlives its platform</h1>
          <p>
            Every essay published here is signed by its writer&apos;s wallet and stored permanently on Arweave. Readers collect
            essays as editions on an Ethereum L2 and subscribe by email or by wallet.
          </p>
          {/* The same link for everyone keeps the page cacheable: /drafts sends a reader who is not signed in to sign in first. */}
          <p>
            <a href="/drafts">Start writing</a>
          </p>
        </>
      ) : (
        <h1>Earlier essays</h1>
      )}
      <EntryList entries={entries} page={page} hasMore={hasMore} showWriter empty="Nothing is published yet: start writing and yours will be the first essay here." />
      <p className="muted">
        Follow every new essay: <a href="/rss.xml">RSS</a> · <a href="/atom.xml">Atom</a> · <a href="/feed.json">JSON Feed</a>
      </p>
    </article>
  );
}
