import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { getAddress } from "viem";
import { shortAddress } from "~/components/addresses";
import { getDb } from "~/db.server";
import { collectedBy } from "~/modules/editions/editions.server";
import type { PageHandle } from "~/components/page-scripts";

/** A page of plain HTML and forms: it loads no client code. */
export const handle: PageHandle = { scripts: false };

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `Collected by ${data.address} · Permanent Press` : "Not found" }];

export async function loader({ params }: LoaderFunctionArgs) {
  const collected = await collectedBy(getDb(), params.address ?? "");
  if (!collected) throw new Response("That is not an Ethereum address.", { status: 404 });
  return { address: getAddress(params.address!), collected };
}

export default function Collector() {
  const { address, collected } = useLoaderData<typeof loader>();
  return (
    <section>
      <h1>Collected by {shortAddress(address)}</h1>
      <p className="muted">
        <code>{address}</code>
      </p>
      {collected.length === 0 ? (
        <p>Nothing collected yet.</p>
      ) : (
        <ul className="collected">
          {collected.map((item) => (
            <li key={`${item.url}-${item.tokenId}`}>
              <a href={item.url}>{item.title}</a> by {item.byline} · {item.copies > 1 ? `${item.copies} copies, #${item.tokenId}–#${item.lastTokenId}` : `#${item.tokenId}`} ·{" "}
              <time dateTime={item.timestamp}>{new Date(item.timestamp).toLocaleDateString("en-GB", { timeZone: "UTC" })}</time>
              {item.message ? <q>{item.message}</q> : null}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
