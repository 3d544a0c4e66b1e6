import type { Database } from "~/db.server";
import type { Env } from "~/env.server";
import { allowRequest, windowEnd } from "~/modules/subscriptions/rate-limit.server";
import { RemoteAddressError } from "./address-error.server";
import { VISIBLE } from "./ids.server";
import { loadFederation } from "./lazy.server";
import { reviveHost } from "./inbox-health.server";
import { entryAt } from "~/modules/reading/entry-urls.server";

/** The largest activity an inbox reads; Mastodon's own limit for a posted activity is about 1 MB, posts are far smaller. */
export const MAX_ACTIVITY_BYTES = 256 * 1024;
const MINUTE = 60_000;

const FEDERATION_PATH = /^\/(?:\.well-known\/(?:webfinger|nodeinfo)$|nodeinfo\/|ap\/)/;
const PAGE_PATH = /^\/([a-z0-9-]{3,30})(?:\/([^/]+))?\/?$/;

/** Whether an Accept header asks for ActivityStreams (what Mastodon and the rest send) rather than a page. */
export function wantsActivityJson(accept: string | undefined): boolean {
  if (!accept) return false;
  return /application\/activity\+json|application\/ld\+json/i.test(accept);
}

/** Whether the web server should hand this request to the federation side at all. */
export function isFederationRequest(method: string, path: string, accept: string | undefined): boolean {
  if (FEDERATION_PATH.test(path)) return true;
  return (method === "GET" || method === "HEAD") && PAGE_PATH.test(path) && wantsActivityJson(accept);
}

const plain = (status: number, message: string, headers: Record<string, string> = {}) =>
  new Response(`${message}\n`, { status, headers: { "content-type": "text/plain; charset=utf-8", ...headers } });

/** The host a signed request says it comes from: its key's host (draft-cavage `Signature` or RFC 9421 `Signature-Input`). */
export function signerHost(headers: Headers): string | null {
  const cavage = /keyId="([^"]+)"/i.exec(headers.get("signature") ?? "");
  const rfc9421 = /keyid="([^"]+)"/i.exec(headers.get("signature-input") ?? "");
  const keyId = cavage?.[1] ?? rfc9421?.[1];
  if (!keyId || !URL.canParse(keyId)) return null;
  return new URL(keyId).host.toLowerCase();
}

/** The refused address behind an error, however deep a JSON-LD processor wrapped it. */
function refusedAddress(error: unknown, depth = 0): RemoteAddressError | null {
  if (error instanceof RemoteAddressError) return error;
  if (depth > 8 || typeof error !== "object" || error === null) return null;
  const { cause, details } = error as { cause?: unknown; details?: { cause?: unknown } };
  return refusedAddress(cause, depth + 1) ?? refusedAddress(details?.cause, depth + 1);
}

/** Reads at most `limit` bytes of a body; null when there are more. */
async function readBounded(body: ReadableStream<Uint8Array> | null, limit: number): Promise<Uint8Array | null> {
  if (!body) return new Uint8Array();
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      return null;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return bytes;
}

/**
 * The federation side of the web server: WebFinger, NodeInfo, actors, objects, collections and
 * inboxes (Fedify), plus content negotiation on a writer's and an entry's own page URLs. An inbox
 * post is bounded, must be JSON, and is counted per sending server before Fedify verifies its
 * signature (an unsigned or badly signed one gets 401 from Fedify).
 */
export function federationHandler(db: Database, env: Env) {
  return async (request: Request): Promise<Response | null> => {
    // Signatures cover the URL the sender used: the public one, whatever scheme and host the proxy
    // in front passed on (a TLS proxy talks plain HTTP to the press).
    const asked = new URL(request.url);
    let url = new URL(`${asked.pathname}${asked.search}`, env.publicUrl);
    let forwarded = new Request(url, { method: request.method, headers: request.headers });
    let signer: string | null = null;
    if (request.method === "POST") {
      const declared = Number(request.headers.get("content-length") ?? "0");
      if (declared > MAX_ACTIVITY_BYTES) return plain(413, `An activity may be at most ${MAX_ACTIVITY_BYTES} bytes.`, { connection: "close" });
      const type = (request.headers.get("content-type") ?? "").toLowerCase();
      if (!/^application\/(?:activity\+json|ld\+json|json)\b/.test(type)) return plain(415, "An activity must be sent as application/activity+json.");
      const host = signerHost(request.headers);
      if (!host) return plain(401, "An activity must be signed (HTTP Signatures).");
      signer = host;
      const now = new Date();
      if (!(await allowRequest(db, `federation:${host}`, { limit: env.federation.inboxPerMinute, windowMs: MINUTE }, now))) {
        const retry = Math.max(1, Math.ceil((windowEnd(now, MINUTE).getTime() - now.getTime()) / 1000));
        return plain(429, `Too many activities from ${host}; try again later.`, { "retry-after": String(retry) });
      }
      const body = await readBounded(request.body, MAX_ACTIVITY_BYTES);
      if (!body) return plain(413, `An activity may be at most ${MAX_ACTIVITY_BYTES} bytes.`, { connection: "close" });
      let json: unknown;
      try {
        json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body));
      } catch {
        return plain(400, "The activity is not valid JSON.");
      }
      if (typeof json !== "object" || json === null || Array.isArray(json) || typeof (json as { type?: unknown }).type !== "string") {
        return plain(400, "The activity must be a JSON object with a type.");
      }
      forwarded = new Request(url, { method: "POST", headers: request.headers, body: body as Uint8Array<ArrayBuffer> });
    } else if (!FEDERATION_PATH.test(url.pathname)) {
      // A writer's or an entry's page asked for as ActivityStreams: the actor or the Article.
      const [, handle, slug] = PAGE_PATH.exec(url.pathname) ?? [];
      const writer = handle ? await db.writer.findUnique({ where: { handle }, select: { id: true } }) : null;
      if (!writer) return null;
      if (slug) {
        // At its publication's address when it is in one; the writer's address for it redirects there.
        const entry = await db.entry.findFirst({ where: { ...entryAt(handle!, decodeURIComponent(slug)), ...VISIBLE }, select: { id: true } });
        if (!entry) return null;
        url = new URL(`/ap/entries/${entry.id}`, url);
      } else {
        url = new URL(`/ap/users/${writer.id}`, url);
      }
      forwarded = new Request(url, { method: request.method, headers: request.headers });
    }
    const { federation } = (await loadFederation()).getFederation(db, env);
    let unmatched: 404 | 406 | undefined;
    let response: Response;
    try {
      response = await federation.fetch(forwarded, {
        contextData: undefined,
        onNotFound: () => {
          unmatched = 404;
          return new Response(null, { status: 404 });
        },
        onNotAcceptable: () => {
          unmatched = 406;
          return new Response(null, { status: 406 });
        },
      });
    } catch (error) {
      // Fedify takes a document it could not load (a JSON-LD context) for a passing failure; one
      // at an address the press never asks will never load: refused for good, not retried.
      const refused = refusedAddress(error);
      if (refused) return plain(400, `The activity names a document the press does not fetch: ${refused.message}`);
      throw error;
    }
    if (unmatched) {
      if (!FEDERATION_PATH.test(asked.pathname)) return null;
      return unmatched === 404 ? plain(404, "Not found.") : plain(406, "This is an ActivityPub document: ask for it as application/activity+json.", { vary: "Accept" });
    }
    if (signer && response.ok) {
      // Fedify verified the signature: that server is up, so inboxes of it given up as dead are tried again.
      await reviveHost(db, signer).catch((error: unknown) => console.error(`[federation] reviving ${signer}: ${(error as Error).message}`));
    }
    const headers = new Headers(response.headers);
    headers.append("vary", "Accept");
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
  };
}
