import type { ActionFunctionArgs } from "@remix-run/node";
import { getEnv } from "~/env.server";
import type { BodyLimits } from "~/modules/body-limits";
import { RelayRefusal, relayDevWallet } from "~/modules/dev/wallet-relay.server";
import { errorHeaders, UserError } from "~/modules/errors.server";
import { assertSameOrigin, readJson } from "~/modules/http.server";

/**
 * The development wallet's JSON-RPC relay to the local chain (app/modules/dev/wallet-relay.server.ts).
 * It exists only while the press may use the local chain's accounts (`Env.devChain`).
 */
export const bodyLimits: BodyLimits = { json: 64 * 1024 };

const notFound = () => new Response("Not found", { status: 404 });

export async function action({ request }: ActionFunctionArgs) {
  const env = getEnv();
  if (!env.devChain) return notFound();
  try {
    assertSameOrigin(request);
    return Response.json(await relayDevWallet(env, await readJson(request)));
  } catch (error) {
    // Refused in JSON-RPC's shape, so the browser's provider throws it as any wallet would.
    if (!(error instanceof UserError)) throw error;
    const code = error instanceof RelayRefusal ? error.code : -32600;
    return Response.json({ jsonrpc: "2.0", id: null, error: { code, message: error.message } }, { status: error.status, headers: errorHeaders(error) });
  }
}

export const loader = notFound;
