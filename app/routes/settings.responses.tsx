import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { longDate } from "~/components/dates";
import { ResponseByline } from "~/components/ResponseByline";
import type { PageHandle } from "~/components/page-scripts";
import { getDb } from "~/db.server";
import { getEnv } from "~/env.server";
import { requireWriter } from "~/modules/auth/session.server";
import { FORM_FIELDS } from "~/modules/body-limits";
import { errorHeaders, UserError } from "~/modules/errors.server";
import { RESPONSE_STATUSES, type ResponseStatus } from "~/modules/federation/response-statuses";
import { blockAuthor, listBlocks, listResponses, setResponseStatus, unblock } from "~/modules/federation/responses.server";
import { readForm } from "~/modules/forms.server";
import { assertSameOrigin } from "~/modules/http.server";

/** A page of plain HTML and forms: it loads no client code. */
export const handle: PageHandle = { scripts: false };

export const meta: MetaFunction = () => [{ title: "Responses · Permanent Press" }];

/** A choice and the id of the reply or block it is about. */
export const bodyLimits = FORM_FIELDS;

const TAB: Record<ResponseStatus, string> = { pending: "Waiting", approved: "Approved", hidden: "Hidden" };

/** The list shown, from the query: a known status and a page number, or the first page of those waiting. */
function shownList(url: URL) {
  const asked = url.searchParams.get("status");
  const status: ResponseStatus = RESPONSE_STATUSES.includes(asked as ResponseStatus) ? (asked as ResponseStatus) : "pending";
  const page = /^\d{1,6}$/.test(url.searchParams.get("page") ?? "") ? Math.max(1, Number(url.searchParams.get("page"))) : 1;
  return { status, page };
}

const listPath = (list: { status: ResponseStatus; page: number }) => `/settings/responses?${new URLSearchParams({ status: list.status, ...(list.page > 1 ? { page: String(list.page) } : {}) })}`;

export async function loader({ request }: LoaderFunctionArgs) {
  const writer = await requireWriter(request);
  const db = getDb();
  const [list, blocks] = await Promise.all([listResponses(db, writer, shownList(new URL(request.url))), listBlocks(db, writer.id)]);
  return {
    list: { ...list, rows: list.rows.map((row) => ({ ...row, publishedAt: row.publishedAt.toISOString() })) },
    blocks: blocks.map((block) => ({ ...block, since: block.since.toISOString() })),
  };
}

const choiceSchema = z.object({
  intent: z.enum(["approve", "hide", "block-actor", "block-instance", "unblock"], { error: "Choose what to do with the reply." }),
  id: z.string({ error: "The form names no reply: send it again from the page." }).min(1, "The form names no reply: send it again from the page.").max(2048, "That is not a reply of this page."),
});

/** Approves, hides or blocks the author of one reply to the writer's entries, or lifts a block; then back to the list it was sent from. */
export async function action({ request }: ActionFunctionArgs) {
  const writer = await requireWriter(request);
  try {
    assertSameOrigin(request);
    const choice = choiceSchema.safeParse(Object.fromEntries(await readForm(request)));
    if (!choice.success) throw new UserError(choice.error.issues[0]!.message);
    const { intent, id } = choice.data;
    const db = getDb();
    if (intent === "approve") await setResponseStatus(db, writer.id, id, "approved");
    else if (intent === "hide") await setResponseStatus(db, writer.id, id, "hidden");
    else if (intent === "block-actor") await blockAuthor(db, getEnv(), writer.id, id, "actor");
    else if (intent === "block-instance") await blockAuthor(db, getEnv(), writer.id, id, "instance");
    else await unblock(db, writer.id, id);
    return redirect(listPath(shownList(new URL(request.url))), 303);
  } catch (error) {
    if (error instanceof UserError) return data({ error: error.message }, { status: error.status, headers: errorHeaders(error) });
    throw error;
  }
}

export default function Responses() {
  const { list, blocks } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const here = listPath(list);
  return (
    <section>
      <h1>Responses</h1>
      <p className="muted">
        Replies to your entries, and to every entry in the publications you own, from the social web (Mastodon and its kin). Readers see only the
        ones approved, under the entry they answer. Blocking an account or a whole server hides its replies, removes it from the followers of
        your account and of your publications, and turns away whatever it sends next.
      </p>
      {result?.error ? (
        <p role="alert" className="error">
          {result.error}
        </p>
      ) : null}
      <ul className="tabs" data-testid="response-counts">
        {RESPONSE_STATUSES.map((status) => (
          <li key={status}>
            <a href={listPath({ status, page: 1 })} aria-current={status === list.status ? "page" : undefined}>
              {TAB[status]} <strong data-status={status}>{list.counts[status]}</strong>
            </a>
          </li>
        ))}
      </ul>
      {list.rows.length === 0 ? (
        <p>{list.status === "pending" ? "No reply waits for you." : `No ${TAB[list.status].toLowerCase()} replies.`}</p>
      ) : (
        <ol className="moderation" data-testid="responses">
          {list.rows.map((r) => (
            <li key={r.id} data-testid="moderated-response" data-status={r.status}>
              <p className="response-meta muted">
                On {r.entry?.path ? <a href={r.entry.path}>{r.entry.title}</a> : (r.entry?.title ?? "an entry no longer published")}
              </p>
              <ResponseByline author={r.author} url={r.url} publishedAt={r.publishedAt}>
                {r.blocked ? <span className="error"> · {r.blocked === "actor" ? "account blocked" : "server blocked"}</span> : null}
              </ResponseByline>
              <div className="response-body" dangerouslySetInnerHTML={{ __html: r.html }} />
              {r.status === "hidden" && r.blocked ? null : (
              <form method="post" action={here}>
                <input type="hidden" name="id" value={r.id} />
                {r.status !== "approved" && !r.blocked ? (
                  <button type="submit" name="intent" value="approve">
                    {r.status === "hidden" ? "Un-hide" : "Approve"}
                  </button>
                ) : null}
                {r.status !== "hidden" ? (
                  <button type="submit" name="intent" value="hide">
                    Hide
                  </button>
                ) : null}
                {r.blocked ? null : (
                  <>
                    <button type="submit" name="intent" value="block-actor" className="danger">
                      Block account
                    </button>
                    <button type="submit" name="intent" value="block-instance" className="danger">
                      Block server
                    </button>
                  </>
                )}
              </form>
              )}
            </li>
          ))}
        </ol>
      )}
      {list.pages > 1 ? (
        <p className="muted">
          page {list.page} of {list.pages} {list.page > 1 ? <a href={listPath({ status: list.status, page: list.page - 1 })}>previous</a> : null}{" "}
          {list.page < list.pages ? <a href={listPath({ status: list.status, page: list.page + 1 })}>next</a> : null}
        </p>
      ) : null}

      <h2>Blocked</h2>
      {blocks.length === 0 ? (
        <p className="muted">You have blocked no one.</p>
      ) : (
        <ul className="draft-list" data-testid="blocks">
          {blocks.map((block) => (
            <li key={block.id} data-kind={block.kind}>
              <span>
                {block.kind === "actor" ? "Account " : "Server "}
                {block.profileUrl ? (
                  <a href={block.profileUrl} rel="nofollow ugc noopener">
                    {block.label}
                  </a>
                ) : (
                  <strong>{block.label}</strong>
                )}{" "}
                <span className="muted">since {longDate(block.since)}</span>
              </span>
              <form method="post" action={here} className="inline">
                <input type="hidden" name="id" value={block.id} />
                <button type="submit" name="intent" value="unblock">
                  Unblock
                </button>
              </form>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
