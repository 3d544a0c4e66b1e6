import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { getDb } from "~/db.server";
import { getEnv } from "~/env.server";
import { errorHeaders, UserError } from "~/modules/errors.server";
import { fileField, readForm } from "~/modules/forms.server";
import { assertSameOrigin } from "~/modules/http.server";
import { decodeUtf8 } from "~/modules/text.server";
import { ImportRefused, importSubscribers } from "~/modules/subscriptions/csv.server";
import { newsletterStats } from "~/modules/newsletters/newsletters.server";
import { formWithFile } from "~/modules/body-limits";
import { STATUSES } from "~/modules/subscriptions/statuses";
import { managedPublications, requireList } from "~/modules/subscriptions/lists.server";
import { audience, writerName } from "~/modules/subscriptions/subscribers.server";
import { listFollowers, removeFollower } from "~/modules/federation/followers.server";

export const meta: MetaFunction = () => [{ title: "Subscribers · Permanent Press" }];

const MAX_CSV_BYTES = 10 * 1024 * 1024;

/** A CSV of subscribers and the consent box; or the follower to remove. */
export const bodyLimits = formWithFile(MAX_CSV_BYTES);

/** The page of followers asked for (`?followers=N`). */
const followersPage = (url: URL) => (/^\d{1,6}$/.test(url.searchParams.get("followers") ?? "") ? Math.max(1, Number(url.searchParams.get("followers"))) : 1);

export async function loader({ request }: LoaderFunctionArgs) {
  const { writer, list: owner, query } = await requireList(request);
  const params = new URL(request.url).searchParams;
  const db = getDb();
  const [list, newsletters, followers, publications] = await Promise.all([
    audience(db, owner.id, { q: params.get("q") ?? undefined, status: params.get("status") ?? undefined, page: Number(params.get("page") ?? 1) || 1 }),
    newsletterStats(db, owner.id),
    listFollowers(db, owner.id, followersPage(new URL(request.url))),
    managedPublications(db, writer),
  ]);
  return {
    list: { ...list, rows: list.rows.map((r) => ({ ...r, date: r.date.toISOString() })) },
    newsletters: newsletters.map((n) => ({ ...n, createdAt: n.createdAt.toISOString() })),
    followers: { ...followers, rows: followers.rows.map((f) => ({ ...f, since: f.since.toISOString() })) },
    query,
    publication: owner.id === writer.id ? null : { name: writerName(owner) },
    publications,
    handle: owner.handle,
    // How people on the social web find the writer: @handle@host.
    fediHost: new URL(getEnv().publicUrl).host,
  };
}

/**
 * Imports a CSV of subscribers (all rows or none, problems listed by line), or removes a follower
 * on the social web and goes back to the followers.
 */
export async function action({ request }: ActionFunctionArgs) {
  const { list, query } = await requireList(request);
  let about: "import" | "followers" = "import";
  try {
    assertSameOrigin(request);
    const form = await readForm(request);
    if (form.get("intent") === "remove-follower") {
      about = "followers";
      const page = followersPage(new URL(request.url));
      await removeFollower(getDb(), getEnv(), list.id, String(form.get("follower") ?? ""));
      return redirect(`/settings/subscribers${listHref(query, page > 1 ? { followers: String(page) } : {})}#followers`, 303);
    }
    const file = await fileField(form, "file");
    if (!file) throw new UserError("Choose a CSV file to import.");
    const imported = await importSubscribers(getDb(), getEnv(), list, decodeUtf8(file.bytes, "That file"), { consent: form.get("consent") === "yes" });
    return { imported, error: null, problems: [] as string[], about };
  } catch (error) {
    if (error instanceof UserError) {
      return data({ imported: null, error: error.message, problems: error instanceof ImportRefused ? error.shown : [], about }, { status: error.status, headers: errorHeaders(error) });
    }
    throw error;
  }
}

/** A link's query: the list chosen (if a publication's) and `params`. */
function listHref(list: { publication?: string }, params: Record<string, string> = {}) {
  const query = new URLSearchParams({ ...list, ...params }).toString();
  return query ? `?${query}` : "";
}

const date = (iso: string) => new Date(iso).toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });

export default function Subscribers() {
  const { list, newsletters, followers, handle, fediHost, query, publication, publications } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const pageLink = (page: number) => listHref(query, { ...(list.q ? { q: list.q } : {}), ...(list.status ? { status: list.status } : {}), page: String(page) });
  const here = `/settings/subscribers${listHref(query)}`;
  return (
    <section>
      <h1>Subscribers{publication ? ` of ${publication.name}` : ""}</h1>
      {publications.length > 0 ? (
        <nav className="actions" aria-label="Lists" data-testid="lists">
          {publication ? <a href="/settings/subscribers">Your own list</a> : <strong>Your own list</strong>}
          {publications.map((p) =>
            query.publication === p.id ? (
              <strong key={p.id}>{p.name}</strong>
            ) : (
              <a key={p.id} href={`/settings/subscribers${listHref({ publication: p.id })}`}>
                {p.name}
              </a>
            ),
          )}
        </nav>
      ) : null}
      {handle || publication ? null : <p className="notice">Choose a handle in your profile: readers subscribe on your page.</p>}
      <ul className="counts" data-testid="counts">
        {STATUSES.map((status) => (
          <li key={status}>
            <a href={listHref(query, { status })}>
              <strong data-status={status}>{list.counts[status]}</strong> {status}
            </a>
          </li>
        ))}
        <li>
          <a href="#followers">
            <strong data-status="social">{followers.total}</strong> on the social web
          </a>
        </li>
      </ul>

      <h2>Newsletters</h2>
      {newsletters.length === 0 ? (
        <p className="muted">
          {publication ? `Each entry published in ${publication.name} is sent to its confirmed email subscribers.` : "Each entry you publish is sent to your confirmed email subscribers."}
        </p>
      ) : (
        <table data-testid="newsletters">
          <thead>
            <tr>
              <th>Entry</th>
              <th>Sent</th>
              <th>Failed</th>
              <th>Pending</th>
            </tr>
          </thead>
          <tbody>
            {newsletters.map((n) => (
              <tr key={n.id} data-newsletter={n.slug}>
                <td>
                  <a href={`/${handle}/${n.slug}`}>{n.title}</a> <span className="muted">{date(n.createdAt)}</span>
                </td>
                <td data-count="sent">{n.sent}</td>
                <td data-count="failed">{n.failed}</td>
                <td data-count="pending">{n.status === "queued" ? "preparing" : n.pending}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <h2>{publication ? `${publication.name}'s list` : "Your list"}</h2>
      <form method="get" className="actions">
        {query.publication ? <input type="hidden" name="publication" value={query.publication} /> : null}
        <label>
          Search <input type="search" name="q" defaultValue={list.q} placeholder="email or wallet" />
        </label>
        <label>
          Status{" "}
          <select name="status" defaultValue={list.status ?? ""}>
            <option value="">all</option>
            {STATUSES.map((status) => (
              <option key={status}>{status}</option>
            ))}
          </select>
        </label>
        <button type="submit">Show</button>
        <a href={`/settings/subscribers.csv${listHref(query)}`} download>
          Export confirmed subscribers (CSV)
        </a>
      </form>
      <table data-testid="subscribers">
        <thead>
          <tr>
            <th>Email or wallet</th>
            <th>Status</th>
            <th>Since</th>
          </tr>
        </thead>
        <tbody>
          {list.rows.map((r) => (
            <tr key={r.id}>
              <td>
                {r.email ?? ""}
                {r.email && r.wallet ? <br /> : null}
                {r.wallet ? <code>{r.wallet}</code> : null}
              </td>
              <td>{r.status}</td>
              <td>{date(r.date)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted">
        {list.matching} matching · page {list.page} of {list.pages} {list.page > 1 ? <a href={pageLink(list.page - 1)}>previous</a> : null}{" "}
        {list.page < list.pages ? <a href={pageLink(list.page + 1)}>next</a> : null}
      </p>

      <h2 id="followers">On the social web</h2>
      <p className="muted">
        People on Mastodon and other servers of the social web follow {publication ? publication.name : "you"} as{" "}
        {handle ? <code>{`@${handle}@${fediHost}`}</code> : "your handle"}: each entry {publication ? "published in it" : "you publish"} reaches them there. Removing
        one tells their server, and nothing {publication ? "of it" : "of yours"} reaches them again unless they follow anew.
      </p>
      {result?.error && result.about === "followers" ? (
        <p role="alert" className="error">
          {result.error}
        </p>
      ) : null}
      {followers.rows.length === 0 ? (
        <p>No one follows {publication ? publication.name : "you"} from the social web yet.</p>
      ) : (
        <table data-testid="followers">
          <thead>
            <tr>
              <th>Account</th>
              <th>Since</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {followers.rows.map((f) => (
              <tr key={f.id}>
                <td>
                  {f.profileUrl ? (
                    <a href={f.profileUrl} rel="nofollow ugc noopener">
                      {f.handle}
                    </a>
                  ) : (
                    f.handle
                  )}
                  {f.name ? (
                    <>
                      <br />
                      <span className="muted">{f.name}</span>
                    </>
                  ) : null}
                </td>
                <td>{date(f.since)}</td>
                <td>
                  <form method="post" action={`/settings/subscribers${listHref(query, followers.page > 1 ? { followers: String(followers.page) } : {})}`}>
                    <input type="hidden" name="follower" value={f.id} />
                    <button type="submit" name="intent" value="remove-follower" className="danger">
                      Remove
                    </button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {followers.pages > 1 ? (
        <p className="muted">
          {followers.total} following · page {followers.page} of {followers.pages}{" "}
          {followers.page > 1 ? <a href={`${listHref(query, { followers: String(followers.page - 1) })}#followers`}>previous</a> : null}{" "}
          {followers.page < followers.pages ? <a href={`${listHref(query, { followers: String(followers.page + 1) })}#followers`}>next</a> : null}
        </p>
      ) : null}

      <h2>Import</h2>
      {result?.error && result.about === "import" ? (
        <div role="alert" className="error">
          <p>{result.error}</p>
          {result.problems.length ? (
            <ul data-testid="problems">
              {result.problems.map((problem) => (
                <li key={problem}>{problem}</li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : null}
      {result?.imported ? (
        <p className="notice" data-testid="imported">
          Imported {result.imported.imported}; {result.imported.skipped} already on the list were left as they are
          {result.imported.confirmationsSent ? `; ${result.imported.confirmationsSent} confirmation links are on their way` : ""}.
        </p>
      ) : null}
      <form method="post" action={here} encType="multipart/form-data" className="stack">
        <label>
          CSV file with the columns email, wallet, date (header first)
          <input type="file" name="file" accept=".csv,text/csv" required />
        </label>
        <label className="check">
          <input type="checkbox" name="consent" value="yes" /> These people agreed to get {publication ? `the essays published in ${publication.name}` : "my essays"}{" "}
          by email. Without this, each address gets a confirmation link and nothing else until it is used.
        </label>
        <button type="submit">Import</button>
      </form>
    </section>
  );
}
