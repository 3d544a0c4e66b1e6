import type { HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { getAddress } from "viem";
import { useLoaderData } from "@remix-run/react";
import { shortAddress } from "~/components/addresses";
import { EntryList } from "~/components/EntryList";
import type { PageHandle } from "~/components/page-scripts";
import { farcasterMeta, shareMeta } from "~/components/share-meta";
import { SubscribeForm } from "~/components/SubscribeForm";
import { getDb } from "~/db.server";
import { getEnv } from "~/env.server";
import { homeUrl } from "~/modules/publications/domains.server";
import { readerHeaders } from "~/modules/reading/cache.server";
import { feedState, listingEtag } from "~/modules/reading/distribution.server";
import { pageNumber, recentEntries, requirePageInRange } from "~/modules/reading/listings.server";
import { publicationPage } from "~/modules/reading/publication-page.server";
import { writerByHandle } from "~/modules/writers/profile.server";

export const handle: PageHandle = { scripts: false };

export const headers: HeadersFunction = ({ loaderHeaders }) => loaderHeaders;

export const meta: MetaFunction<typeof loader> = ({ data }) =>
  data
    ? [
        ...shareMeta({ title: `${data.writer.name} · Permanent Press`, description: data.writer.bio ?? `Writing by ${data.writer.name}`, url: data.canonical, type: data.publication ? "website" : "profile", image: data.publication?.cover ?? data.writer.avatar }),
        // A publication shared on Farcaster opens its page from a card of its cover.
        ...(data.publication?.cover ? farcasterMeta({ imageUrl: data.publication.cover, url: data.canonical, button: "Read" }) : []),
        { tagName: "link", rel: "alternate", type: "application/rss+xml", title: data.writer.name, href: `/${data.writer.handle}/rss.xml` },
        { tagName: "link", rel: "alternate", type: "application/atom+xml", title: data.writer.name, href: `/${data.writer.handle}/atom.xml` },
        { tagName: "link", rel: "alternate", type: "application/feed+json", title: data.writer.name, href: `/${data.writer.handle}/feed.json` },
        // Where fediverse software finds the writer's actor from their page.
        { tagName: "link", rel: "alternate", type: "application/activity+json", href: data.writer.actor },
      ]
    : [{ title: "Not found" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const state = await feedState(getDb(), params.handle ?? "");
  if (!state) throw new Response("No writer has this address.", { status: 404 });
  const headers = readerHeaders(request, listingEtag(params.handle, pageNumber(request), state), { negotiated: true });
  const writer = await writerByHandle(getDb(), params.handle ?? "");
  if (!writer?.handle) throw new Response("No writer has this address.", { status: 404 });
  const env = getEnv();
  const avatar = writer.avatarId ? `${env.storage.gatewayUrl}/${writer.avatarId}` : writer.ensAvatar;
  const page = pageNumber(request);
  const listing = await recentEntries(getDb(), { page, writerId: writer.id });
  requirePageInRange(listing, page);
  // A publication's page shows its cover and members, and names each entry's writer instead of itself.
  const publication = writer.kind === "publication" ? await publicationPage(getDb(), env.storage.gatewayUrl, writer.id) : null;
  return data({
    ...listing,
    entries: publication ? listing.entries.map((e) => ({ ...e, publication: null })) : listing.entries,
    publication,
    page,
    canonical: `${homeUrl(env.publicUrl, writer)}${page > 1 ? `?page=${page}` : ""}`,
    writer: {
      handle: writer.handle,
      name: writer.displayName ?? writer.ensName ?? `@${writer.handle}`,
      bio: writer.bio,
      // A publication's address is its 32-byte id (keccak256 of owner and salt), not a wallet's.
      address: writer.kind === "publication" ? writer.address : getAddress(writer.address),
      ensName: writer.ensName,
      avatar,
      /** How people on Mastodon and the rest of the social web find and follow the writer. */
      fediverse: `@${writer.handle}@${new URL(env.publicUrl).host}`,
      actor: `${env.publicUrl}/ap/users/${writer.id}`,
    },
  }, { headers });
}

export default function WriterPage() {
  const { writer, entries, page, hasMore, publication } = useLoaderData<typeof loader>();
  return (
    <section className={publication ? "writer publication" : "writer"}>
      {publication?.cover ? <img src={publication.cover} alt="" className="cover" data-testid="cover" /> : null}
      <header className="writer-header">
        {writer.avatar ? <img src={writer.avatar} alt="" width={72} height={72} className="avatar" /> : null}
        <div>
          <h1>{writer.name}</h1>
          <p className="muted">
            @{writer.handle} · <code title={writer.address}>{writer.ensName ?? shortAddress(writer.address)}</code>
          </p>
        </div>
      </header>
      {writer.bio ? <p className="bio">{writer.bio}</p> : null}
      {publication ? (
        <section aria-labelledby="members">
          <h2 id="members">Writers</h2>
          <ul className="members" data-testid="members">
            {publication.members.map((m) => (
              <li key={m.address} data-role={m.role}>
                {m.handle && m.name ? <a href={`/${m.handle}`}>{m.name}</a> : <code title={m.address}>{m.name ?? shortAddress(m.address)}</code>} <span className="muted">{m.role}</span>
              </li>
            ))}
          </ul>
          <p className="muted">Each membership is a record signed by the owner’s wallet and stored on Arweave.</p>
        </section>
      ) : null}
      <SubscribeForm handle={writer.handle} writerName={writer.name} publication={publication !== null} />
      <EntryList entries={entries} page={page} hasMore={hasMore} showWriter={publication !== null} empty={`${writer.name} has not published yet.`} />
      <p className="muted">
        Follow in a reader: <a href={`/${writer.handle}/rss.xml`}>RSS</a> · <a href={`/${writer.handle}/atom.xml`}>Atom</a> · <a href={`/${writer.handle}/feed.json`}>JSON Feed</a>
      </p>
      <p className="muted fediverse">
        On Mastodon and the rest of the social web, search for <code className="handle">{writer.fediverse}</code> and follow: every essay arrives there whole.
      </p>
    </section>
  );
}
