import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { getDb } from "~/db.server";
import { requireWriter } from "~/modules/auth/session.server";
import { draftForEntry } from "~/modules/entries/read.server";
import { UserError } from "~/modules/errors.server";
import { assertSameOrigin } from "~/modules/http.server";
import { FORM_FIELDS } from "~/modules/body-limits";

/** The edit button's empty form. */
export const bodyLimits = FORM_FIELDS;

/** Opens the draft that edits a published entry (making it from the latest version if needed). */
export async function action({ request, params }: ActionFunctionArgs) {
  const writer = await requireWriter(request);
  try {
    assertSameOrigin(request);
    return redirect(`/drafts/${await draftForEntry(getDb(), writer.id, params.id ?? "")}`);
  } catch (error) {
    if (error instanceof UserError) throw new Response(error.message, { status: error.status });
    throw error;
  }
}
