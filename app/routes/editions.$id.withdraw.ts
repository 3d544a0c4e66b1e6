import type { ActionFunctionArgs } from "@remix-run/node";
import { getDb } from "~/db.server";
import { requireWriterForApi } from "~/modules/auth/session.server";
import { withdrawCall } from "~/modules/editions/editions.server";
import { assertSameOrigin, userErrorResponse } from "~/modules/http.server";
import type { BodyLimits } from "~/modules/body-limits";

/** The page script posts an empty JSON object. */
export const bodyLimits: BodyLimits = { json: 1024 };

/** The withdraw transaction of an edition, for its writer's wallet, with each payee's share of it. */
export async function action({ request, params }: ActionFunctionArgs) {
  await requireWriterForApi(request);
  try {
    assertSameOrigin(request);
    return Response.json(await withdrawCall(getDb(), params.id ?? ""));
  } catch (error) {
    return userErrorResponse(error);
  }
}
