import type { ActionFunctionArgs } from "@remix-run/node";
import { getDb } from "~/db.server";
import { requireWriterForApi } from "~/modules/auth/session.server";
import { DraftConflict, saveDraft } from "~/modules/entries/drafts.server";

import { assertSameOrigin, readJson, userErrorResponse } from "~/modules/http.server";
import { MAX_DOCUMENT_BYTES, type BodyLimits } from "~/modules/body-limits";

/** A whole document at its limit, with the title and revision beside it. */
export const bodyLimits: BodyLimits = { json: MAX_DOCUMENT_BYTES + 64 * 1024 };

/**
 * Autosave: `{title, document, baseRevision, publicationId?}` in, `{revision}` out, 409 when another
 * tab saved first. `publicationId` is where the draft is to be published (null: the author's page).
 */
export async function action({ request, params }: ActionFunctionArgs) {
  const writer = await requireWriterForApi(request);
  try {
    assertSameOrigin(request);
    const body = (await readJson(request)) as Record<string, unknown> | null;
    const saved = await saveDraft(getDb(), writer.id, params.id ?? "", { title: body?.title, document: body?.document, baseRevision: body?.baseRevision, publicationId: body?.publicationId });
    return Response.json(saved);
  } catch (error) {
    return userErrorResponse(error, error instanceof DraftConflict ? { currentRevision: error.currentRevision } : {});
  }
}
