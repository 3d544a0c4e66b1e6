import { data, redirect, type ActionFunctionArgs } from "@remix-run/node";
import { getDb } from "~/db.server";
import { requireWriter } from "~/modules/auth/session.server";
import { createDraft, draftFromMarkdown } from "~/modules/entries/drafts.server";
import { errorHeaders, UserError } from "~/modules/errors.server";
import { fileField, readForm } from "~/modules/forms.server";
import { assertSameOrigin } from "~/modules/http.server";
import { formWithFile } from "~/modules/request-body.server";

const MAX_MARKDOWN_BYTES = 1024 * 1024;

/** Nothing (a new empty draft) or a Markdown file. */
export const bodyLimits = formWithFile(MAX_MARKDOWN_BYTES);

/** A new draft: empty, or from an uploaded Markdown file. */
export async function action({ request }: ActionFunctionArgs) {
  const writer = await requireWriter(request);
  try {
    assertSameOrigin(request);
    const form = await readForm(request);
    const file = await fileField(form, "markdown");
    const text = file?.bytes.toString("utf8");
    if (text !== undefined && text.includes("\uFFFD")) throw new UserError("That file is not UTF-8 text.", 415);
    const draft = await createDraft(getDb(), writer.id, text === undefined ? {} : draftFromMarkdown(text));
    return redirect(`/drafts/${draft.id}`);
  } catch (error) {
    if (error instanceof UserError) return data({ error: error.message }, { status: error.status, headers: errorHeaders(error) });
    throw error;
  }
}

export const loader = () => redirect("/drafts");
