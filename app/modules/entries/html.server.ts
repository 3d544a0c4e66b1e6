import type { Database } from "~/db.server";
import { escapeHtml, parseDocument, renderDocument, type TiptapDocument } from "./document.server";
import { gatewayBase } from "./extensions";
import { mirrorDocument } from "./import-mirror.server";
import { parseMirrorEntry } from "./mirror.server";

/**
 * The version of `renderDocument`'s output that stored HTML was made with. Raise it with any
 * change to what the renderer writes (a sanitizer fix, a new attribute): every version stored
 * before is made again from its entry the first time it is read.
 */
export const RENDERER_VERSION = 1;

/**
 * Stored HTML points Arweave references (`ar://…` images and links) at this origin, never at a
 * real gateway (`.invalid` can name no host, RFC 2606); the gateway configured when a page is
 * served takes its place. So a press that changes gateway changes every page at once.
 */
const STORED_GATEWAY = "https://gateway.invalid";
const STORED_PREFIX = `="${STORED_GATEWAY}/`;

/** The HTML to store for a version's document, and the renderer version that made it. */
export function storedHtml(doc: TiptapDocument): { html: string; renderer: number } {
  return { html: renderDocument(doc, { gatewayUrl: STORED_GATEWAY }), renderer: RENDERER_VERSION };
}

/** Stored HTML as readers get it: Arweave references on the configured gateway. */
export function servedHtml(html: string, gatewayUrl: string): string {
  const base = escapeHtml(gatewayBase(gatewayUrl));
  return html.includes(STORED_PREFIX) ? html.split(STORED_PREFIX).join(`="${base}/`) : html;
}

/** The document a stored entry holds: the press's own entry JSON, or a Mirror entry's Markdown. */
export function sourceDocument(entryJson: string): TiptapDocument {
  const json = JSON.parse(entryJson) as { content?: { json?: unknown } };
  if (json?.content?.json !== undefined) return parseDocument(json.content.json);
  return mirrorDocument(parseMirrorEntry(json).body).doc;
}

/**
 * A version's HTML for readers. HTML made by an older renderer is made again from the version's
 * entry (which never changes), stored for the next reader, and served; a version whose entry cannot
 * be read keeps its old HTML rather than showing nothing.
 */
export async function currentHtml(db: Database, gatewayUrl: string, version: { id: string; html: string; renderer: number }): Promise<string> {
  if (version.renderer === RENDERER_VERSION) return servedHtml(version.html, gatewayUrl);
  const row = await db.entryVersion.findUnique({ where: { id: version.id }, select: { entryJson: true } });
  let fresh: { html: string; renderer: number };
  try {
    fresh = storedHtml(sourceDocument(row!.entryJson));
  } catch {
    return version.html;
  }
  await db.entryVersion.updateMany({ where: { id: version.id, renderer: version.renderer }, data: fresh });
  return servedHtml(fresh.html, gatewayUrl);
}
