import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { getDb } from "~/db.server";
import { getEnv } from "~/env.server";
import { writerByHandle } from "~/modules/writers/profile.server";

export const meta: MetaFunction<typeof loader> = ({ data }) =>
  data ? [{ title: `${data.writer.name} · Permanent Press` }, { name: "description", content: data.writer.bio ?? `Writing by ${data.writer.name}` }] : [{ title: "Not found" }];

export async function loader({ params }: LoaderFunctionArgs) {
  const writer = await writerByHandle(getDb(), params.handle ?? "");
  if (!writer?.handle) throw new Response("No writer has this address.", { status: 404 });
  const env = getEnv();
  const avatar = writer.avatarId ? `${env.storage.gatewayUrl}/${writer.avatarId}` : writer.ensAvatar;
  return {
    writer: {
      handle: writer.handle,
      name: writer.displayName ?? writer.ensName ?? `@${writer.handle}`,
      bio: writer.bio,
      address: writer.address,
      ensName: writer.ensName,
      avatar,
    },
  };
}

export default function WriterPage() {
  const { writer } = useLoaderData<typeof loader>();
  return (
    <section className="writer">
      <header className="writer-header">
        {writer.avatar ? <img src={writer.avatar} alt="" width={72} height={72} className="avatar" /> : null}
        <div>
          <h1>{writer.name}</h1>
          <p className="muted">
            @{writer.handle} · <code title={writer.address}>{writer.ensName ?? `${writer.address.slice(0, 6)}…${writer.address.slice(-4)}`}</code>
          </p>
        </div>
      </header>
      {writer.bio ? <p className="bio">{writer.bio}</p> : null}
    </section>
  );
}
