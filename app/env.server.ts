import { isIP } from "node:net";
import path from "node:path";
import { z } from "zod";

/**
 * The whole configuration of the platform, validated once. Every setting has a default that runs
 * the embedded stack on one machine; a URL left unset means "use the local stand-in", which the
 * start-up script then runs. Nothing else in the code base reads `process.env`.
 */

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

/** Whether a URL points at this machine. */
export const isLoopbackUrl = (url: string) => LOOPBACK.has(new URL(url).hostname);

// Well-known keys of the local development chain (Hardhat's default accounts #0 and #1). They
// are public, so they are accepted only while the platform is served on a loopback address.
export const DEV_DEPLOYER_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
export const DEV_PLATFORM_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
const DEV_SESSION_SECRET = "development-session-secret-change-me-0123456789";

const emptyAsUndefined = (value: unknown) => (typeof value === "string" && value.trim() === "" ? undefined : value);

const url = (protocols: string[]) =>
  z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .superRefine((value, ctx) => {
        if (!URL.canParse(value)) ctx.addIssue({ code: "custom", message: "must be an absolute URL" });
        else if (!protocols.includes(new URL(value).protocol)) {
          ctx.addIssue({ code: "custom", message: `must start with ${protocols.map((p) => `${p}//`).join(" or ")}` });
        }
      })
      .optional(),
  );

const privateKey = z.preprocess(
  emptyAsUndefined,
  z
    .string()
    .regex(/^0x[0-9a-fA-F]{64}$/, "must be a 32-byte private key in hex: 0x followed by 64 hex digits")
    .transform((value) => value.toLowerCase() as `0x${string}`)
    .optional(),
);

const address = z.preprocess(
  emptyAsUndefined,
  z
    .string()
    .regex(/^0x[0-9a-fA-F]{40}$/, "must be an address: 0x followed by 40 hex digits")
    .transform((value) => value as `0x${string}`)
    .optional(),
);

const port = (fallback: number) =>
  z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(65535).default(fallback));

const databaseUrl = z.preprocess(
  emptyAsUndefined,
  z
    .string()
    .superRefine((value, ctx) => {
      if (!/^(file:|postgres(ql)?:\/\/)/.test(value)) {
        ctx.addIssue({ code: "custom", message: "must be file:<path> for SQLite or postgres://… / postgresql://… for PostgreSQL" });
      } else if (value.startsWith("postgres") && !URL.canParse(value)) {
        ctx.addIssue({ code: "custom", message: "is not a valid PostgreSQL URL" });
      }
    })
    .optional(),
);

/** A DNS server as node:dns takes it: an IP address, with a port when not 53 (`127.0.0.1:5353`, `[::1]:5353`). */
export function isDnsServer(value: string): boolean {
  if (isIP(value)) return true;
  const withPort = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(value);
  if (!withPort || Number(withPort[3]) > 65535) return false;
  return withPort[1] !== undefined ? isIP(withPort[1]) === 6 : isIP(withPort[2]!) === 4;
}

const schema = z.object({
  NODE_ENV: z.preprocess(emptyAsUndefined, z.enum(["development", "production", "test"]).default("production")),
  PORT: port(3000),
  HOST: z.preprocess(emptyAsUndefined, z.string().default("127.0.0.1")),
  PUBLIC_URL: url(["http:", "https:"]),
  TRUST_PROXY: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(10).default(0)),
  DATA_DIR: z.preprocess(emptyAsUndefined, z.string().default(".data")),
  DATABASE_URL: databaseUrl,
  CHAIN_RPC_URL: url(["http:", "https:"]),
  CHAIN_ID: z.preprocess(emptyAsUndefined, z.coerce.number().int().positive().default(31337)),
  FACTORY_ADDRESS: address,
  DEPLOYER_PRIVATE_KEY: privateKey,
  ENS_RPC_URL: url(["http:", "https:"]),
  IRYS_URL: url(["http:", "https:"]),
  IRYS_TOKEN: z.preprocess(emptyAsUndefined, z.string().regex(/^[a-z0-9-]+$/, "must be a token name such as ethereum or base-eth").default("ethereum")),
  ARWEAVE_GATEWAY_URL: url(["http:", "https:"]),
  PLATFORM_PRIVATE_KEY: privateKey,
  SMTP_URL: url(["smtp:", "smtps:"]),
  MAIL_FROM: z.preprocess(emptyAsUndefined, z.string().min(3).default("Permanent Press <press@localhost>")),
  MAIL_CONCURRENCY: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(50).default(5)),
  MAIL_BATCH_SIZE: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(10).max(5000).default(500)),
  SESSION_SECRET: z.preprocess(emptyAsUndefined, z.string().min(32, "must be at least 32 characters").optional()),
  SESSION_SECRET_PREVIOUS: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .transform((value) => value.split(",").map((secret) => secret.trim()).filter(Boolean))
      .pipe(z.array(z.string().min(32, "each must be at least 32 characters")))
      .default([]),
  ),
  UPLOADS_PER_HOUR: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).default(60)),
  UPLOAD_MB_PER_DAY: z.preprocess(emptyAsUndefined, z.coerce.number().positive().max(1_000_000).default(100)),
  PUBLISHES_PER_HOUR: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).default(20)),
  INDEXER_CONFIRMATIONS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(10_000).default(12)),
  INDEXER_BLOCK_RANGE: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(1_000_000).default(2000)),
  INDEXER_POLL_MS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(50).default(2000)),
  INDEXER_LEASE_MS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(300).max(600_000).default(15_000)),
  INDEXER_START_BLOCK: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).optional()),
  FEDERATION_TEST_ORIGINS: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .transform((value) => value.split(",").map((origin) => origin.trim()).filter(Boolean))
      .pipe(z.array(z.string().refine((origin) => URL.canParse(origin) && /^https?:$/.test(new URL(origin).protocol), "each must be an http(s) origin such as http://127.0.0.2:3001")))
      .default([]),
  ),
  FEDERATION_INBOX_PER_MINUTE: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).default(600)),
  FEDERATION_CONCURRENCY: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(100).default(16)),
  FEDERATION_DEAD_AFTER_HOURS: z.preprocess(emptyAsUndefined, z.coerce.number().positive().max(24 * 365).default(7 * 24)),
  DNS_SERVERS: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .transform((value) => value.split(",").map((server) => server.trim()).filter(Boolean))
      .pipe(z.array(z.string().refine(isDnsServer, "each must be an IP address, with a port when not 53, such as 192.0.2.53, 127.0.0.1:5353 or [2001:db8::53]:53")))
      .default([]),
  ),
  LOCAL_CHAIN_PORT: port(8545),
  LOCAL_ARWEAVE_PORT: port(1984),
  LOCAL_BUNDLER_PORT: port(1985),
  LOCAL_SMTP_PORT: port(2525),
});

export type RawEnv = z.input<typeof schema>;

export type Env = ReturnType<typeof parseEnv>;

export class EnvError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "EnvError";
  }
}

/** Validates a set of variables and fills in the defaults; throws an EnvError naming every bad setting. */
export function parseEnv(source: Record<string, string | undefined>) {
  const result = schema.safeParse(source);
  if (!result.success) {
    throw new EnvError(result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`));
  }
  const raw = result.data;
  const publicUrl = new URL(raw.PUBLIC_URL ?? `http://127.0.0.1:${raw.PORT}`);
  const servedLocally = LOOPBACK.has(publicUrl.hostname);

  const problems: string[] = [];
  const secret = <T>(name: string, value: T | undefined, devDefault: T): T => {
    if (value !== undefined) return value;
    if (!servedLocally) problems.push(`${name}: must be set when PUBLIC_URL is not a loopback address`);
    return devDefault;
  };
  const sessionSecret = secret("SESSION_SECRET", raw.SESSION_SECRET, DEV_SESSION_SECRET);
  const platformKey = secret("PLATFORM_PRIVATE_KEY", raw.PLATFORM_PRIVATE_KEY, DEV_PLATFORM_KEY);
  if (raw.CHAIN_RPC_URL === undefined && raw.CHAIN_ID !== 31337) {
    problems.push("CHAIN_ID: the local chain is 31337; set CHAIN_RPC_URL to use another chain");
  }
  if (raw.IRYS_URL === undefined && raw.ARWEAVE_GATEWAY_URL !== undefined) {
    problems.push("IRYS_URL: must be set when ARWEAVE_GATEWAY_URL names an external gateway (the local bundler writes only to the local gateway)");
  }
  // Any 127.x address: a test's second press listens on 127.0.0.2.
  const onLoopbackNet = servedLocally || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(publicUrl.hostname);
  if (raw.FEDERATION_TEST_ORIGINS.length > 0 && !onLoopbackNet) {
    problems.push("FEDERATION_TEST_ORIGINS: only for a press served on a loopback address (tests); a public press fetches from public addresses only");
  }
  if (problems.length > 0) throw new EnvError(problems);

  // Unset, the database is a SQLite file with the rest of the local state.
  const databaseUrl = raw.DATABASE_URL ?? `file:${path.join(raw.DATA_DIR, "platform.db")}`;
  const databaseProvider = databaseUrl.startsWith("file:") ? ("sqlite" as const) : ("postgres" as const);
  return {
    nodeEnv: raw.NODE_ENV,
    port: raw.PORT,
    host: raw.HOST,
    publicUrl: publicUrl.origin,
    /** How many proxies in front of the web server add to X-Forwarded-For; 0: clients connect directly. */
    trustProxy: raw.TRUST_PROXY,
    dataDir: path.resolve(raw.DATA_DIR),
    database: { url: databaseUrl, provider: databaseProvider },
    chain: {
      rpcUrl: raw.CHAIN_RPC_URL ?? `http://127.0.0.1:${raw.LOCAL_CHAIN_PORT}`,
      id: raw.CHAIN_ID,
      factoryAddress: raw.FACTORY_ADDRESS,
      deployerKey: raw.DEPLOYER_PRIVATE_KEY ?? (raw.CHAIN_RPC_URL === undefined ? DEV_DEPLOYER_KEY : undefined),
    },
    /** The chain indexer: how deep a reorg it can undo, how many blocks one request reads, how often it polls. */
    indexer: {
      confirmations: raw.INDEXER_CONFIRMATIONS,
      blockRange: raw.INDEXER_BLOCK_RANGE,
      pollMs: raw.INDEXER_POLL_MS,
      /** How long the worker that reads the chain holds that job without renewing before another takes over. */
      leaseMs: raw.INDEXER_LEASE_MS,
      /** Where reading starts without a cursor; unset: the factory's deploy block from its deployment record. */
      startBlock: raw.INDEXER_START_BLOCK,
    },
    /** An Ethereum mainnet RPC for ENS names and avatars; without it, addresses are shown as they are. */
    ensRpcUrl: raw.ENS_RPC_URL,
    storage: {
      irysUrl: raw.IRYS_URL ?? `http://127.0.0.1:${raw.LOCAL_BUNDLER_PORT}`,
      irysToken: raw.IRYS_TOKEN,
      gatewayUrl: raw.ARWEAVE_GATEWAY_URL ?? `http://127.0.0.1:${raw.LOCAL_ARWEAVE_PORT}`,
      platformKey,
    },
    /**
     * What the platform pays the bundler for on one writer's behalf: images, avatars and edition
     * covers count as uploads, essays as publications; all of them count against the day's bytes.
     */
    quota: {
      uploadsPerHour: raw.UPLOADS_PER_HOUR,
      bytesPerDay: Math.floor(raw.UPLOAD_MB_PER_DAY * 1024 * 1024),
      publishesPerHour: raw.PUBLISHES_PER_HOUR,
    },
    mail: {
      smtpUrl: raw.SMTP_URL ?? `smtp://127.0.0.1:${raw.LOCAL_SMTP_PORT}`,
      from: raw.MAIL_FROM,
      /** SMTP connections each mail worker keeps open to the relay. */
      concurrency: raw.MAIL_CONCURRENCY,
      /** Newsletter deliveries a worker reserves at a time. */
      batchSize: raw.MAIL_BATCH_SIZE,
    },
    federation: {
      /**
       * Origins on private or loopback addresses that the press may fetch from and deliver to, and
       * whose WebFinger it asks over their own scheme: other presses in a test, never the public web.
       * Every other address must be public (no SSRF through actor, key or inbox URLs).
       */
      testOrigins: raw.FEDERATION_TEST_ORIGINS.map((origin) => new URL(origin).origin),
      /** Activities one remote server may post to this press's inboxes per minute. */
      inboxPerMinute: raw.FEDERATION_INBOX_PER_MINUTE,
      /** Deliveries a worker sends at once. */
      concurrency: raw.FEDERATION_CONCURRENCY,
      /** How long an inbox may keep failing before it is no longer tried (until its server is heard from). */
      deadAfterMs: Math.round(raw.FEDERATION_DEAD_AFTER_HOURS * 60 * 60 * 1000),
    },
    /**
     * The DNS servers that TXT records proving a publication's domain are asked of; empty: the
     * system's (/etc/resolv.conf).
     */
    dnsServers: raw.DNS_SERVERS,
    sessionSecret,
    /** Secrets used before SESSION_SECRET: what they signed (sessions, links in old mail) still verifies. */
    previousSessionSecrets: raw.SESSION_SECRET_PREVIOUS,
    /** Which parts run as local stand-ins because no external URL was configured. */
    local: {
      chain: raw.CHAIN_RPC_URL === undefined,
      bundler: raw.IRYS_URL === undefined,
      gateway: raw.ARWEAVE_GATEWAY_URL === undefined,
      mail: raw.SMTP_URL === undefined,
      ports: { chain: raw.LOCAL_CHAIN_PORT, arweave: raw.LOCAL_ARWEAVE_PORT, bundler: raw.LOCAL_BUNDLER_PORT, smtp: raw.LOCAL_SMTP_PORT },
    },
    /** Where the local SMTP catcher keeps every message it receives. */
    mailboxDir: path.resolve(raw.DATA_DIR, "mail"),
    /**
     * Whether /dev/mail shows what the local catcher received: only while mail goes to it, the
     * press is reached on a loopback address and listens on one. Captured mail holds confirmation
     * and unsubscribe tokens, so a press anyone else can reach never serves it.
     */
    devMailbox: raw.SMTP_URL === undefined && servedLocally && LOOPBACK.has(raw.HOST),
    /**
     * Whether the local development chain's accounts may be used from this press (the demo, and the
     * sign-in page's development wallet): only while the chain is the local stand-in, whose accounts
     * are public knowledge, and the press is reached and listens on a loopback address.
     */
    devChain: raw.CHAIN_RPC_URL === undefined && raw.CHAIN_ID === 31337 && servedLocally && LOOPBACK.has(raw.HOST),
  };
}

/** The path of a SQLite database from its `file:` URL, relative paths taken from the working directory. */
export function sqlitePath(url: string): string {
  return url.replace(/^file:/, "").replace(/\?.*$/, "");
}

let cached: Env | undefined;

/** The configuration of this process, parsed on first use. */
export function getEnv(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}
