import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { getDb } from "~/db.server";
import { requireWriter } from "~/modules/auth/session.server";
import { createDraft, draftFromMarkdown } from "~/modules/entries/drafts.server";
import { fileField, readForm } from "~/modules/forms.server";
import { assertSameOrigin, userErrorResponse } from "~/modules/http.server";
import { formWithFile } from "~/modules/body-limits";
import { decodeUtf8 } from "~/modules/text.server";

const MAX_MARKDOWN_BYTES = 1024 * 1024;

/** Nothing (a new empty draft) or a Markdown file, and where it is to be published. */
export const bodyLimits = formWithFile(MAX_MARKDOWN_BYTES);

/** A new draft, empty or from an uploaded Markdown file, for the writer's own page or a publication ("publication"). */
export async function action({ request }: ActionFunctionArgs) {
  const writer = await requireWriter(request);
  try {
    assertSameOrigin(request);
    const form = await readForm(request);
    const file = await fileField(form, "markdown");
    const text = file && decodeUtf8(file.bytes, "That file");
    const publicationId = form.get("publication") ?? "";
    const draft = await createDraft(getDb(), writer.id, { ...(text === undefined ? {} : draftFromMarkdown(text)), publicationId });
    return redirect(`/drafts/${draft.id}`);
  } catch (error) {
    // A resource route: data() here would be answered 200 with the status inside the JSON.
    return userErrorResponse(error);
  }
}

export const loader = () => redirect("/drafts");
