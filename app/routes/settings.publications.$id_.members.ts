import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { getDb } from "~/db.server";
import { getEnv } from "~/env.server";
import { requireWriterForApi } from "~/modules/auth/session.server";
import { UserError } from "~/modules/errors.server";
import { assertSameOrigin, jsonWithBigints, readJson, userErrorResponse } from "~/modules/http.server";
import { prepareMembership, saveMembership } from "~/modules/publications/publications.server";
import type { BodyLimits } from "~/modules/body-limits";

export const bodyLimits: BodyLimits = { json: 4 * 1024 };

// Member, role and time are checked by the domain, which names what is wrong with each.
const body = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("prepare"), member: z.unknown(), role: z.unknown(), from: z.unknown().optional() }),
  z.object({ intent: z.literal("save"), member: z.unknown(), role: z.unknown(), from: z.unknown(), signature: z.unknown() }),
]);

/**
 * Granting or revoking a role in two steps: `prepare` answers the EIP-712 typed data of the
 * membership record; `save` takes the owner's wallet signature of it and stores it.
 */
export async function action({ request, params }: ActionFunctionArgs) {
  const writer = await requireWriterForApi(request);
  try {
    assertSameOrigin(request);
    const parsed = body.safeParse(await readJson(request));
    if (!parsed.success) throw new UserError("Send {intent: 'prepare', member, role, from?} or {intent: 'save', member, role, from, signature}.");
    const db = getDb();
    const accountId = params.id ?? "";
    if (parsed.data.intent === "prepare") return jsonWithBigints(await prepareMembership(db, writer, accountId, parsed.data));
    const saved = await saveMembership(db, getEnv(), writer, accountId, parsed.data);
    return Response.json({ member: saved.member, role: saved.role, from: saved.from, arweaveId: saved.arweaveId });
  } catch (error) {
    return userErrorResponse(error);
  }
}
