import http from "node:http";
import { verifyDataItem } from "~/modules/storage/data-item.server";
import { freePort } from "../../scripts/local/service";

/**
 * An Irys-protocol endpoint in front of a real one that notes the id of every data item posted to
 * it (and how the bundler answered), so a test can tell how many times one item was sent. With
 * `down`, it answers every upload 503 without passing it on, as a bundler in an outage does; other
 * requests always pass.
 */
export async function startBundlerTap(target: string, opts: { down?: boolean } = {}) {
  const posted: Array<{ id: string; status: number }> = [];
  const server = http.createServer(async (req, res) => {
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = Buffer.concat(chunks);
      const isUpload = req.method === "POST" && /^\/tx\/[^/]+$/.test(req.url ?? "");
      const id = isUpload ? ((await verifyDataItem(body))?.id ?? "(invalid)") : undefined;
      if (id && opts.down) {
        posted.push({ id, status: 503 });
        res.writeHead(503, { "content-type": "text/plain" });
        return void res.end("temporarily unavailable");
      }
      const forwarded = await fetch(new URL(req.url ?? "/", target), {
        method: req.method,
        headers: { "content-type": req.headers["content-type"] ?? "application/octet-stream" },
        body: req.method === "GET" || req.method === "HEAD" ? undefined : body,
      });
      if (id) posted.push({ id, status: forwarded.status });
      res.writeHead(forwarded.status, { "content-type": forwarded.headers.get("content-type") ?? "text/plain" });
      res.end(Buffer.from(await forwarded.arrayBuffer()));
    } catch (error) {
      res.writeHead(502, { "content-type": "text/plain" });
      res.end((error as Error).message);
    }
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    /** Every upload seen so far, in order: the data item's id and the status it was answered. */
    posted: () => [...posted],
    /** How many times the data item `id` was posted. */
    timesPosted: (id: string) => posted.filter((upload) => upload.id === id).length,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
