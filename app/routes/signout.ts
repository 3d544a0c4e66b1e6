import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { destroySession } from "~/modules/auth/session.server";
import { assertSameOrigin } from "~/modules/http.server";
import { FORM_FIELDS } from "~/modules/body-limits";

/** The sign-out button's empty form. */
export const bodyLimits = FORM_FIELDS;

export async function action({ request }: ActionFunctionArgs) {
  assertSameOrigin(request);
  return redirect("/", { headers: { "set-cookie": await destroySession(request) } });
}

export const loader = () => redirect("/");
