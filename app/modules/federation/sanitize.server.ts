import { Parser } from "htmlparser2";
import { escapeHtml } from "~/modules/entries/document.server";
import { withoutUnpublishable } from "~/modules/text.server";

/** Tags a reply keeps (what a Mastodon post and the press's own essays use); the rest keep only their text. */
const KEPT = new Set(["p", "br", "a", "strong", "b", "em", "i", "u", "s", "code", "pre", "blockquote", "ul", "ol", "li"]);
/** Tags whose content is dropped with them. */
const DROPPED = new Set(["script", "style", "template", "iframe", "object", "embed", "noscript", "svg", "math", "head", "title", "textarea", "select"]);
const VOID = new Set(["br"]);

/** The most HTML of a remote post the press keeps. */
export const MAX_REMOTE_HTML = 64 * 1024;
/**
 * How deep kept elements may nest; deeper tags keep only their text. No post needs more, and
 * thousands of nested tags overflow the stack of whatever walks the tree later.
 */
export const MAX_REMOTE_DEPTH = 16;

/**
 * HTML from another server, made safe to show on the press's pages: only plain text formatting,
 * paragraphs, lists, quotes and links survive; links go to http(s) only and carry
 * `rel="nofollow ugc noopener"`; every attribute but a link's href is dropped; text is escaped
 * again, without the characters no published text may hold (a NUL would also fail to store in
 * PostgreSQL). Unclosed tags are closed, stray closing tags dropped, a link inside a link ends the
 * first, so the result nests correctly, at most `MAX_REMOTE_DEPTH` deep.
 */
export function sanitizeRemoteHtml(input: string): string {
  const out: string[] = [];
  const open: string[] = [];
  let dropping = 0;
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        if (dropping > 0 || DROPPED.has(name)) {
          if (!VOID.has(name)) dropping++;
          return;
        }
        if (!KEPT.has(name) || (open.length >= MAX_REMOTE_DEPTH && !VOID.has(name))) return;
        if (name === "a") {
          const href = attributes.href ?? "";
          const safe = URL.canParse(href) && /^https?:$/.test(new URL(href).protocol);
          if (!safe) return;
          const outer = open.lastIndexOf("a");
          if (outer >= 0) while (open.length > outer) out.push(`</${open.pop()}>`);
          out.push(`<a href="${escapeHtml(new URL(href).href)}" rel="nofollow ugc noopener" target="_blank">`);
        } else {
          out.push(`<${name}>`);
        }
        if (!VOID.has(name)) open.push(name);
      },
      ontext(text) {
        if (dropping === 0) out.push(escapeHtml(withoutUnpublishable(text)));
      },
      onclosetag(name) {
        if (dropping > 0) {
          if (!VOID.has(name)) dropping--;
          return;
        }
        if (VOID.has(name)) return;
        const at = open.lastIndexOf(name);
        if (at < 0) return;
        while (open.length > at) out.push(`</${open.pop()}>`);
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true, recognizeSelfClosing: true },
  );
  parser.write(input.slice(0, MAX_REMOTE_HTML));
  parser.end();
  while (open.length > 0) out.push(`</${open.pop()}>`);
  return out.join("").trim();
}

/** The text of a post, for a summary or a line in a list. */
export function remoteText(html: string): string {
  return sanitizeRemoteHtml(html).replace(/<[^>]+>/g, " ").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, "&").replace(/\s+/g, " ").trim();
}

/** A link to something on another server (a profile, a post), or null: only http(s) addresses are ever linked to. */
export function webUrl(value: string | null | undefined): string | null {
  if (!value || !URL.canParse(value)) return null;
  const url = new URL(value);
  return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
}
