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

/** A signed-in session is known by its cookie alone, without asking the database. */
export const hasSession = (request: Request) => /(?:^|;\s*)press_session=/.test(request.headers.get("cookie") ?? "");

/** A strong validator over everything a page shows that can change. */
export const etagOf = (parts: (string | number | boolean | null | undefined)[]) => `"${crypto.createHash("sha256").update([BUILD, ...parts].map(String).join("\u0000")).digest("base64url").slice(0, 27)}"`;

/**
 * The caching headers of a reading page with validator `etag`: shared and revalidated for
 * anonymous readers (a 304 is thrown when they already hold it), never stored for a signed-in one.
 */
export function readerHeaders(request: Request, etag: string): Record<string, string> {
  if (hasSession(request)) return { "cache-control": readerCacheControl(true) };
  const headers = { "cache-control": readerCacheControl(false), etag };
  if (matchesEtag(request, etag)) throw new Response(null, { status: 304, headers });
  return headers;
}

/** Whether the request's If-None-Match already names `etag` (or `*`). */
export function matchesEtag(request: Request, etag: string): boolean {
  const header = request.headers.get("if-none-match");
  if (!header) return false;
  return header.split(",").some((candidate) => {
    const tag = candidate.trim().replace(/^W\//, "");
    return tag === "*" || tag === etag;
  });
}
