import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { getDb } from "~/db.server";
import { getEnv } from "~/env.server";
import { requireWriterForApi } from "~/modules/auth/session.server";
import { UserError } from "~/modules/errors.server";
import { assertSameOrigin, jsonWithBigints, readJson, userErrorResponse } from "~/modules/http.server";
import { preparePublicationRecord, savePublicationRecord } from "~/modules/publications/publications.server";
import type { BodyLimits } from "~/modules/body-limits";

export const bodyLimits: BodyLimits = { json: 16 * 1024 };

const profile = { handle: z.string(), name: z.string(), description: z.string() };
const body = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("prepare"), ...profile, publicationId: z.string().optional() }),
  z.object({ intent: z.literal("save"), ...profile, salt: z.string(), timestamp: z.number().int(), signature: z.string() }),
]);

/**
 * A publication's record in two steps, as publishing: `prepare` answers the EIP-712 typed data of
 * a new publication (or of a new record of the one named by `publicationId`); `save` takes the
 * owner's wallet signature of it and answers the publication's settings page.
 */
export async function action({ request }: ActionFunctionArgs) {
  const writer = await requireWriterForApi(request);
  try {
    assertSameOrigin(request);
    const parsed = body.safeParse(await readJson(request));
    if (!parsed.success) throw new UserError("Send {intent: 'prepare', handle, name, description} or {intent: 'save', handle, name, description, salt, timestamp, signature}.");
    const db = getDb();
    if (parsed.data.intent === "prepare") return jsonWithBigints(await preparePublicationRecord(db, writer, parsed.data));
    const saved = await savePublicationRecord(db, getEnv(), writer, parsed.data);
    return Response.json({ ...saved, url: `/settings/publications/${saved.id}` });
  } catch (error) {
    return userErrorResponse(error);
  }
}
