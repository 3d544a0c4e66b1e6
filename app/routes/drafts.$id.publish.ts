import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { getDb } from "~/db.server";
import { getEnv } from "~/env.server";
import { requireWriterForApi } from "~/modules/auth/session.server";
import { preparePublication, publishDraft } from "~/modules/entries/publish.server";
import { UserError } from "~/modules/errors.server";
import { assertSameOrigin, readJson, userErrorResponse } from "~/modules/http.server";
import type { BodyLimits } from "~/modules/body-limits";

export const bodyLimits: BodyLimits = { json: 16 * 1024 };

const body = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("prepare") }),
  z.object({ intent: z.literal("publish"), revision: z.number().int(), timestamp: z.number().int(), signature: z.string() }),
]);

/**
 * Publishing in two steps: `prepare` answers the EIP-712 typed data of the entry the draft makes
 * now; `publish` takes the wallet's signature of it and publishes.
 */
export async function action({ request, params }: ActionFunctionArgs) {
  const writer = await requireWriterForApi(request);
  try {
    assertSameOrigin(request);
    if (!writer.handle) throw new UserError("Choose a handle in your profile before publishing: it is your essays' address.", 422);
    const parsed = body.safeParse(await readJson(request));
    if (!parsed.success) throw new UserError("Send {intent: 'prepare'} or {intent: 'publish', revision, timestamp, signature}.");
    const db = getDb();
    const draftId = params.id ?? "";
    if (parsed.data.intent === "prepare") return Response.json(await preparePublication(db, writer, draftId));
    const published = await publishDraft(db, getEnv(), writer, { draftId, ...parsed.data });
    return Response.json({ ...published, url: `/${published.handle}/${published.slug}` });
  } catch (error) {
    return userErrorResponse(error);
  }
}
