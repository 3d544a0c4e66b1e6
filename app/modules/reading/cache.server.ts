import crypto from "node:crypto";
import fs from "node:fs";

/**
 * Which build rendered a page: a new build changes the asset names a page links to, so a page
 * validated under the old one must not be reused (the file's time is the same on every host that
 * runs one build).
 */
const BUILD = fs.statSync(__filename).mtimeMs;

/**
 * Anonymous readers share one copy of a reading page, kept a minute and served stale while it is
 * refreshed; a signed-in person's page names them, so it is never stored.
 */
export const readerCacheControl = (signedIn: boolean) => (signedIn ? "private, no-store" : "public, max-age=60, stale-while-revalidate=600");

/** Whether a Cookie header carries a session: known by the cookie alone, without asking the database. */
export const cookieHasSession = (cookie: string | null | undefined) => /(?:^|;\s*)press_session=/.test(cookie ?? "");

/** A signed-in session is known by its cookie alone, without asking the database. */
export const hasSession = (request: Request) => cookieHasSession(request.headers.get("cookie"));

/** A strong validator over everything a page shows that can change. */
export const etagOf = (parts: (string | number | boolean | null | undefined)[]) => `"${crypto.createHash("sha256").update([BUILD, ...parts].map(String).join("\u0000")).digest("base64url").slice(0, 27)}"`;

/**
 * The caching headers of a reading page with validator `etag`: shared and revalidated for
 * anonymous readers (a 304 is thrown when they already hold it), never stored for a signed-in one.
 * Both vary on the cookie, so a shared cache in front never hands the anonymous copy to a signed-in
 * writer, who would miss their own controls on it.
 */
export function readerHeaders(request: Request, etag: string): Record<string, string> {
  if (hasSession(request)) return { "cache-control": readerCacheControl(true), vary: "Cookie" };
  const headers = { "cache-control": readerCacheControl(false), vary: "Cookie", etag };
  if (matchesEtag(request, etag)) throw new Response(null, { status: 304, headers });
  return headers;
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
