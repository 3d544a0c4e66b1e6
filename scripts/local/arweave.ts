import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import ArLocal from "arlocal";
import Arweave from "arweave";
import type { JWKInterface } from "arweave/node/lib/wallet";
import { longTo32ByteArray } from "@irys/bundles";
import { verifyDataItem } from "../../app/modules/storage/data-item.server";
import { waitFor, type LocalService } from "./service";

/**
 * A local Arweave gateway (arlocal) bound to 127.0.0.1. With `persist`, its database survives
 * restarts in `dir`; without, arlocal deletes `dir` on start and stop, so it must be a scratch folder.
 */
export async function startLocalArweave(opts: { port: number; dir: string; persist: boolean }): Promise<LocalService> {
  fs.mkdirSync(path.dirname(opts.dir), { recursive: true });
  const arlocal = new ArLocal(opts.port, false, opts.dir, opts.persist);
  // arlocal appends every request to ./logs in the working directory; keep that with our own logs.
  const logFile = path.join(path.dirname(opts.dir), "logs", "arweave.log");
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  (arlocal as unknown as { log: { logInFile(args: string[]): void } }).log.logInFile = (args) => {
    if (args.length > 3) fs.appendFile(logFile, `${new Date().toISOString()} ${args.slice(1, 5).join(" ")}\n`, () => {});
  };
  // arlocal listens on every interface; its Koa app is served here on loopback only.
  const app = (arlocal as unknown as { app: { listen: unknown; callback(): http.RequestListener } }).app;
  app.listen = (port: number) => http.createServer(app.callback()).listen(port, "127.0.0.1");
  await arlocal.start();
  const url = `http://127.0.0.1:${opts.port}`;
  await waitFor(`the local Arweave gateway on ${url}`, 10_000, async () => (await fetch(`${url}/info`)).ok);
  return {
    url,
    stop: async () => {
      await new Promise<void>((resolve) => arlocal.getServer().close(() => resolve()));
      await arlocal.stop();
    },
  };
}

/** The bundler's Arweave wallet, made once per data folder (an RSA key takes a moment to make). */
async function bundlerWallet(arweave: Arweave, file: string): Promise<JWKInterface> {
  if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, "utf8")) as JWKInterface;
  const jwk = await arweave.wallets.generate();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(jwk), { mode: 0o600 });
  return jwk;
}

/** An ANS-104 bundle (binary, version 2.0.0) holding the given signed data items. */
function bundleOf(items: Array<{ id: string; bytes: Buffer }>): Buffer {
  const headers = items.map((item) => Buffer.concat([Buffer.from(longTo32ByteArray(item.bytes.length)), Buffer.from(item.id, "base64url")]));
  return Buffer.concat([Buffer.from(longTo32ByteArray(items.length)), ...headers, ...items.map((item) => item.bytes)]);
}

const MAX_ITEM_BYTES = 50 * 1024 * 1024;

/**
 * A local endpoint speaking the Irys upload protocol in front of a local gateway: it verifies each
 * ANS-104 data item, wraps it in a bundle posted to the gateway as an Arweave transaction, and
 * mines it, so the item is readable by id and findable by tag as soon as the upload answers.
 * Uploading is free here: prices are 0 and every balance suffices. Like Irys, it answers 200 for a
 * new item, 201 for one it already has, and `GET /tx/{id}` for items it holds.
 */
export async function startLocalBundler(opts: { port: number; gatewayUrl: string; walletFile: string }): Promise<LocalService> {
  const gateway = new URL(opts.gatewayUrl);
  const arweave = Arweave.init({ host: gateway.hostname, port: Number(gateway.port), protocol: gateway.protocol.replace(":", "") });
  const jwk = await bundlerWallet(arweave, opts.walletFile);
  const address = await arweave.wallets.jwkToAddress(jwk);
  await fetch(new URL(`/mint/${address}/1000000000000000000`, gateway));

  // One upload at a time: each is posted and mined before the next, as a real bundler orders them.
  let queue: Promise<unknown> = Promise.resolve();
  const serially = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work, work);
    queue = next.catch(() => {});
    return next;
  };

  async function store(item: { id: string; bytes: Buffer }) {
    const existing = await fetch(new URL(`/${item.id}`, gateway), { method: "HEAD" });
    if (existing.ok) return { created: false };
    const tx = await arweave.createTransaction({ data: bundleOf([item]) }, jwk);
    tx.addTag("Bundle-Format", "binary");
    tx.addTag("Bundle-Version", "2.0.0");
    await arweave.transactions.sign(tx, jwk);
    const posted = await arweave.transactions.post(tx);
    if (posted.status >= 300) throw new Error(`the gateway refused the bundle (${posted.status})`);
    const mined = await fetch(new URL("/mine", gateway));
    if (!mined.ok) throw new Error(`the gateway could not mine (${mined.status})`);
    return { created: true };
  }

  const json = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
  // Refusals are plain text, as Irys nodes send them, so clients can show the reason.
  const refuse = (res: http.ServerResponse, status: number, reason: string) => {
    res.writeHead(status, { "content-type": "text/plain" });
    res.end(reason);
  };

  const server = http.createServer(async (req, res) => {
    try {
      const { pathname } = new URL(req.url ?? "/", "http://localhost");
      const parts = pathname.split("/").filter(Boolean);
      if (req.method === "GET" && (pathname === "/" || pathname === "/info")) {
        return json(res, 200, { version: "local", gateway: gateway.host, addresses: { arweave: address } });
      }
      if (req.method === "GET" && parts[0] === "price" && parts.length === 3) return json(res, 200, 0);
      if (req.method === "GET" && parts[0] === "account" && parts[1] === "balance") return json(res, 200, { balance: "0" });
      if (req.method === "POST" && parts[0] === "tx" && parts.length === 2) {
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const chunk of req) {
          size += (chunk as Buffer).length;
          if (size > MAX_ITEM_BYTES) return refuse(res, 413, `data items above ${MAX_ITEM_BYTES} bytes go through the chunked upload`);
          chunks.push(chunk as Buffer);
        }
        const bytes = Buffer.concat(chunks);
        const verified = await verifyDataItem(bytes);
        if (!verified) return refuse(res, 400, "invalid data item: its structure or signature does not verify");
        const { created } = await serially(() => store({ id: verified.id, bytes }));
        if (!created) {
          res.writeHead(201, { "content-type": "text/plain" });
          return res.end(`Transaction ${verified.id} already received`);
        }
        return json(res, 200, { id: verified.id, timestamp: Date.now(), version: "1.0.0", public: verified.owner, deadlineHeight: 0, block: 0 });
      }
      if (req.method === "GET" && parts[0] === "tx" && parts.length === 2) {
        const held = await fetch(new URL(`/${parts[1]}`, gateway), { method: "HEAD" });
        return held.ok ? json(res, 200, { id: parts[1] }) : refuse(res, 404, `no data item ${parts[1]}`);
      }
      refuse(res, 404, `no such route: ${req.method} ${pathname}`);
    } catch (error) {
      refuse(res, 500, (error as Error).message);
    }
  });
  await new Promise<void>((resolve) => server.listen(opts.port, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${opts.port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
