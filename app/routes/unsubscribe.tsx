import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { getDb } from "~/db.server";
import { getEnv } from "~/env.server";
import { errorHeaders, UserError } from "~/modules/errors.server";
import { subscriptionForToken, unsubscribe } from "~/modules/subscriptions/subscribers.server";
import { BrokenLink } from "~/components/BrokenLink";
import type { PageHandle } from "~/components/page-scripts";
import { FORM_BYTES, FORM_FIELDS } from "~/modules/body-limits";

/** A page of plain HTML and forms: it loads no client code. */
export const handle: PageHandle = { scripts: false };

export const meta: MetaFunction = () => [{ title: "Unsubscribe · Permanent Press" }, { name: "robots", content: "noindex" }];

const tokenOf = (request: Request) => new URL(request.url).searchParams.get("token") ?? "";

const refusal = (error: unknown) => {
  if (error instanceof UserError) return data({ error: error.message, subscription: null }, { status: error.status, headers: errorHeaders(error) });
  throw error;
};

/** The link in a message's body: a page with one button. Opening it changes nothing, since link scanners open links. */
export async function loader({ request }: LoaderFunctionArgs) {
  const token = tokenOf(request);
  try {
    const subscription = await subscriptionForToken(getDb(), getEnv(), token);
    return { error: null, subscription: { ...subscription, token } };
  } catch (error) {
    return refusal(error);
  }
}

/**
 * One-click unsubscribing posts `List-Unsubscribe=One-Click` as a form (RFC 8058), and some mail
 * clients as plain text; the action reads only the URL, and none of them must fail.
 */
export const bodyLimits = { ...FORM_FIELDS, text: FORM_BYTES };

/**
 * Unsubscribes at once. This is also the List-Unsubscribe URL: mail clients POST
 * `List-Unsubscribe=One-Click` to it without cookies (RFC 8058), so the token in the URL is all
 * it takes and no origin is checked.
 */
export async function action({ request }: ActionFunctionArgs) {
  const token = tokenOf(request);
  try {
    const subscription = await unsubscribe(getDb(), getEnv(), token);
    return { error: null, subscription: { ...subscription, token } };
  } catch (error) {
    return refusal(error);
  }
}

export default function Unsubscribe() {
  const loaded = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const { error, subscription } = result ?? loaded;
  if (error || !subscription) {
    return <BrokenLink reason={error} />;
  }
  const who = subscription.email ?? subscription.wallet;
  const preferences = `/subscriptions/preferences?token=${encodeURIComponent(subscription.token)}`;
  if (subscription.status === "unsubscribed") {
    return (
      <section>
        <h1>You're unsubscribed</h1>
        <p>
          {who} gets nothing more from {subscription.writer.name}. Changed your mind? <a href={preferences}>Subscribe again</a>.
        </p>
      </section>
    );
  }
  return (
    <section>
      <h1>Unsubscribe from {subscription.writer.name}?</h1>
      <p>{who} will get nothing more from them.</p>
      <form method="post" action={`/unsubscribe?token=${encodeURIComponent(subscription.token)}`}>
        <button type="submit">Unsubscribe</button>
      </form>
    </section>
  );
}
