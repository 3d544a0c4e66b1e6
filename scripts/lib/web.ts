import type http from "node:http";
import path from "node:path";
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import express from "express";
import { ROOT } from "./migrations";

/**
 * The web server: the Remix build behind Express, with fingerprinted assets cached for a year.
 * The build is loaded only here, after the start-up script has settled the configuration.
 */
export async function startWebServer(opts: { host: string; port: number }): Promise<{ server: http.Server; url: string; stop(): Promise<void> }> {
  const buildFile = path.join(ROOT, "build/server/index.js");
  const build = require(buildFile) as ServerBuild;
  const app = express();
  app.disable("x-powered-by");
  app.use((_req, res, next) => {
    res.setHeader("X-Content-Type-Options", "nosniff");
    res.setHeader("Referrer-Policy", "strict-origin-when-cross-origin");
    next();
  });
  app.use("/build", express.static(path.join(ROOT, "build/client"), { immutable: true, maxAge: "1y", index: false }));
  app.all("*", createRequestHandler({ build, mode: build.mode }));
  const server = await new Promise<http.Server>((resolve, reject) => {
    const listening = app.listen(opts.port, opts.host, () => resolve(listening));
    listening.once("error", reject);
  });
  const { port } = server.address() as { port: number };
  return {
    server,
    url: `http://${opts.host}:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
