/**
 * Where a `next` parameter may send someone (after signing in, after saving a profile): only to a
 * page of this site. Used by the server's redirects and by the sign-in page's script alike, so it
 * holds no server-only code.
 */

/** Longer than any address of ours with its query; anything longer is not one we wrote. */
const MAX_LENGTH = 2048;

// Browsers read a backslash as a slash and drop tabs and newlines inside a URL, so `/\evil.example`
// and `/<tab>/evil.example` both reach another host; NUL and the other controls have no place in a path.
const MISREAD = /[\\\u0000-\u001f\u007f]/;

// An origin of our own to resolve against: what matters is whether the result stays on it.
const HERE = "http://press.invalid";

/**
 * `value` as a path on this site (path, query and fragment, normalised), or `fallback` when it is
 * missing or could lead anywhere else: absolute and scheme-relative URLs, backslashes, control
 * characters (also percent-encoded in the path, in case something on the way decodes it again),
 * dot segments that collapse into `//`, and overlong values.
 */
export function localPath(value: unknown, fallback: string): string {
  if (typeof value !== "string" || value.length > MAX_LENGTH || !value.startsWith("/") || MISREAD.test(value)) return fallback;
  let url: URL;
  try {
    url = new URL(value, HERE);
  } catch {
    return fallback;
  }
  if (url.origin !== HERE) return fallback;
  let decoded: string;
  try {
    decoded = decodeURIComponent(url.pathname);
  } catch {
    return fallback;
  }
  // `/.//evil.example` resolves to the path `//evil.example`, which a Location header would send off-site.
  if (url.pathname.startsWith("//") || decoded.startsWith("//") || MISREAD.test(decoded)) return fallback;
  return url.pathname + url.search + url.hash;
}
