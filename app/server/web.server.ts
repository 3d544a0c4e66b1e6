import type http from "node:http";
import path from "node:path";
import { Readable } from "node:stream";
import { createRequestHandler } from "@remix-run/express";
import { createRemixHeaders, sendRemixResponse } from "@remix-run/express/dist/server";
import { createRequestHandler as createFetchHandler, type ServerBuild } from "@remix-run/node";
import express from "express";
import type { Database } from "../db.server";
import type { PublicationRoute, Site } from "../modules/publications/domains.server";
import { PageCache } from "./page-cache.server";

const ROOT = path.resolve(__dirname, "../..");

/** What the app's server entry (app/entry.server.tsx) offers the web server besides rendering. */
interface AppServerEntry {
  /** The app's database client: the web role uses it too, so the process has one. */
  getDb(): Database;
  pageCache?: {
    /**
     * The page to answer from memory, if any; `personal` draws a signed-in reader's part into the
     * kept page (undefined when the page has no place for it: it is then rendered whole for them).
     */
    validate(url: URL, cookie: string | undefined): Promise<{ key: string; etag: string; personal?: (body: Buffer) => Buffer | undefined } | null>;
    changed?(): void;
    namesEtag(header: string | undefined, etag: string): boolean;
    /** The Cache-Control of a page drawn for a signed-in reader. */
    privateCacheControl: string;
  };
  securityHeaders: { everyResponse: Record<string, string>; notAPage: Record<string, string> };
  federation?: {
    wants(method: string, path: string, accept: string | undefined): boolean;
    handler(): (request: Request) => Promise<Response | null>;
  };
  sites?: {
    of(headers: http.IncomingHttpHeaders): Promise<Site | null>;
    route(site: Required<Site>, pathname: string, pressPages: ReadonlySet<string>): PublicationRoute;
  };
  requestBodies?(routes: ServerBuild["routes"]): {
    admit(url: URL, headers: http.IncomingHttpHeaders, source: Readable): { stream: ReadableStream<Uint8Array>; answer(response: Response): Promise<Response> } | undefined;
  };
}

/** The app as `npm run build` left it (build/server), loaded once. */
export function appBuild(): ServerBuild & { entry: { module: AppServerEntry } } {
  return require(path.join(ROOT, "build/server/index.js")) as ServerBuild & { entry: { module: AppServerEntry } };
}

/** Memory the page cache may use: about 6,000 long essays. */
const PAGE_CACHE_BYTES = 64 * 1024 * 1024;

/**
 * What loaders and actions learn about a request beyond it: where its connection came from, and
 * the site (the press, or a publication at its own domain) its host name names.
 */
const loadContext = (req: express.Request, res: express.Response) => ({ clientAddress: req.socket.remoteAddress, site: res.locals.site as Site | undefined });

/**
 * The web server: the Remix build behind Express, with fingerprinted assets cached for a year and
 * anonymous readers' entry pages answered from memory while their ETag is current. The build is
 * loaded only here, after the start-up script has settled the configuration.
 */
export async function startWebServer(opts: { host: string; port: number }): Promise<{ server: http.Server; url: string; pages: PageCache; changed(): void; stop(graceMs?: number): Promise<void> }> {
  const build = appBuild();
  const app = express();
  app.disable("x-powered-by");
  const entry = build.entry.module as typeof build.entry.module & AppServerEntry;
  const { securityHeaders } = entry;
  app.use((_req, res, next) => {
    for (const [name, value] of Object.entries(securityHeaders.everyResponse)) res.setHeader(name, value);
    // A page brings the policy that fits it. Anything else gets the app's locked-down one, set as
    // the head is written: set before, the page's own would be added to it, and two policies both apply.
    // A 304 gets none: browsers replace the headers they kept with a 304's, so the locked-down
    // policy would become the kept page's own and block its stylesheet.
    const writeHead = res.writeHead;
    res.writeHead = function (this: typeof res, ...args: Parameters<typeof writeHead>) {
      if (args[0] !== 304 && !res.hasHeader("content-security-policy")) for (const [name, value] of Object.entries(securityHeaders.notAPage)) res.setHeader(name, value);
      return writeHead.apply(this, args);
    } as typeof writeHead;
    next();
  });
  const sites = entry.sites;
  if (sites) {
    // The press's own pages by the first segment of their paths (drafts, settings...): on a
    // publication's domain they are at the press's host instead.
    const pressPages = new Set(Object.values(build.routes).flatMap((route) => (route.path && !/^[:$*]/.test(route.path) ? [route.path.split("/")[0]!] : [])));
    // Every request is for a site this press serves: a host name it does not know is refused, so
    // no name pointed at it shows another site's content. On a publication's domain, the request
    // goes on as the press's path that answers it.
    app.use(async (req, res, next) => {
      // A load balancer's health check names whatever host it likes (often an IP address).
      if (req.path === "/healthz") return next();
      try {
        const site = await sites.of(req.headers);
        if (!site) return res.status(421).type("text/plain").send("This press does not serve that host name.");
        res.locals.site = site;
        if (!site.publication) return next();
        const route = sites.route(site as Required<Site>, req.path, pressPages);
        if ("redirect" in route) return res.redirect(302, `${route.redirect}${req.originalUrl.slice(req.path.length)}`);
        if ("notFound" in route) return res.status(404).type("text/plain").send("There is no such page.");
        req.url = req.originalUrl = `${route.path}${req.originalUrl.slice(req.path.length)}`;
        next();
      } catch (error) {
        next(error);
      }
    });
  }
  // A request that may change something (every one but GET and HEAD) makes the page cache ask the
  // database again once it is answered: this process's own changes show on the next request.
  const changed = entry.pageCache?.changed;
  if (changed) {
    app.use((req, res, next) => {
      if (req.method !== "GET" && req.method !== "HEAD") res.once("close", changed);
      next();
    });
  }
  const federation = entry.federation;
  if (federation) {
    // The social web (ActivityPub through Fedify): its own paths, and a page's URL asked for as
    // ActivityStreams. Everything else, every browser's request among it, passes untouched.
    const handle = federation.handler();
    app.use(async (req, res, next) => {
      // The social web knows the press's host only: a publication's domain serves pages alone.
      if ((res.locals.site as Site | undefined)?.publication || !federation.wants(req.method, req.path, req.headers.accept)) return next();
      try {
        const url = `${req.protocol}://${req.get("host")}${req.originalUrl}`;
        const hasBody = req.method !== "GET" && req.method !== "HEAD";
        const request = new Request(url, { method: req.method, headers: createRemixHeaders(req.headers), body: hasBody ? (Readable.toWeb(req) as ReadableStream<Uint8Array>) : undefined, duplex: "half" } as RequestInit);
        const response = await handle(request);
        if (!response) return next();
        await sendRemixResponse(res, response);
      } catch (error) {
        next(error);
      }
    });
  }
  app.use("/build", express.static(path.join(ROOT, "build/client"), { immutable: true, maxAge: "1y", index: false }));

  const pages = new PageCache(PAGE_CACHE_BYTES);
  const hooks = entry.pageCache;
  const render = createFetchHandler(build, build.mode);
  if (hooks) {
    app.get("*", async (req, res, next) => {
      try {
        const url = new URL(req.originalUrl, "http://page");
        const current = await hooks.validate(url, req.headers.cookie);
        if (!current) return next();
        const { key, etag, personal } = current;
        let page = pages.get(key, etag);
        if (!page) {
          if (req.method !== "GET") return next();
          // The copy for everyone is drawn without the reader's cookie, whoever asked for it.
          const headers = new Headers();
          for (let i = 0; i < req.rawHeaders.length; i += 2) if (req.rawHeaders[i]!.toLowerCase() !== "cookie") headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
          const response = await render(new Request(`${req.protocol}://${req.get("host")}${req.originalUrl}`, { headers }), loadContext(req, res));
          const body = Buffer.from(await response.arrayBuffer());
          const rendered = { etag: response.headers.get("etag") ?? "", status: response.status, headers: [...response.headers], body };
          // Only a whole page rendered under the ETag just validated, for anyone, is kept.
          const keep = response.status === 200 && rendered.etag === etag && !response.headers.has("set-cookie");
          if (keep) pages.set(key, rendered);
          else if (personal) return next();
          page = rendered;
          res.setHeader("X-Page-Cache", "miss");
        } else {
          // Says whether the kept copy answered, for operators and caches in front reading the logs.
          res.setHeader("X-Page-Cache", "hit");
        }
        if (personal) {
          // A signed-in reader: the page for everyone with their own part drawn in, never stored
          // by a cache in front and never revalidated (what it shows depends on the session too).
          const body = page.status === 200 ? personal(page.body) : undefined;
          if (!body) {
            res.removeHeader("X-Page-Cache");
            return next();
          }
          for (const [name, value] of page.headers) if (name !== "content-length" && name !== "etag" && name !== "cache-control") res.append(name, value);
          res.setHeader("Cache-Control", hooks.privateCacheControl);
          res.setHeader("Content-Length", body.length);
          return res.status(200).end(body);
        }
        for (const [name, value] of page.headers) if (name !== "content-length") res.append(name, value);
        if (page.status === 200 && hooks.namesEtag(req.headers["if-none-match"], page.etag)) res.status(304).end();
        else res.status(page.status).send(page.body);
      } catch (error) {
        next(error);
      }
    });
  }
  // A state-changing request from another site is refused here, with a 403 that says so. Remix
  // would refuse a page's action on the same test (the Origin's host against X-Forwarded-Host, else
  // Host) with a bare 500.
  app.use((req, res, next) => {
    if (req.method === "GET" || req.method === "HEAD") return next();
    const origin = req.headers.origin;
    const host = req.get("x-forwarded-host")?.split(",")[0]?.trim() || req.headers.host;
    if (!origin || origin === "null" || (URL.canParse(origin) && new URL(origin).host === host)) return next();
    res.status(403).set({ "content-type": "text/plain; charset=utf-8", connection: "close" }).send("This request came from another site and was refused.");
  });
  const bodies = entry.requestBodies?.(build.routes);
  if (bodies) {
    // Every request body is bounded by what the action it reaches declares before the app reads a
    // byte of it (app/modules/request-body.server.ts); GET and HEAD carry none and pass untouched.
    app.use(async (req, res, next) => {
      if (req.method === "GET" || req.method === "HEAD") return next();
      try {
        const url = new URL(`${req.protocol}://${req.get("host")}${req.originalUrl}`);
        const body = bodies.admit(url, req.headers, req);
        const request = new Request(url, { method: req.method, headers: createRemixHeaders(req.headers), body: body?.stream, duplex: "half" } as RequestInit);
        const response = await render(request, loadContext(req, res));
        await sendRemixResponse(res, body ? await body.answer(response) : response);
      } catch (error) {
        next(error);
      }
    });
  }
  app.all("*", createRequestHandler({ build, mode: build.mode, getLoadContext: loadContext }));
  const server = await new Promise<http.Server>((resolve, reject) => {
    const listening = app.listen(opts.port, opts.host, () => resolve(listening));
    listening.once("error", reject);
  });
  const { port } = server.address() as { port: number };
  return {
    server,
    url: `http://${opts.host}:${port}`,
    pages,
    /** What a request that changed something does: the page cache asks the database again. */
    changed: () => changed?.(),
    // Stops taking connections, lets requests in flight finish (up to `graceMs`), then closes the rest.
    stop: (graceMs = 10_000) =>
      new Promise<void>((resolve) => {
        const cutOff = setTimeout(() => server.closeAllConnections(), graceMs);
        server.close(() => {
          clearTimeout(cutOff);
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}
