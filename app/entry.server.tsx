import crypto from "node:crypto";
import { PassThrough } from "node:stream";
import type { EntryContext } from "@remix-run/node";
import { createReadableStreamFromReadable } from "@remix-run/node";
import { RemixServer } from "@remix-run/react";
import { renderToPipeableStream } from "react-dom/server";
import { NonceContext, pageNeeds } from "~/components/page-scripts";
import { getDb } from "~/db.server";
import { getEnv } from "~/env.server";
import { federationHandler, isFederationRequest } from "~/modules/federation/http.server";
import { publicationRoute, siteForHost, type Site } from "~/modules/publications/domains.server";
import { createBodyGate } from "~/modules/request-body.server";
import { cookieHasSession, namesEtag, PRIVATE_CACHE_CONTROL } from "~/modules/reading/cache.server";
import { validationsFor } from "~/modules/reading/page-validator.server";
import { readersFor, withNav } from "~/modules/reading/personal.server";
import { EVERY_RESPONSE, NOT_A_PAGE, pageSecurityHeaders } from "~/modules/security-headers.server";

/** How long a page may take to render before it is cut short. */
export const streamTimeout = 5_000;

/**
 * Renders a page whole before sending it: no page defers data, and a whole page is what crawlers,
 * link previews and the web server's page cache want. Its security policy allows what its routes
 * say it loads; a page that runs the client bundle gets a fresh nonce for its inline scripts.
 */
export default function handleRequest(request: Request, responseStatusCode: number, responseHeaders: Headers, remixContext: EntryContext) {
  const { matches, loaderData } = remixContext.staticHandlerContext;
  const needs = pageNeeds(matches.map(({ route }) => ({ handle: remixContext.routeModules[route.id]?.handle, data: loaderData[route.id] })));
  const nonce = needs.bundle ? crypto.randomBytes(16).toString("base64") : undefined;
  const env = getEnv();
  for (const [name, value] of Object.entries(pageSecurityHeaders(needs, { nonce, publicUrl: env.publicUrl, gatewayUrl: env.storage.gatewayUrl }))) {
    responseHeaders.set(name, value);
  }
  return new Promise<Response>((resolve, reject) => {
    let status = responseStatusCode;
    const { pipe, abort } = renderToPipeableStream(
      <NonceContext.Provider value={nonce}>
        <RemixServer context={remixContext} url={request.url} nonce={nonce} />
      </NonceContext.Provider>,
      {
        nonce,
        onAllReady() {
          const body = new PassThrough();
          responseHeaders.set("Content-Type", "text/html; charset=utf-8");
          resolve(new Response(createReadableStreamFromReadable(body), { headers: responseHeaders, status }));
          pipe(body);
        },
        onShellError(error) {
          reject(error);
        },
        onError(error) {
          status = 500;
          console.error(error);
        },
      },
    );
    setTimeout(abort, streamTimeout + 1_000);
  });
}

const validations = validationsFor(getDb);
const readers = readersFor(getDb);

/** What the web server's page cache (app/server/web.server.ts) asks of the app. */
export const pageCache = {
  /**
   * Which page a request for `url` with this Cookie header shows and the ETag it has now; null
   * when the page is not one to keep. A signed-in reader gets the kept page with their own account
   * links (`personal`), but for a writer on their own entry, whose controls are on it: null, and
   * it is drawn whole for them. A session that is unknown or over reads as anyone does.
   */
  validate: async (url: URL, cookie: string | undefined) => {
    if (!cookieHasSession(cookie)) return validations.validate(url);
    const [page, reader] = await Promise.all([validations.validate(url), readers.of(cookie!)]);
    if (!page || (reader.id !== null && page.owner === reader.id)) return null;
    return { ...page, personal: (body: Buffer) => withNav(body, reader.nav) };
  },
  /** Called by the web server after every request that may have changed something (a sign-out among them). */
  changed: () => {
    validations.forget();
    readers.forget();
  },
  /** Whether an If-None-Match header names the ETag. */
  namesEtag,
  privateCacheControl: PRIVATE_CACHE_CONTROL,
};

/** The app's database client, for the web server's own use (its schema check, its last disconnect). */
export { getDb };

/** The security headers the web server sends with every response, and with every response that is not a page. */
export const securityHeaders = { everyResponse: EVERY_RESPONSE, notAPage: NOT_A_PAGE };
/** What the web server asks of the app before it reads a request body: each action's limits. */
export const requestBodies = createBodyGate;

/**
 * Which site a request is for, by its host name (the first X-Forwarded-Host, else Host: the name
 * Remix builds the request's URL from, so the site and `request.url` always agree): the press, a
 * publication at its own domain, or none (null). Either header is the client's to choose, so
 * neither gives more than asking for that host name outright. On a publication's domain, `route`
 * says which of the press's paths answers a path.
 */
export const sites = {
  of: (headers: { host?: string; "x-forwarded-host"?: string | string[] }) => siteForHost(getEnv(), [headers["x-forwarded-host"]].flat()[0]?.split(",")[0]?.trim() || headers.host),
  route: (site: Required<Site>, pathname: string, pressPages: ReadonlySet<string>) => publicationRoute(site, pathname, pressPages, getEnv().publicUrl),
};

/**
 * The social web's requests (WebFinger, NodeInfo, actors, inboxes, and a page's URL asked for as
 * ActivityStreams), answered before any page: `handle` gives null to let the page answer.
 */
export const federation = {
  wants: isFederationRequest,
  handler: () => federationHandler(getDb(), getEnv()),
};
