/**
 * A remote social-web server on loopback, for tests and benchmarks of the press's deliveries: every
 * POST is an inbox post, whose HTTP signature is verified for real with Fedify's `verifyRequest`
 * (the key fetched from the press that signed it) and recorded; GET serves its own people as
 * ActivityPub actors, through Fedify, so it can also post signed activities to the press.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createFederation, generateCryptoKeyPair, MemoryKvStore, verifyRequest, type KeyCache } from "@fedify/fedify";
import { Endpoints, Person, type Activity, type CryptographicKey, type Multikey } from "@fedify/vocab";
import { getDocumentLoader } from "@fedify/vocab-runtime";

type Spec = "rfc9421" | "draft-cavage-http-signatures-12";

export interface Arrival {
  path: string;
  activityId: string;
  type: string;
  /** Which HTTP Signatures the request was verified with. */
  spec: Spec;
  /** The key it was signed with, and whom that key belongs to. */
  keyId: string;
  keyOwner: string;
  /** The activity as it arrived (not kept with `countOnly`). */
  json?: Record<string, unknown>;
}

export interface Refusal {
  path: string;
  status: number;
  reason: string;
  /** The key the post said it was signed with, if any. */
  keyId?: string;
}

/** The key id a signed request names (draft-cavage `Signature` or RFC 9421 `Signature-Input`). */
const keyIdOf = (headers: Headers) => (/keyId="([^"]+)"/i.exec(headers.get("signature") ?? "") ?? /keyid="([^"]+)"/i.exec(headers.get("signature-input") ?? ""))?.[1];

const MAX_BODY = 1024 * 1024;

async function readBody(req: http.IncomingMessage): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * Starts the server. `specs`: the HTTP Signatures it accepts (an older Mastodon knows draft-cavage
 * only, and answers 401 to the rest); `verifyEvery`: verify one post in n (1: all of them);
 * `cacheKeys`: keep fetched keys, as real servers do; `countOnly`: keep no bodies.
 */
export async function startInboxServer(opts: { specs?: Spec[]; verifyEvery?: number; cacheKeys?: boolean; countOnly?: boolean } = {}) {
  const specs = new Set<Spec>(opts.specs ?? ["rfc9421", "draft-cavage-http-signatures-12"]);
  const loader = getDocumentLoader({ allowPrivateAddress: true });
  const keys = new Map<string, CryptographicKey | Multikey | null>();
  const keyCache: KeyCache | undefined = opts.cacheKeys
    ? { get: async (keyId) => keys.get(keyId.href), set: async (keyId, key) => void keys.set(keyId.href, key) }
    : undefined;
  const arrivals: Arrival[] = [];
  const refusals: Refusal[] = [];
  /** Per activity id and path: how many times it was accepted. */
  const accepted = new Map<string, number>();
  const statuses = new Map<string, number>();
  let posts = 0;

  // Its people, as actors with keys, so it can sign what it posts to the press.
  const pair = await generateCryptoKeyPair("RSASSA-PKCS1-v1_5");
  const remote = createFederation<void>({ kv: new MemoryKvStore(), allowPrivateAddress: true });
  let origin = "";
  remote
    .setActorDispatcher("/users/{identifier}", async (ctx, identifier) => {
      const [key] = await ctx.getActorKeyPairs(identifier);
      return new Person({
        id: ctx.getActorUri(identifier),
        preferredUsername: identifier,
        name: `Reader ${identifier}`,
        inbox: new URL(`/users/${identifier}/inbox`, origin),
        endpoints: new Endpoints({ sharedInbox: new URL("/inbox", origin) }),
        publicKey: key?.cryptographicKey,
      });
    })
    .setKeyPairsDispatcher(() => [pair]);

  const refuse = (res: http.ServerResponse, refusal: Refusal) => {
    refusals.push(refusal);
    res.writeHead(refusal.status, { "content-type": "text/plain" }).end(refusal.reason);
  };

  const server = http.createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? "/", origin);
      const headers = new Headers();
      for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
      if (req.method !== "POST") {
        const response = await remote.fetch(new Request(url, { method: req.method, headers }), { contextData: undefined });
        res.writeHead(response.status, Object.fromEntries(response.headers)).end(Buffer.from(await response.arrayBuffer()));
        return;
      }
      const body = await readBody(req);
      const keyId = keyIdOf(headers);
      if (!body) return refuse(res, { path: url.pathname, status: 413, reason: "too large", keyId });
      const status = statuses.get(url.pathname);
      if (status !== undefined && status >= 300) return refuse(res, { path: url.pathname, status, reason: "told to fail", keyId });
      const spec: Spec = headers.has("signature-input") ? "rfc9421" : "draft-cavage-http-signatures-12";
      if (!specs.has(spec)) return refuse(res, { path: url.pathname, status: 401, reason: `${spec} not accepted`, keyId });
      const request = new Request(url, { method: "POST", headers, body: new Uint8Array(body) });
      const verify = (opts.verifyEvery ?? 1) <= 1 || posts++ % opts.verifyEvery! === 0;
      const key = verify ? await verifyRequest(request, { documentLoader: loader, contextLoader: loader, spec, keyCache }) : undefined;
      if (key === null) return refuse(res, { path: url.pathname, status: 401, reason: "signature not verified", keyId });
      const json = JSON.parse(body.toString("utf8")) as Record<string, unknown>;
      const activityId = String(json.id);
      if (key && (key.ownerId?.href ?? "") !== json.actor) return refuse(res, { path: url.pathname, status: 401, reason: `signed by ${key.ownerId?.href}, not by ${String(json.actor)}`, keyId });
      const seen = `${url.pathname} ${activityId}`;
      accepted.set(seen, (accepted.get(seen) ?? 0) + 1);
      arrivals.push({ path: url.pathname, activityId, type: String(json.type), spec, keyId: key?.id?.href ?? "", keyOwner: key?.ownerId?.href ?? "", json: opts.countOnly ? undefined : json });
      res.writeHead(202).end();
    } catch (error) {
      res.writeHead(500, { "content-type": "text/plain" }).end(String(error));
    }
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    origin,
    url: (path: string) => `${origin}${path}`,
    arrivals,
    refusals,
    /** Answers every post to `path` with `status` from now on (undefined: accept again). */
    answer(path: string, status: number | undefined) {
      if (status === undefined) statuses.delete(path);
      else statuses.set(path, status);
    },
    /** What arrived at `path` (verified and accepted). */
    at: (path: string) => arrivals.filter((arrival) => arrival.path === path),
    /** How many (inbox, activity) pairs arrived more than once (of activities whose id starts with `prefix`). */
    duplicates: (prefix = "") => [...accepted].filter(([seen, n]) => n > 1 && seen.split(" ")[1]!.startsWith(prefix)).length,
    /** How many distinct (inbox, activity) pairs arrived. */
    distinct: () => accepted.size,
    /** Posts `activity` to `inbox` as the person `identifier` of this server, signed by their key. */
    async post(identifier: string, recipient: { id: URL; inboxId: URL }, activity: Activity) {
      const ctx = remote.createContext(new URL(origin));
      await ctx.sendActivity({ identifier }, recipient, activity, { immediate: true });
    },
    actorUri: (identifier: string) => new URL(`/users/${identifier}`, origin),
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export type InboxServer = Awaited<ReturnType<typeof startInboxServer>>;
