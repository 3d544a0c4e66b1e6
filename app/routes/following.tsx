import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
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
import { MAX_REPLY_CHARS, REPLY_FORM } from "~/modules/body-limits";
import { loadRemote, postAnchor, readingList } from "~/modules/federation/reading-list.server";

/** A page of plain HTML and forms: it loads no client code. */
export const handle: PageHandle = { scripts: false };

export const meta: MetaFunction = () => [{ title: "Following · Permanent Press" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const reader = await requireWriter(request);
  const db = getDb();
  const [feed, social] = await Promise.all([readerFeed(db, reader), readingList(db, reader.id)]);
  return {
    hasHandle: reader.handle !== null,
    follows: feed.follows.map((f) => ({ ...f, since: f.since.toISOString() })),
    entries: feed.entries.map((e) => ({ ...e, publishedAt: e.publishedAt.toISOString() })),
    social: {
      follows: social.follows.map((f) => ({ ...f, since: f.since.toISOString() })),
      posts: social.posts.map((p) => ({ ...p, publishedAt: p.publishedAt.toISOString(), updatedAt: p.updatedAt.toISOString(), replies: p.replies.map((r) => ({ ...r, at: r.at.toISOString() })) })),
    },
  };
}

/**
 * For one followed writer: `unfollow`, `add-email` (double opt-in, linked to the follow once
 * confirmed) and `remove-email`. On the social web: `social-follow`, `social-unfollow`,
 * `social-like` and `social-reply` (the largest form: a reply of up to MAX_REPLY_CHARS characters).
 */
export const bodyLimits = REPLY_FORM;

/** Which form an error belongs to, so it is shown beside it with what was typed. */
type Failed = { form: "follow"; account: string } | { form: "post"; postId: string; text: string } | { form: "page" };

export async function action({ request, context }: ActionFunctionArgs) {
  const reader = await requireWriter(request);
  let failed: Failed = { form: "page" };
  try {
    assertSameOrigin(request);
    const form = await readForm(request);
    const db = getDb();
    const env = getEnv();
    const intent = String(form.get("intent") ?? "");
    if (intent.startsWith("social-")) {
      const { followRemote, likeRemote, replyRemote, unfollowRemote } = await loadRemote();
      const postId = String(form.get("postId") ?? "");
      switch (intent) {
        case "social-follow": {
          const account = String(form.get("account") ?? "");
          failed = { form: "follow", account: account.slice(0, 2048) };
          await followRemote(db, env, reader.id, account);
          return redirect("/following#social");
        }
        case "social-unfollow":
          await unfollowRemote(db, env, reader.id, String(form.get("actorId") ?? ""));
          return redirect("/following#social");
        case "social-like":
          failed = { form: "post", postId, text: "" };
          await likeRemote(db, env, reader.id, postId);
          return redirect(`/following#${postAnchor(postId)}`);
        case "social-reply": {
          const text = String(form.get("text") ?? "");
          failed = { form: "post", postId, text };
          await replyRemote(db, env, reader.id, postId, text);
          return redirect(`/following#${postAnchor(postId)}`);
        }
        default:
          throw new UserError("Unknown action.");
      }
    }
    const writer = await db.writer.findUnique({ where: { id: String(form.get("writerId") ?? "") } });
    if (!writer) throw new UserError("There is no such writer.", 404);
    switch (form.get("intent")) {
      case "unfollow":
        await unfollow(db, writer.id, reader);
        return { notice: null, error: null, failed };
      case "remove-email":
        await removeEmail(db, writer.id, reader);
        return { notice: "That address gets no more emails; you still follow with your wallet.", error: null, failed };
      case "add-email": {
        const { email } = await subscribeByEmail(db, getEnv(), { writer, email: String(form.get("email") ?? ""), client: clientKey(request, context, getEnv().trustProxy), wallet: reader.address.toLowerCase() });
        return { notice: `If ${email} needs confirming, a link is on its way; emails start once you click it.`, error: null, failed };
      }
      default:
        throw new UserError("Unknown action.");
    }
  } catch (error) {
    if (error instanceof UserError) return data({ notice: null, error: error.message, failed }, { status: error.status, headers: errorHeaders(error) });
    throw error;
  }
}

const date = (iso: string) => new Date(iso).toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });

export default function Following() {
  const { follows, entries, hasHandle, social } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const failed: Failed = result?.error ? result.failed : { form: "page" };
  return (
    <section>
      <h1>Following</h1>
      {result?.error && failed.form === "page" ? (
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
                <li key={e.path}>
                  <a href={e.path}>{e.title}</a> <span className="muted">by {e.name}, {date(e.publishedAt)}</span>
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
      <SocialWeb hasHandle={hasHandle} social={social} failed={failed} error={result?.error ?? null} />
      {hasHandle ? (
        <p>
          <a href="/settings/subscribers">Your own subscribers</a>
        </p>
      ) : null}
    </section>
  );
}

const STATUS = { pending: "waiting for them", accepted: "following", rejected: "declined" } as const;

const hostOf = (url: string) => (URL.canParse(url) ? new URL(url).host : url);

/** Following accounts on the social web, and reading, liking and answering their posts. */
function SocialWeb({ hasHandle, social, failed, error }: { hasHandle: boolean; social: ReturnType<typeof useLoaderData<typeof loader>>["social"]; failed: Failed; error: string | null }) {
  const alert = (message: string | null) =>
    message ? (
      <p role="alert" className="error">
        {message}
      </p>
    ) : null;
  return (
    <section id="social" className="social" aria-labelledby="social-title">
      <h2 id="social-title">On the social web</h2>
      {hasHandle ? (
        <>
          <p className="muted">Follow people on Mastodon and other servers of the social web; their posts appear below.</p>
          <form method="post" className="follow-form">
            <label htmlFor="social-account">Account to follow</label>
            <div className="follow-row">
              <input id="social-account" name="account" required maxLength={2048} placeholder="@name@example.social or https://…" autoComplete="off" autoCapitalize="none" spellCheck={false} defaultValue={failed.form === "follow" ? failed.account : ""} />
              <button type="submit" name="intent" value="social-follow">
                Follow
              </button>
            </div>
          </form>
        </>
      ) : (
        <p>
          To follow people on Mastodon and other servers of the social web, <a href="/settings/profile?next=/following">choose a handle</a> first: it is your name there.
        </p>
      )}
      {failed.form === "follow" || (failed.form === "post" && !social.posts.some((post) => post.id === failed.postId)) ? alert(error) : null}
      {social.follows.length > 0 ? (
        <ul className="follows remote-follows">
          {social.follows.map((f) => (
            <li key={f.actorId}>
              {f.url ? (
                <a href={f.url} rel="nofollow noopener">
                  {f.handle}
                </a>
              ) : (
                f.handle
              )}
              {f.name ? <span className="muted"> {f.name}</span> : null} · <span className="follow-status" data-status={f.status}>{STATUS[f.status]}</span>
              <form method="post" className="inline-form">
                <input type="hidden" name="actorId" value={f.actorId} />
                <button type="submit" name="intent" value="social-unfollow" className="link">
                  Unfollow
                </button>
              </form>
            </li>
          ))}
        </ul>
      ) : null}
      {social.posts.length > 0 ? (
        <>
          <h3>Reading list</h3>
          <ol className="remote-posts">
            {social.posts.map((post) => (
              <li key={post.id} id={post.anchor} className="remote-post">
                <article>
                  <h4 className={post.titled ? undefined : "untitled"}>{post.title}</h4>
                  <p className="muted byline">
                    {post.authorUrl ? (
                      <a href={post.authorUrl} rel="nofollow noopener">
                        {post.handle}
                      </a>
                    ) : (
                      post.handle
                    )}
                    {post.authorName ? ` (${post.authorName})` : ""}, {date(post.publishedAt)}
                    {post.updatedAt !== post.publishedAt ? `, edited ${date(post.updatedAt)}` : ""}
                  </p>
                  <div className="remote-html" dangerouslySetInnerHTML={{ __html: post.html }} />
                  <p>
                    <a href={post.url ?? post.id} rel="nofollow noopener">
                      Read it on {hostOf(post.url ?? post.id)}
                    </a>
                  </p>
                  {post.liked ? (
                    <p className="liked">Liked</p>
                  ) : (
                    <form method="post" className="inline-form">
                      <input type="hidden" name="postId" value={post.id} />
                      <button type="submit" name="intent" value="social-like">
                        Like
                      </button>
                    </form>
                  )}
                  {post.replies.length > 0 ? (
                    <div className="my-replies">
                      <p className="muted">You replied:</p>
                      {post.replies.map((reply) => (
                        <div key={reply.at} className="remote-html" dangerouslySetInnerHTML={{ __html: reply.html }} />
                      ))}
                    </div>
                  ) : null}
                  {failed.form === "post" && failed.postId === post.id ? alert(error) : null}
                  <form method="post" className="reply-form">
                    <input type="hidden" name="postId" value={post.id} />
                    <label>
                      Reply to {post.handle}
                      <textarea name="text" required maxLength={MAX_REPLY_CHARS} rows={3} defaultValue={failed.form === "post" && failed.postId === post.id ? failed.text : ""} />
                    </label>
                    <button type="submit" name="intent" value="social-reply">
                      Reply
                    </button>
                  </form>
                </article>
              </li>
            ))}
          </ol>
        </>
      ) : social.follows.some((f) => f.status === "accepted") ? (
        <p className="muted">Nothing new from the accounts you follow yet.</p>
      ) : null}
    </section>
  );
}
