import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { getEnv } from "~/env.server";
import { destroySession } from "~/modules/auth/session.server";
import { assertSameOrigin } from "~/modules/http.server";
import { FORM_FIELDS } from "~/modules/body-limits";

/** The sign-out button's empty form. */
export const bodyLimits = FORM_FIELDS;

export async function action({ request }: ActionFunctionArgs) {
  assertSameOrigin(request);
  const headers = new Headers({ "set-cookie": await destroySession(request) });
  // The development account chosen at sign-in lives in the browser's storage (app/components/dev-wallet.ts):
  // signing out forgets it, on every page, with no script needed.
  if (getEnv().devChain) headers.set("clear-site-data", '"storage"');
  return redirect("/", { headers });
}

export const loader = () => redirect("/");
