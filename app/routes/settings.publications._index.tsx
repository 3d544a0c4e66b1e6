import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { PublicationRecordForm } from "~/components/PublicationRecordForm";
import { getDb } from "~/db.server";
import { requireWriter } from "~/modules/auth/session.server";
import { publicationsOf } from "~/modules/publications/publications.server";

export const meta: MetaFunction = () => [{ title: "Your publications · Permanent Press" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const writer = await requireWriter(request);
  const publications = await publicationsOf(getDb(), writer);
  return {
    address: writer.address,
    publications: publications.map(({ publication, role }) => ({ accountId: publication.writerId, handle: publication.account.handle, name: publication.account.displayName ?? "", role })),
  };
}

export default function Publications() {
  const { address, publications } = useLoaderData<typeof loader>();
  return (
    <section>
      <h1>Your publications</h1>
      <p className="muted">A publication is a name several writers publish under. Its owner’s wallet signs who belongs to it, so anyone can check.</p>
      {publications.length ? (
        <ul className="publications">
          {publications.map((publication) => (
            <li key={publication.accountId}>
              <Link to={`/settings/publications/${publication.accountId}`}>{publication.name || publication.handle}</Link>{" "}
              <span className="muted">
                @{publication.handle} · you are its {publication.role}
              </span>
            </li>
          ))}
        </ul>
      ) : (
        <p>You belong to no publication yet.</p>
      )}
      <h2>Start a publication</h2>
      <p className="muted">You will own it: your wallet signs its name and every member’s role.</p>
      <PublicationRecordForm address={address} />
    </section>
  );
}
