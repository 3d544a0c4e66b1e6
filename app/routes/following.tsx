import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { getDb } from "~/db.server";
import { getEnv } from "~/env.server";
import { requireWriter } from "~/modules/auth/session.server";
import { errorHeaders, UserError } from "~/modules/errors.server";
import { assertSameOrigin } from "~/modules/http.server";
import { clientKey } from "~/modules/subscriptions/rate-limit.server";
import { readerFeed, removeEmail, subscribeByEmail, unfollow } from "~/modules/subscriptions/subscribers.server";
import type { PageHandle } from "~/components/page-scripts";
import { readForm } from "~/modules/forms.server";
import { FORM_FIELDS } from "~/modules/body-limits";

/** A page of plain HTML and forms: it loads no client code. */
export const handle: PageHandle = { scripts: false };

export const meta: MetaFunction = () => [{ title: "Following · Permanent Press" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const reader = await requireWriter(request);
  const feed = await readerFeed(getDb(), reader);
  return {
    hasHandle: reader.handle !== null,
    follows: feed.follows.map((f) => ({ ...f, since: f.since.toISOString() })),
    entries: feed.entries.map((e) => ({ ...e, publishedAt: e.publishedAt.toISOString() })),
  };
}

/** `unfollow`, `add-email` (double opt-in, linked to the follow once confirmed) and `remove-email`, for one followed writer. */
export const bodyLimits = FORM_FIELDS;

export async function action({ request, context }: ActionFunctionArgs) {
  const reader = await requireWriter(request);
  try {
    assertSameOrigin(request);
    const form = await readForm(request);
    const db = getDb();
    const writer = await db.writer.findUnique({ where: { id: String(form.get("writerId") ?? "") } });
    if (!writer) throw new UserError("There is no such writer.", 404);
    switch (form.get("intent")) {
      case "unfollow":
        await unfollow(db, writer.id, reader);
        return { notice: null, error: null };
      case "remove-email":
        await removeEmail(db, writer.id, reader);
        return { notice: "That address gets no more emails; you still follow with your wallet.", error: null };
      case "add-email": {
        const { email } = await subscribeByEmail(db, getEnv(), { writer, email: String(form.get("email") ?? ""), client: clientKey(request, context, getEnv().trustProxy), wallet: reader.address.toLowerCase() });
        return { notice: `If ${email} needs confirming, a link is on its way; emails start once you click it.`, error: null };
      }
      default:
        throw new UserError("Unknown action.");
    }
  } catch (error) {
    if (error instanceof UserError) return data({ notice: null, error: error.message }, { status: error.status, headers: errorHeaders(error) });
    throw error;
  }
}

const date = (iso: string) => new Date(iso).toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });

export default function Following() {
  const { follows, entries, hasHandle } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <section>
      <h1>Following</h1>
      {result?.error ? (
        <p role="alert" className="error">
          {result.error}
        </p>
      ) : null}
      {result?.notice ? <p className="notice">{result.notice}</p> : null}
      {follows.length === 0 ? (
        <p>You follow no one yet. Press “follow with your wallet” on a writer’s page.</p>
      ) : (
        <>
          <h2>Newest</h2>
          {entries.length === 0 ? (
            <p className="muted">Nothing published yet by the writers you follow.</p>
          ) : (
            <ol className="feed">
              {entries.map((e) => (
                <li key={`${e.handle}/${e.slug}`}>
                  <a href={`/${e.handle}/${e.slug}`}>{e.title}</a> <span className="muted">by {e.name}, {date(e.publishedAt)}</span>
                  {e.excerpt ? <p className="muted">{e.excerpt}</p> : null}
                </li>
              ))}
            </ol>
          )}
          <h2>Writers</h2>
          <ul className="follows">
            {follows.map((f) => (
              <li key={f.writerId}>
                <a href={`/${f.handle}`}>{f.name}</a> <span className="muted">since {date(f.since)}</span>
                {f.email ? (
                  <form method="post" className="inline-form">
                    <span className="muted">
                      emails to {f.email}
                      {f.emailStatus === "bounced" ? " stopped: they came back" : ""}
                    </span>
                    <input type="hidden" name="writerId" value={f.writerId} />
                    <button type="submit" name="intent" value="remove-email" className="link">
                      Stop emails
                    </button>
                  </form>
                ) : (
                  <form method="post" className="inline-form">
                    <input type="hidden" name="writerId" value={f.writerId} />
                    <input type="email" name="email" required maxLength={254} autoComplete="email" placeholder="Also by email: you@example.com" />
                    <button type="submit" name="intent" value="add-email">
                      Add email
                    </button>
                  </form>
                )}
                <form method="post" className="inline-form">
                  <input type="hidden" name="writerId" value={f.writerId} />
                  <button type="submit" name="intent" value="unfollow" className="link">
                    Unfollow
                  </button>
                </form>
              </li>
            ))}
          </ul>
        </>
      )}
      {hasHandle ? (
        <p>
          <a href="/settings/subscribers">Your own subscribers</a>
        </p>
      ) : null}
    </section>
  );
}
