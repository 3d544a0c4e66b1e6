import { getEnv } from "~/env.server";
import { errorHeaders, UserError } from "~/modules/errors.server";
import { readBody } from "~/modules/request-body.server";
import { decodeUtf8 } from "~/modules/text.server";

/** The JSON answer for an error a user caused; anything else is rethrown and becomes a 500. */
export function userErrorResponse(error: unknown, extra: Record<string, unknown> = {}): Response {
  if (error instanceof UserError) return Response.json({ error: error.message, ...extra }, { status: error.status, headers: errorHeaders(error) });
  throw error;
}

/**
 * A JSON answer that may hold bigints (EIP-712 typed data does): as decimal strings, as wallets take them.
 * Never stored: typed data to sign is prepared afresh for each request.
 */
export function jsonWithBigints(value: unknown): Response {
  return new Response(JSON.stringify(value, (_key, item: unknown) => (typeof item === "bigint" ? item.toString() : item)), {
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" },
  });
}

/** A JSON request body, read within the limits the route declares (its `bodyLimits`). */
export async function readJson(request: Request): Promise<unknown> {
  const text = decodeUtf8(await readBody(request), "The request body");
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new UserError("The request body is not valid JSON.");
  }
}

/**
 * Refuses a state-changing request sent from another site. SameSite=Lax cookies already keep the
 * session out of cross-site POSTs; this also covers requests that carry no cookie at all.
 */
export function assertSameOrigin(request: Request): void {
  const origin = request.headers.get("origin");
  if (origin === null) return;
  const own = new Set([getEnv().publicUrl, new URL(request.url).origin]);
  if (!own.has(origin)) throw new UserError("This request came from another site and was refused.", 403);
}
