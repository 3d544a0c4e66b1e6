import type { LoaderFunctionArgs } from "@remix-run/node";
import { getDb } from "~/db.server";
import { requireWriter } from "~/modules/auth/session.server";
import { draftToMarkdown, getDraft, slugify } from "~/modules/entries/drafts.server";
import { userErrorResponse } from "~/modules/http.server";

/** A draft as a Markdown file download. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const writer = await requireWriter(request);
  try {
    const draft = await getDraft(getDb(), writer.id, params.id ?? "");
    return new Response(draftToMarkdown(draft), {
      headers: {
        "content-type": "text/markdown; charset=utf-8",
        "content-disposition": `attachment; filename="${slugify(draft.title)}.md"`,
        "cache-control": "private, no-store",
      },
    });
  } catch (error) {
    return userErrorResponse(error);
  }
}
