import crypto from "node:crypto";
import fs from "node:fs";

/**
 * Which build rendered a page: a new build changes the asset names a page links to, so a page
 * validated under the old one must not be reused (the file's time is the same on every host that
 * runs one build).
 */
const BUILD = fs.statSync(__filename).mtimeMs;

/**
 * The most a shared cache in front (a CDN, a proxy) may answer from its copy without asking the
 * press: how late a reader behind one can see a change, and at most one request per URL in that
 * time from each of its copies to the press.
 */
export const SHARED_CACHE_SECONDS = 30;

/**
 * The one caching policy of what the press shows everyone alike (reading pages, feeds, the
 * sitemap, share cards, proofs): a browser asks again every time with the ETag it holds (a 304
 * when nothing changed, so a new essay shows on the next visit), a shared cache may keep it
 * `SHARED_CACHE_SECONDS`. Not `no-cache`: that would bind shared caches too and void `s-maxage`
 * (RFC 9111, 5.2.2.4); `max-age=0` asks the same of browsers alone. Nothing stale is served while
 * revalidating: that is how a reader's tab kept showing an empty front page.
 */
export const PUBLIC_CACHE_CONTROL = `public, max-age=0, s-maxage=${SHARED_CACHE_SECONDS}`;

/** What names its reader (a signed-in person's page) is stored by no cache at all. */
export const PRIVATE_CACHE_CONTROL = "private, no-store";

/** Whether a Cookie header carries a session: known by the cookie alone, without asking the database. */
export const cookieHasSession = (cookie: string | null | undefined) => /(?:^|;\s*)press_session=/.test(cookie ?? "");

/** A signed-in session is known by its cookie alone, without asking the database. */
export const hasSession = (request: Request) => cookieHasSession(request.headers.get("cookie"));

/** A strong validator over everything a page shows that can change. */
export const etagOf = (parts: (string | number | boolean | null | undefined)[]) => `"${crypto.createHash("sha256").update([BUILD, ...parts].map(String).join("\u0000")).digest("base64url").slice(0, 27)}"`;

/**
 * The caching headers of what anyone gets alike under validator `etag` (`PUBLIC_CACHE_CONTROL`),
 * with `more`; a 304 with them is thrown when the request already names the ETag.
 */
export function publicHeaders(request: Request, etag: string, more: Record<string, string> = {}): Record<string, string> {
  const headers = { "cache-control": PUBLIC_CACHE_CONTROL, etag, ...more };
  if (matchesEtag(request, etag)) throw new Response(null, { status: 304, headers });
  return headers;
}

/**
 * The caching headers of a reading page with validator `etag`: shared and revalidated for
 * anonymous readers (a 304 is thrown when they already hold it), never stored for a signed-in one.
 * Both vary on the cookie, so a shared cache in front never hands the anonymous copy to a signed-in
 * writer, who would miss their own controls on it. A page whose URL also answers as ActivityStreams
 * (`negotiated`: a writer's page, an entry's page) varies on Accept too, so a cache never hands the
 * page to a server on the social web, or the JSON to a browser.
 */
export function readerHeaders(request: Request, etag: string, opts: { negotiated?: boolean } = {}): Record<string, string> {
  const vary = opts.negotiated ? "Cookie, Accept" : "Cookie";
  if (hasSession(request)) return { "cache-control": PRIVATE_CACHE_CONTROL, vary };
  return publicHeaders(request, etag, { vary });
}

/** A validator over a row of state read from the database (dates by their time), after `parts`. */
export const stateEtag = (parts: (string | number)[], state: Record<string, unknown>) =>
  etagOf([...parts, ...Object.values(state).map((value) => (value instanceof Date ? value.getTime() : value === null ? "" : String(value)))]);

/** Whether an If-None-Match header names `etag` (or is `*`). */
export function namesEtag(header: string | null | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(",").some((candidate) => {
    const tag = candidate.trim().replace(/^W\//, "");
    return tag === "*" || tag === etag;
  });
}

/** Whether the request's If-None-Match already names `etag` (or `*`). */
export const matchesEtag = (request: Request, etag: string) => namesEtag(request.headers.get("if-none-match"), etag);
