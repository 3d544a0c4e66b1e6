import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { useCallback, useRef, useState } from "react";
import { Editor, links as editorLinks } from "~/components/Editor";
import { PublishButton } from "~/components/PublishButton";
import { describeStatus, useAutosave } from "~/components/useAutosave";
import { getDb } from "~/db.server";
import { getEnv } from "~/env.server";
import { requireWriter } from "~/modules/auth/session.server";
import { getDraft } from "~/modules/entries/drafts.server";
import { publicationsOf } from "~/modules/publications/publications.server";
import { writerName } from "~/modules/subscriptions/subscribers.server";
import { arweaveImageIds } from "~/modules/entries/extensions";
import type { TiptapDocument } from "~/modules/entries/document.server";
import { UserError } from "~/modules/errors.server";
import { pendingImageUrls } from "~/modules/storage/uploads.server";
import { PublicationOptions } from "~/components/PublicationOptions";

export const links: LinksFunction = () => editorLinks;

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.draft.title || "Untitled"} · Draft · Permanent Press` }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const writer = await requireWriter(request);
  try {
    const db = getDb();
    const draft = await getDraft(db, writer.id, params.id ?? "");
    const mine = draft.writerId === writer.id;
    const author = mine ? null : await db.writer.findUniqueOrThrow({ where: { id: draft.writerId }, select: { handle: true, displayName: true, ensName: true, address: true } });
    // "Publish in": the publications the author writes for now, and the draft's own even if no longer one of them.
    const choices = mine ? (await publicationsOf(db, writer)).map(({ publication }) => publication.account) : [];
    const current = draft.publicationId && !choices.some((account) => account.id === draft.publicationId) ? await db.writer.findUnique({ where: { id: draft.publicationId } }) : null;
    return {
      draft: { id: draft.id, title: draft.title, document: draft.document, revision: draft.revision, editing: draft.entryId !== null, publicationId: draft.publicationId },
      author: author && writerName(author),
      publications: [...choices, ...(current ? [current] : [])].map((account) => ({ id: account.id, name: writerName(account) })),
      address: writer.address,
      gatewayUrl: getEnv().storage.gatewayUrl,
      pendingImages: await pendingImageUrls(db, writer.id, arweaveImageIds(draft.document)),
    };
  } catch (error) {
    if (error instanceof UserError) throw new Response(error.message, { status: error.status });
    throw error;
  }
}

/** Uploads an image; one the gateway does not serve yet comes with the press's URL for it meanwhile. */
async function uploadImageFile(file: File): Promise<{ id: string; url?: string }> {
  const form = new FormData();
  form.set("file", file);
  const response = await fetch("/uploads/images", { method: "POST", body: form });
  const body = (await response.json().catch(() => ({}))) as { id?: string; status?: string; url?: string; error?: string };
  if (!response.ok || !body.id) throw new Error(body.error ?? `The upload failed (${response.status}).`);
  return { id: body.id, url: body.status === "pending" ? body.url : undefined };
}

export default function DraftEditor() {
  const { draft, author, publications, address, gatewayUrl, pendingImages } = useLoaderData<typeof loader>();
  const autosave = useAutosave<{ title: string; document: TiptapDocument; publicationId: string | null }>(`/drafts/${draft.id}/save`, draft.revision);
  const { change } = autosave;
  // Where to publish is saved with the text, so a publication signed for is the one saved.
  const [publicationId, setPublicationId] = useState(draft.publicationId);
  const text = useRef({ title: draft.title, document: draft.document });
  const onChange = useCallback(
    (state: { title: string; document: TiptapDocument }) => {
      text.current = { title: state.title, document: state.document };
      change({ ...text.current, publicationId });
    },
    [change, publicationId],
  );
  const choose = (value: string) => {
    setPublicationId(value || null);
    change({ ...text.current, publicationId: value || null });
  };
  const trouble = autosave.status.kind === "conflict" || autosave.status.kind === "refused" || autosave.status.kind === "offline";
  return (
    <section className="draft">
      <div className="draft-bar">
        <a href="/drafts">← Drafts</a>
        <span role="status" data-testid="save-status" data-state={autosave.status.kind} className={trouble ? "error" : "muted"}>
          {describeStatus(autosave.status)}
        </span>
        {author ? <span className="muted">by {author}</span> : null}
        {publications.length ? (
          <label>
            Publish in{" "}
            <select value={publicationId ?? ""} onChange={(event) => choose(event.target.value)} disabled={author !== null || draft.editing}>
              <PublicationOptions publications={publications} own={author ? "The author's own page" : "My own page"} />
            </select>
          </label>
        ) : null}
        <a href={`/drafts/${draft.id}/markdown`} download>
          Export Markdown
        </a>
        <PublishButton draftId={draft.id} address={address} editing={draft.editing} beforePublish={autosave.flush} />
      </div>
      <Editor initialTitle={draft.title} initialDocument={draft.document} gatewayUrl={gatewayUrl} pendingImages={pendingImages} onChange={onChange} onUploadImage={uploadImageFile} />
    </section>
  );
}
