/// <reference types="@remix-run/dev" />
/// <reference types="@remix-run/node" />

import "@remix-run/node";

// Single fetch is on (remix.config.js): loaders and actions return data, typed as such.
declare module "@remix-run/node" {
  interface Future {
    v3_singleFetch: true;
  }
  /** What the web server (app/server/web.server.ts) tells every loader and action besides the request. */
  interface AppLoadContext {
    /** The address the request's connection came from: the client's, or the nearest proxy's. */
    clientAddress?: string;
  }
}
