import type { LoaderFunctionArgs } from "@remix-run/node";
import { getDb } from "~/db.server";
import { exportSubscribers } from "~/modules/subscriptions/csv.server";
import { requireList } from "~/modules/subscriptions/lists.server";

/** The confirmed subscribers of the writer (or of a publication they own) as a CSV download, streamed page by page. */
export async function loader({ request }: LoaderFunctionArgs) {
  const { list } = await requireList(request);
  const lines = exportSubscribers(getDb(), list.id);
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
  const name = `subscribers-${list.handle ?? list.address.slice(0, 10)}-${new Date().toISOString().slice(0, 10)}.csv`;
  return new Response(body, {
    headers: { "content-type": "text/csv; charset=utf-8", "content-disposition": `attachment; filename="${name}"`, "cache-control": "private, no-store" },
  });
}
