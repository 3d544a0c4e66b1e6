import type { LoaderFunctionArgs } from "@remix-run/node";
import { getDb } from "~/db.server";
import { getEnv } from "~/env.server";
import { isArweaveId } from "~/modules/entries/verify.server";
import { servedImage } from "~/modules/storage/uploads.server";

/**
 * A writer's uploaded image by its Arweave id: its bytes while the gateway does not serve it yet,
 * so the editor and the profile show it at once; a redirect to the gateway once it does. The id
 * names the bytes, so they are cached for good. Its type is sniffed from the bytes, and every
 * response of the press says nosniff (security-headers.server.ts).
 */
export async function loader({ params }: LoaderFunctionArgs) {
  const image = isArweaveId(params.id ?? "") ? await servedImage(getDb(), getEnv(), params.id!) : undefined;
  if (!image) return new Response("There is no such image.", { status: 404, headers: { "content-type": "text/plain; charset=utf-8" } });
  if ("gatewayUrl" in image) return new Response(null, { status: 302, headers: { location: image.gatewayUrl, "cache-control": "public, max-age=86400" } });
  return new Response(new Uint8Array(image.bytes), {
    headers: {
      "content-type": image.contentType,
      "content-length": String(image.bytes.length),
      "cache-control": "public, max-age=31536000, immutable",
    },
  });
}
