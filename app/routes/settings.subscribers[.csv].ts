import type { LoaderFunctionArgs } from "@remix-run/node";
import { getDb } from "~/db.server";
import { requireWriter } from "~/modules/auth/session.server";
import { exportSubscribers } from "~/modules/subscriptions/csv.server";

/** The writer's confirmed subscribers as a CSV download, streamed page by page. */
export async function loader({ request }: LoaderFunctionArgs) {
  const writer = await requireWriter(request);
  const lines = exportSubscribers(getDb(), writer.id);
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await lines.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
    async cancel() {
      await lines.return(undefined);
    },
  });
  const name = `subscribers-${writer.handle ?? writer.address.slice(0, 10)}-${new Date().toISOString().slice(0, 10)}.csv`;
  return new Response(body, {
    headers: { "content-type": "text/csv; charset=utf-8", "content-disposition": `attachment; filename="${name}"`, "cache-control": "private, no-store" },
  });
}
