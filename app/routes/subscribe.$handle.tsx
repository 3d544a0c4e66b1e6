import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { SubscribeForm } from "~/components/SubscribeForm";
import { getDb } from "~/db.server";
import { getEnv } from "~/env.server";
import { getWriter, requireWriter } from "~/modules/auth/session.server";
import { errorHeaders, UserError } from "~/modules/errors.server";
import { assertSameOrigin } from "~/modules/http.server";
import { clientKey } from "~/modules/subscriptions/rate-limit.server";
import { follow, isFollowing, listShown, subscribeByEmail, unfollow } from "~/modules/subscriptions/subscribers.server";
import { writerByHandle } from "~/modules/writers/profile.server";
import type { PageHandle } from "~/components/page-scripts";
import { readForm } from "~/modules/forms.server";
import { FORM_FIELDS } from "~/modules/body-limits";

/** A page of plain HTML and forms: it loads no client code. */
export const handle: PageHandle = { scripts: false };

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `Subscribe to ${data.writer.name} · Permanent Press` : "Not found" }];

async function writerOf(handle: string | undefined) {
  const writer = await writerByHandle(getDb(), handle ?? "");
  if (!writer?.handle) throw new Response("No writer has this address.", { status: 404 });
  return writer;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const writer = await writerOf(params.handle);
  const viewer = await getWriter(request);
  return {
    writer: { ...listShown(writer), handle: writer.handle! },
    viewer: viewer ? { address: viewer.address, isWriter: viewer.id === writer.id, following: await isFollowing(getDb(), writer.id, viewer) } : null,
  };
}

/** Anyone may post here: an email address and a hidden field are all it takes. */
export const bodyLimits = FORM_FIELDS;

/**
 * `email`: subscribe an address (anyone, no sign-in); `follow` / `unfollow`: the signed-in
 * reader's wallet. Signed-out readers who press "follow" sign in and come back here.
 */
export async function action({ request, params, context }: ActionFunctionArgs) {
  const writer = await writerOf(params.handle);
  let email = "";
  try {
    assertSameOrigin(request);
    const form = await readForm(request);
    const intent = String(form.get("intent") ?? "");
    email = String(form.get("email") ?? "");
    if (intent === "email") {
      const sent = await subscribeByEmail(getDb(), getEnv(), { writer, email, client: clientKey(request, context, getEnv().trustProxy), honeypot: String(form.get("website") ?? "") });
      return { sent: sent.email, error: null, email };
    }
    const reader = await requireWriter(request);
    if (intent === "follow") await follow(getDb(), writer, reader);
    else if (intent === "unfollow") await unfollow(getDb(), writer.id, reader);
    else throw new UserError("Unknown action.");
    return redirect(`/subscribe/${writer.handle}`);
  } catch (error) {
    if (error instanceof UserError) return data({ sent: null, error: error.message, email }, { status: error.status, headers: errorHeaders(error) });
    throw error;
  }
}

export default function Subscribe() {
  const { writer, viewer } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  if (result?.sent) {
    return (
      <section>
        <h1>Check your inbox</h1>
        <p>
          If <strong>{result.sent}</strong> is not subscribed to {writer.name} yet, a link to confirm is on its way. Nothing else is sent until you click it.
        </p>
        <p>
          <a href={`/${writer.handle}`}>Back to {writer.name}</a>
        </p>
      </section>
    );
  }
  return (
    <section>
      <h1>Subscribe to {writer.name}</h1>
      {result?.error ? (
        <p role="alert" className="error">
          {result.error}
        </p>
      ) : null}
      {viewer?.following ? (
        <div className="notice">
          <p>
            You follow {writer.name} with <code>{viewer.address}</code>. {writer.publication ? "Its" : "Their"} new essays appear on{" "}
            <a href="/following">your reading list</a>.
          </p>
          <form method="post">
            <input type="hidden" name="intent" value="unfollow" />
            <button type="submit">Unfollow</button>
          </form>
        </div>
      ) : viewer && !viewer.isWriter ? (
        <form method="post" className="notice">
          <input type="hidden" name="intent" value="follow" />
          <p>
            Follow with your wallet <code>{viewer.address}</code>: new essays appear on your reading list. You can add an email there too.
          </p>
          <button type="submit">Follow {writer.name}</button>
        </form>
      ) : null}
      <SubscribeForm handle={writer.handle} writerName={writer.name} wallet={viewer === null} publication={writer.publication} />
    </section>
  );
}
