import type { ActionFunctionArgs } from "@remix-run/node";
import { getDb } from "~/db.server";
import { getEnv } from "~/env.server";
import { requireWriterForApi } from "~/modules/auth/session.server";
import { UserError } from "~/modules/errors.server";
import { fileField, readForm } from "~/modules/forms.server";
import { assertSameOrigin, userErrorResponse } from "~/modules/http.server";
import { uploadImage } from "~/modules/storage/uploads.server";
import { FORM_BYTES, MAX_IMAGE_BYTES, type BodyLimits } from "~/modules/body-limits";

export const bodyLimits: BodyLimits = { multipart: MAX_IMAGE_BYTES + FORM_BYTES };

/**
 * An image for an essay: multipart field `file` in; out, `{id, contentType, status, url}`: the
 * Arweave id, `pending` until the gateway serves it (the worker uploads it) or `confirmed`, and a
 * URL that shows it now (the press's own while pending, the gateway's once confirmed).
 */
export async function action({ request }: ActionFunctionArgs) {
  const writer = await requireWriterForApi(request);
  try {
    assertSameOrigin(request);
    const file = await fileField(await readForm(request), "file");
    if (!file) throw new UserError("Choose an image to upload.");
    return Response.json(await uploadImage(getDb(), getEnv(), writer, file));
  } catch (error) {
    return userErrorResponse(error);
  }
}
