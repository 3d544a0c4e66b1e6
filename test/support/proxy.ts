import http from "node:http";
import { freePort } from "../../scripts/local/service";

/**
 * A bundler endpoint that misbehaves on uploads before passing them on to a real one: it fails the
 * first `failFirst` uploads with 503 (as an overloaded node does), or holds every upload without
 * answering (`hang`), which is what a process sees when it dies mid-upload. Other requests pass.
 */
export async function startFlakyBundler(target: string, opts: { failFirst?: number; hang?: boolean }) {
  let uploads = 0;
  const held: http.ServerResponse[] = [];
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const isUpload = req.method === "POST" && /^\/tx\/[^/]+$/.test(req.url ?? "");
    if (isUpload) {
      uploads++;
      if (opts.hang) return void held.push(res);
      if (uploads <= (opts.failFirst ?? 0)) {
        res.writeHead(503, { "content-type": "text/plain" });
        return void res.end("temporarily unavailable");
      }
    }
    const forwarded = await fetch(new URL(req.url ?? "/", target), {
      method: req.method,
      headers: { "content-type": req.headers["content-type"] ?? "application/octet-stream" },
      body: req.method === "GET" || req.method === "HEAD" ? undefined : Buffer.concat(chunks),
    });
    res.writeHead(forwarded.status, { "content-type": forwarded.headers.get("content-type") ?? "text/plain" });
    res.end(Buffer.from(await forwarded.arrayBuffer()));
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    uploads: () => uploads,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const res of held) res.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
