import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { getDb } from "~/db.server";
import { getEnv } from "~/env.server";
import { requireWriterForApi } from "~/modules/auth/session.server";
import { confirmEdition, prepareEdition } from "~/modules/editions/editions.server";
import { UserError } from "~/modules/errors.server";
import { assertSameOrigin, jsonWithBigints, readJson, userErrorResponse } from "~/modules/http.server";
import type { BodyLimits } from "~/modules/body-limits";

/**
 * Making an entry an edition, for the writer's page: `prepare` queues the cover and metadata for
 * Arweave and answers their ids, whether they are stored yet, the create call and the typed data;
 * `confirm` records the sent transaction or the signature.
 */
const body = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("prepare"), terms: z.object({ price: z.string(), supply: z.string(), royaltyPercent: z.string(), referralPercent: z.string().optional(), fundingRecipient: z.string() }) }),
  z.object({
    intent: z.literal("confirm"),
    editionId: z.string(),
    confirmation: z.discriminatedUnion("mode", [z.object({ mode: z.literal("direct"), txHash: z.string() }), z.object({ mode: z.literal("lazy"), signature: z.string() })]),
  }),
]);

export const bodyLimits: BodyLimits = { json: 16 * 1024 };

export async function action({ request, params }: ActionFunctionArgs) {
  const writer = await requireWriterForApi(request);
  try {
    assertSameOrigin(request);
    const parsed = body.safeParse(await readJson(request));
    if (!parsed.success) throw new UserError("Send {intent: 'prepare', terms} or {intent: 'confirm', editionId, confirmation: {mode, txHash | signature}}.");
    const db = getDb();
    if (parsed.data.intent === "prepare") {
      return jsonWithBigints(await prepareEdition(db, getEnv(), writer, params.id ?? "", parsed.data.terms));
    }
    const edition = await confirmEdition(db, getEnv(), writer, parsed.data.editionId, parsed.data.confirmation);
    return Response.json({ status: edition.status, address: edition.address });
  } catch (error) {
    return userErrorResponse(error);
  }
}

