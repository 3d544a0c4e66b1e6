import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { getDb } from "~/db.server";
import { getEnv } from "~/env.server";
import { errorHeaders, UserError } from "~/modules/errors.server";
import { assertSameOrigin } from "~/modules/http.server";
import { resubscribe, subscriptionForToken, unsubscribe } from "~/modules/subscriptions/subscribers.server";
import { BrokenLink } from "~/components/BrokenLink";
import type { PageHandle } from "~/components/page-scripts";
import { readForm } from "~/modules/forms.server";
import { FORM_FIELDS } from "~/modules/body-limits";

/** A page of plain HTML and forms: it loads no client code. */
export const handle: PageHandle = { scripts: false };

export const meta: MetaFunction = () => [{ title: "Subscription preferences · Permanent Press" }, { name: "robots", content: "noindex" }];

const tokenOf = (request: Request) => new URL(request.url).searchParams.get("token") ?? "";

const STATUS: Record<string, string> = {
  confirmed: "subscribed",
  pending: "waiting for you to confirm",
  unsubscribed: "unsubscribed",
  bounced: "stopped: messages to this address came back",
};

/** The preferences page of a subscription, reached from the link in every message: no sign-in needed. */
export async function loader({ request }: LoaderFunctionArgs) {
  const token = tokenOf(request);
  try {
    const subscription = await subscriptionForToken(getDb(), getEnv(), token);
    return { error: null, subscription: { ...subscription, token, statusText: STATUS[subscription.status] ?? subscription.status } };
  } catch (error) {
    if (error instanceof UserError) return data({ error: error.message, subscription: null }, { status: error.status, headers: errorHeaders(error) });
    throw error;
  }
}

export const bodyLimits = FORM_FIELDS;

export async function action({ request }: ActionFunctionArgs) {
  try {
    assertSameOrigin(request);
    const intent = (await readForm(request)).get("intent");
    if (intent === "leave") await unsubscribe(getDb(), getEnv(), tokenOf(request));
    else if (intent === "return") await resubscribe(getDb(), getEnv(), tokenOf(request));
    else throw new UserError("Unknown action.");
    return null;
  } catch (error) {
    if (error instanceof UserError) return data({ error: error.message }, { status: error.status, headers: errorHeaders(error) });
    throw error;
  }
}

export default function Preferences() {
  const { error, subscription } = useLoaderData<typeof loader>();
  if (error || !subscription) {
    return <BrokenLink reason={error} />;
  }
  const active = subscription.status === "confirmed" || subscription.status === "pending";
  return (
    <section>
      <h1>Your subscription to {subscription.writer.name}</h1>
      <dl className="facts">
        {subscription.email ? (
          <>
            <dt>Email</dt>
            <dd>{subscription.email}</dd>
          </>
        ) : null}
        {subscription.wallet ? (
          <>
            <dt>Wallet</dt>
            <dd>
              <code>{subscription.wallet}</code>
            </dd>
          </>
        ) : null}
        <dt>Status</dt>
        <dd data-testid="status">{subscription.statusText}</dd>
      </dl>
      <form method="post">
        <input type="hidden" name="intent" value={active ? "leave" : "return"} />
        <button type="submit">{active ? "Unsubscribe" : "Subscribe again"}</button>
      </form>
    </section>
  );
}
