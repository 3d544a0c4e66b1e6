import type { IncomingHttpHeaders } from "node:http";
import type { Readable } from "node:stream";
import type { ServerBuild } from "@remix-run/node";
import { matchRoutes } from "@remix-run/react";
import { FORM_BYTES, type BodyKind, type BodyLimits } from "~/modules/body-limits";
import { errorHeaders, UserError } from "~/modules/errors.server";

const KB = 1024;
const MB = 1024 * KB;

/** A body the route does not take (415) or that is larger than it takes (413). */
export class BodyRefused extends UserError {}

const TYPES: Record<string, BodyKind> = {
  "application/json": "json",
  "application/x-www-form-urlencoded": "urlencoded",
  "multipart/form-data": "multipart",
  "text/plain": "text",
};

const size = (bytes: number) => (bytes < MB ? `${Math.round(bytes / KB)} KB` : `${Number((bytes / MB).toFixed(1))} MB`);

function tooLarge(kind: BodyKind, limit: number): BodyRefused {
  if (kind === "json" || kind === "text") return new BodyRefused(`This request is larger than ${size(limit)}.`, 413);
  if (kind === "multipart" && limit > FORM_BYTES) return new BodyRefused(`This upload is larger than ${size(limit - FORM_BYTES)}.`, 413);
  return new BodyRefused(`This form is larger than ${size(limit)}.`, 413);
}

function unsupported(limits: BodyLimits, type: string): BodyRefused {
  const takes = limits.json ? "JSON (application/json)" : limits.urlencoded ? "a form (application/x-www-form-urlencoded or multipart/form-data)" : limits.multipart ? "a form with a file (multipart/form-data)" : "";
  return new BodyRefused(takes ? `This address takes ${takes}, not ${type || "a body without a type"}.` : "This address takes no request body.", 415);
}

type RouteObject = Parameters<typeof matchRoutes>[0][number];

/** The route tree of a build, in the shape the router's matcher reads. */
function routeTree(routes: ServerBuild["routes"], parentId?: string): RouteObject[] {
  return Object.values(routes)
    .filter((route) => route.parentId === parentId)
    .map((route) => {
      const { id, path, caseSensitive } = route;
      if (route.index) return { id, path, caseSensitive, index: true };
      const children = routeTree(routes, id);
      return { id, path, caseSensitive, ...(children.length ? { children } : {}) };
    });
}

/**
 * Passes a request body on to the app while counting it: past `limit` it stops reading, so the
 * rest never leaves the socket, and the app's read fails with the refusal. Cancelling never
 * destroys the socket: the answer still has to go out on it.
 */
function boundedBody(source: Readable, limit: number, refusal: BodyRefused) {
  let received = 0;
  let draining = false;
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let settled = false;
  let resolveOutcome!: (outcome: BodyRefused | undefined) => void;
  const outcome = new Promise<BodyRefused | undefined>((resolve) => (resolveOutcome = resolve));
  const settle = (result: BodyRefused | undefined) => {
    settled = true;
    resolveOutcome(result);
  };
  const onData = (chunk: Buffer) => {
    received += chunk.length;
    if (received > limit) {
      source.off("data", onData);
      source.pause();
      controller.error(refusal);
      return settle(refusal);
    }
    if (draining) return;
    controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    if ((controller.desiredSize ?? 0) <= 0) source.pause();
  };
  const stream = new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
        source.on("data", onData);
        source.once("end", () => {
          if (!draining) controller.close();
          settle(undefined);
        });
        // A client that goes away mid-body: the action's read fails, and there is no one to answer.
        source.on("error", (error) => controller.error(error));
        source.once("close", () => {
          if (!settled) controller.error(new Error("The request body was cut off."));
          settle(undefined);
        });
      },
      pull: () => void source.resume(),
      cancel: () => {
        draining = true;
        source.pause();
      },
    },
    { highWaterMark: 64 * KB, size: (chunk) => chunk.byteLength },
  );
  return {
    stream,
    /** How the body ended; what the action left unread is read (and dropped) up to the limit first. */
    finished() {
      if (!settled) {
        draining = true;
        source.resume();
      }
      return outcome;
    },
  };
}

/** A refusal known before reading: the body is never read, and the app's read fails at once. */
function refusedBody(refusal: BodyRefused) {
  return {
    stream: new ReadableStream<Uint8Array>({ start: (controller) => controller.error(refusal) }),
    finished: async () => refusal,
  };
}

/**
 * The request bodies of a build's actions, bounded before they are read. For each request it finds
 * the action the request reaches (as Remix picks it: the deepest route with a path, `?index` for an
 * index route, single-fetch `.data` paths included) and that route's `bodyLimits`. A body of a kind
 * the action does not take, or declared larger than it takes, is refused before a byte is read; a
 * body sent without its length is cut off as soon as it passes the limit. The action sees the
 * refusal as a failed read (forms.server.ts and http.server.ts turn it into its message); whatever
 * it answers, a refused request is answered with the refusal, connection closed.
 */
export function createBodyGate(routes: ServerBuild["routes"]) {
  const tree = routeTree(routes);

  function limitsFor(url: URL): BodyLimits {
    const pathname = url.pathname === "/_root.data" ? "/" : url.pathname.replace(/\.data$/, "");
    const matches = matchRoutes(tree, pathname);
    if (!matches?.length) return {};
    const last = matches[matches.length - 1]!;
    const indexAsked = url.searchParams.getAll("index").includes("");
    const target = last.route.index && indexAsked ? last : matches.filter((match, i) => i === 0 || match.route.path).pop()!;
    return (routes[target.route.id!]?.module as { bodyLimits?: BodyLimits } | undefined)?.bodyLimits ?? {};
  }

  return {
    admit(url: URL, headers: IncomingHttpHeaders, source: Readable) {
      const declared = headers["content-length"] === undefined ? undefined : Number(headers["content-length"]);
      if (headers["transfer-encoding"] === undefined && !declared) return undefined;
      const limits = limitsFor(url);
      const type = (headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
      const kind = TYPES[type];
      const limit = kind && limits[kind];
      const body = !kind || !limit ? refusedBody(unsupported(limits, type)) : declared !== undefined && declared > limit ? refusedBody(tooLarge(kind, limit)) : boundedBody(source, limit, tooLarge(kind, limit));
      return {
        stream: body.stream,
        /** The action's answer, or the refusal when the body was refused. */
        async answer(response: Response): Promise<Response> {
          const refusal = await body.finished();
          if (!refusal) return response;
          const headers = { ...errorHeaders(refusal), connection: "close" };
          // A route without an action answers 405 before it would read anything: the truer answer.
          if (response.status === refusal.status || response.status === 405) {
            const kept = new Response(response.body, response);
            for (const [name, value] of Object.entries(headers)) kept.headers.set(name, value);
            return kept;
          }
          await response.body?.cancel();
          return limits.json ? Response.json({ error: refusal.message }, { status: refusal.status, headers }) : new Response(refusal.message, { status: refusal.status, headers });
        },
      };
    },
  };
}

/**
 * The whole body of a request, read through the gate's bounds; a refused body throws its refusal
 * (a UserError with its status and message).
 */
export async function readBody(request: Request): Promise<Buffer> {
  if (!request.body) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return Buffer.concat(chunks);
    chunks.push(value);
  }
}
