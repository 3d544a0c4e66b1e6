import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { getDb } from "~/db.server";
import { requireWriter } from "~/modules/auth/session.server";
import { reviewImport } from "~/modules/entries/import-review.server";
import { UserError } from "~/modules/errors.server";
import { readForm } from "~/modules/forms.server";
import { assertSameOrigin } from "~/modules/http.server";
import { FORM_FIELDS } from "~/modules/body-limits";

const choiceSchema = z.object({ intent: z.enum(["accept", "discard"], { error: "Choose to accept or discard the entry." }) });

export const bodyLimits = FORM_FIELDS;

/** Accepts or discards one of the signed-in writer's imports held for review, then back to the list. */
export async function action({ request, params }: ActionFunctionArgs) {
  const writer = await requireWriter(request);
  try {
    assertSameOrigin(request);
    const choice = choiceSchema.safeParse(Object.fromEntries(await readForm(request)));
    if (!choice.success) throw new UserError(choice.error.issues[0]!.message);
    await reviewImport(getDb(), writer.id, params.digest ?? "", choice.data.intent);
    return redirect("/settings/imports", 303);
  } catch (error) {
    if (error instanceof UserError) throw new Response(error.message, { status: error.status });
    throw error;
  }
}
