import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { getDb } from "~/db.server";
import { getEnv } from "~/env.server";
import { createSession } from "~/modules/auth/session.server";
import { requestSignIn, verifySignIn } from "~/modules/auth/siwe.server";
import { UserError } from "~/modules/errors.server";
import { assertSameOrigin, readJson, userErrorResponse } from "~/modules/http.server";
import type { Site } from "~/modules/publications/domains.server";
import { clientKey } from "~/modules/subscriptions/rate-limit.server";
import { refreshEns, writerForAddress } from "~/modules/writers/profile.server";
import type { BodyLimits } from "~/modules/body-limits";

export const bodyLimits: BodyLimits = { json: 16 * 1024 };

const body = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("message"), address: z.string() }),
  z.object({ intent: z.literal("verify"), message: z.string(), signature: z.string() }),
]);

/**
 * Sign-In with Ethereum, in two steps: `message` issues the EIP-4361 message (with a fresh nonce)
 * for an address to sign; `verify` checks the signed message and starts a session.
 */
export async function action({ request, context }: ActionFunctionArgs) {
  try {
    if (request.method !== "POST") throw new UserError("Use POST.", 400);
    assertSameOrigin(request);
    const parsed = body.safeParse(await readJson(request));
    if (!parsed.success) throw new UserError("Send {intent: 'message', address} or {intent: 'verify', message, signature}.");
    const db = getDb();
    const env = getEnv();
    // Signed on a publication's own domain, the message names that domain; its session cookie is that host's alone.
    const origin = (context.site as Site | undefined)?.origin ?? env.publicUrl;
    if (parsed.data.intent === "message") {
      const { message } = await requestSignIn(db, env, { address: parsed.data.address, client: clientKey(request, context, env.trustProxy), origin });
      return Response.json({ message, chainId: env.chain.id });
    }
    const address = await verifySignIn(db, env, { ...parsed.data, origin });
    const writer = await writerForAddress(db, address);
    void refreshEns(db, env, writer);
    const cookie = await createSession(writer.id);
    return Response.json({ address, handle: writer.handle }, { headers: { "set-cookie": cookie } });
  } catch (error) {
    return userErrorResponse(error);
  }
}
