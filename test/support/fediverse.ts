/**
 * Another server on the social web, for tests: a real ActivityPub server built with Fedify on a
 * loopback port, with its own accounts and keys. It answers WebFinger and serves its actors (so the
 * press can fetch their keys and check their signatures), keeps every activity that reaches its
 * inboxes once its signature is verified, and sends signed activities to the press.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createFederation, generateCryptoKeyPair, MemoryKvStore, type Context, type Federation } from "@fedify/fedify";
import { Activity, Endpoints, Person } from "@fedify/vocab";
import { freePort } from "../../scripts/local/service";

export interface RemoteAccount {
  name: string;
  /** The actor's id. */
  id: URL;
  inbox: URL;
  handle: string;
}

export interface Peer {
  origin: string;
  /** Every activity its inboxes accepted, in order, as JSON. */
  received: Array<{ inbox: string; activity: Record<string, unknown> }>;
  account(name: string): RemoteAccount;
  context(): Context<void>;
  /** Sends `activity` from `name` to an inbox of the press, signed as Fedify signs (RFC 9421 first, draft-cavage on a second knock). */
  send(name: string, inbox: string | URL, activity: Activity): Promise<void>;
  /** Resolves once an activity matching `test` arrived, or rejects after `timeoutMs`. */
  waitFor(test: (activity: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

/**
 * Starts a peer at http://127.0.0.1:<port> with accounts `names`. `opts.port` lets a test list its
 * origin in the press's FEDERATION_TEST_ORIGINS before the press reads its settings. `opts.actors`
 * changes, per account, what its actor document says: its display name, or an inbox (also given as
 * its shared inbox) other than its own, as a server pointing the press at an address it does not serve.
 */
export async function startPeer(
  names: string[],
  opts: { port?: number; host?: string; sharedInbox?: boolean; actors?: Record<string, { name?: string; inbox?: string }> } = {},
): Promise<Peer> {
  const host = opts.host ?? "127.0.0.1";
  const port = opts.port ?? (await freePort());
  const origin = `http://${host}:${port}`;
  const keys = new Map<string, CryptoKeyPair[]>();
  for (const name of names) keys.set(name, [await generateCryptoKeyPair("RSASSA-PKCS1-v1_5"), await generateCryptoKeyPair("Ed25519")]);
  const received: Peer["received"] = [];
  const waiters = new Set<() => void>();

  const federation: Federation<void> = createFederation<void>({ kv: new MemoryKvStore(), origin, allowPrivateAddress: true });
  federation
    .setActorDispatcher("/users/{identifier}", async (ctx, identifier) => {
      if (!keys.has(identifier)) return null;
      const pairs = await ctx.getActorKeyPairs(identifier);
      const given = opts.actors?.[identifier];
      const elsewhere = given?.inbox;
      return new Person({
        id: ctx.getActorUri(identifier),
        preferredUsername: identifier,
        name: given?.name ?? `${identifier[0]!.toUpperCase()}${identifier.slice(1)} Remote`,
        url: new URL(`/@${identifier}`, origin),
        inbox: elsewhere ? new URL(elsewhere) : ctx.getInboxUri(identifier),
        endpoints: opts.sharedInbox === false ? null : new Endpoints({ sharedInbox: elsewhere ? new URL(elsewhere) : ctx.getInboxUri() }),
        publicKey: pairs[0]!.cryptographicKey,
        assertionMethods: pairs.map((pair) => pair.multikey),
      });
    })
    .setKeyPairsDispatcher((_ctx, identifier) => keys.get(identifier) ?? []);
  federation.setInboxListeners("/users/{identifier}/inbox", "/inbox").on(Activity, async (ctx, activity) => {
    const json = (await activity.toJsonLd({ format: "compact", contextLoader: ctx.contextLoader })) as Record<string, unknown>;
    received.push({ inbox: ctx.recipient ?? "shared", activity: json });
    for (const wake of waiters) wake();
  });

  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string") headers.set(name, value);
    const body = req.method === "GET" || req.method === "HEAD" ? undefined : Buffer.concat(chunks);
    const response = await federation.fetch(new Request(new URL(req.url ?? "/", origin), { method: req.method, headers, body }), { contextData: undefined });
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  void (server.address() as AddressInfo);

  const context = () => federation.createContext(new URL(origin));
  return {
    origin,
    received,
    context,
    account(name) {
      const ctx = context();
      return { name, id: ctx.getActorUri(name), inbox: ctx.getInboxUri(name), handle: `@${name}@${new URL(origin).host}` };
    },
    async send(name, inbox, activity) {
      // Fedify sends only to recipients with an id; the inbox stands in for the account it serves.
      await context().sendActivity({ identifier: name }, { id: new URL(String(inbox)), inboxId: new URL(String(inbox)) }, activity, { immediate: true });
    },
    waitFor(test, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = received.find((item) => test(item.activity));
          if (found) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(found.activity);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching activity arrived within ${timeoutMs} ms; received: ${received.map((item) => item.activity.type).join(", ") || "nothing"}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
