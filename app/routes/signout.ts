import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { destroySession } from "~/modules/auth/session.server";
import { assertSameOrigin } from "~/modules/http.server";

export async function action({ request }: ActionFunctionArgs) {
  assertSameOrigin(request);
  return redirect("/", { headers: { "set-cookie": await destroySession(request) } });
}

export const loader = () => redirect("/");
