import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { getDb } from "~/db.server";
import { getEnv } from "~/env.server";
import { collectCall } from "~/modules/editions/editions.server";
import { UserError } from "~/modules/errors.server";
import { assertSameOrigin, readJson, userErrorResponse } from "~/modules/http.server";
import type { BodyLimits } from "~/modules/body-limits";

export const bodyLimits: BodyLimits = { json: 8 * 1024 };

const body = z.object({
  collector: z.string(),
  message: z.string().default(""),
  quantity: z.number().int().default(1),
  // From a `?ref=` link; an empty one means none.
  referrer: z.string().max(64).optional().transform((value) => value || undefined),
});

/** The collect transaction for a reader's wallet, checked against the chain before the wallet opens. */
export async function action({ request, params }: ActionFunctionArgs) {
  try {
    assertSameOrigin(request);
    const parsed = body.safeParse(await readJson(request));
    if (!parsed.success) throw new UserError("Send {collector, message, quantity, referrer}.");
    return Response.json(await collectCall(getDb(), getEnv(), params.id ?? "", parsed.data));
  } catch (error) {
    return userErrorResponse(error);
  }
}
