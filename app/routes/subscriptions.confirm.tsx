import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { getDb } from "~/db.server";
import { getEnv } from "~/env.server";
import { errorHeaders, UserError } from "~/modules/errors.server";
import { assertSameOrigin } from "~/modules/http.server";
import { confirmSubscription, inspectConfirmation } from "~/modules/subscriptions/subscribers.server";
import { BrokenLink } from "~/components/BrokenLink";
import type { PageHandle } from "~/components/page-scripts";
import { readForm } from "~/modules/forms.server";
import { FORM_FIELDS } from "~/modules/body-limits";

/** A page of plain HTML and forms: it loads no client code. */
export const handle: PageHandle = { scripts: false };

export const meta: MetaFunction = () => [{ title: "Confirm your subscription · Permanent Press" }, { name: "robots", content: "noindex" }];

const refusal = (error: unknown) => {
  if (error instanceof UserError) return data({ error: error.message, subscription: null }, { status: error.status, headers: errorHeaders(error) });
  throw error;
};

/**
 * Opening the link only shows what it confirms: mail scanners open links, so the button does the
 * confirming. The button posts to the bare path, where this loader (run again after the action)
 * has nothing to inspect.
 */
export async function loader({ request }: LoaderFunctionArgs) {
  const token = new URL(request.url).searchParams.get("token");
  if (token === null) return { error: null, subscription: null };
  try {
    return { error: null, subscription: { token, ...(await inspectConfirmation(getDb(), getEnv(), token)) } };
  } catch (error) {
    return refusal(error);
  }
}

export const bodyLimits = FORM_FIELDS;

export async function action({ request }: ActionFunctionArgs) {
  try {
    assertSameOrigin(request);
    const token = String((await readForm(request)).get("token") ?? "");
    return { error: null, confirmed: await confirmSubscription(getDb(), getEnv(), token) };
  } catch (error) {
    return refusal(error);
  }
}

export default function Confirm() {
  const { error, subscription } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  if (result && "confirmed" in result && result.confirmed) {
    const { writer, email } = result.confirmed;
    return (
      <section>
        <h1>You're subscribed</h1>
        <p>
          New essays {writer.publication ? "in" : "by"} {writer.name} will arrive at <strong>{email}</strong>. Every message has a link to unsubscribe in one click.
        </p>
        {writer.handle ? <a href={`/${writer.handle}`}>Read {writer.name}</a> : null}
      </section>
    );
  }
  const message = result?.error ?? error;
  if (message) {
    return <BrokenLink reason={message} />;
  }
  if (!subscription) {
    return (
      <section>
        <h1>Confirm your subscription</h1>
        <p>Open the link in the confirmation message we sent you.</p>
      </section>
    );
  }
  return (
    <section>
      <h1>Confirm your subscription</h1>
      <p>
        Get new essays {subscription.writer.publication ? "in" : "by"} {subscription.writer.name} at <strong>{subscription.email}</strong>?
      </p>
      <form method="post" action="/subscriptions/confirm">
        <input type="hidden" name="token" value={subscription.token} />
        <button type="submit">Confirm subscription</button>
      </form>
    </section>
  );
}
