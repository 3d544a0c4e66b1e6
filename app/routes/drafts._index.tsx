import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { getDb } from "~/db.server";
import { requireWriter } from "~/modules/auth/session.server";
import { deleteDraft, listDrafts } from "~/modules/entries/drafts.server";
import { publicationsOf } from "~/modules/publications/publications.server";
import { writerName } from "~/modules/subscriptions/subscribers.server";
import { errorHeaders, UserError } from "~/modules/errors.server";
import { assertSameOrigin } from "~/modules/http.server";
import { readForm } from "~/modules/forms.server";
import { FORM_FIELDS } from "~/modules/body-limits";
import { PublicationOptions } from "~/components/PublicationOptions";

export const meta: MetaFunction = () => [{ title: "Drafts · Permanent Press" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const writer = await requireWriter(request);
  const db = getDb();
  const publications = await publicationsOf(db, writer);
  const drafts = await listDrafts(db, writer, publications);
  return {
    drafts: drafts.map((draft) => ({
      id: draft.id,
      title: draft.title,
      wordCount: draft.wordCount,
      updatedAt: draft.updatedAt.toISOString(),
      // Another member's draft, listed for the publication's editors and owner.
      author: draft.writerId === writer.id ? null : writerName(draft.writer),
      publication: draft.publication && writerName(draft.publication),
    })),
    publications: publications.map(({ publication }) => ({ id: publication.writerId, name: writerName(publication.account) })),
  };
}

export const bodyLimits = FORM_FIELDS;

export async function action({ request }: ActionFunctionArgs) {
  const writer = await requireWriter(request);
  try {
    assertSameOrigin(request);
    const form = await readForm(request);
    if (form.get("intent") !== "delete") throw new UserError("Unknown action.");
    await deleteDraft(getDb(), writer.id, String(form.get("id") ?? ""));
    return redirect("/drafts");
  } catch (error) {
    if (error instanceof UserError) return data({ error: error.message }, { status: error.status, headers: errorHeaders(error) });
    throw error;
  }
}

export default function Drafts() {
  const { drafts, publications } = useLoaderData<typeof loader>();
  // "Publish in": shown only to a writer who writes for a publication.
  const publishIn = publications.length ? (
    <label>
      Publish in{" "}
      <select name="publication" defaultValue="">
        <PublicationOptions publications={publications} own="My own page" />
      </select>
    </label>
  ) : null;
  const result = useActionData<typeof action>();
  return (
    <section>
      <h1>Drafts</h1>
      {result?.error ? (
        <p role="alert" className="error">
          {result.error}
        </p>
      ) : null}
      <div className="actions">
        <Form method="post" action="/drafts/new">
          {publishIn}
          <button type="submit">New draft</button>
        </Form>
        <Form method="post" action="/drafts/new" encType="multipart/form-data" className="import">
          <label>
            Import a Markdown file <input type="file" name="markdown" accept=".md,.markdown,text/markdown,text/plain" required />
          </label>
          {publishIn}
          <button type="submit">Import</button>
        </Form>
      </div>
      {drafts.length === 0 ? (
        <p className="muted">No drafts yet.</p>
      ) : (
        <ul className="draft-list">
          {drafts.map((draft) => (
            <li key={draft.id}>
              <a href={`/drafts/${draft.id}`}>{draft.title || "Untitled"}</a>{" "}
              <span className="muted">
                {draft.author ? `by ${draft.author} · ` : ""}
                {draft.publication ? `for ${draft.publication} · ` : ""}
                {draft.wordCount} words · saved {new Date(draft.updatedAt).toLocaleString("en-GB", { timeZone: "UTC" })} UTC
              </span>
              {draft.author ? null : (
                <Form method="post" className="inline" onSubmit={(event) => { if (!confirm(`Delete “${draft.title || "Untitled"}”? This cannot be undone.`)) event.preventDefault(); }}>
                  <input type="hidden" name="intent" value="delete" />
                  <input type="hidden" name="id" value={draft.id} />
                  <button type="submit" className="link danger" aria-label={`Delete ${draft.title || "Untitled"}`}>
                    Delete
                  </button>
                </Form>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
