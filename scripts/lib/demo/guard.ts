import type { Env } from "../../../app/env.server";

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);
/** A database name that says it may be thrown away: a word `demo` or `scratch` in it. */
const SCRATCH_NAME = /(^|[_-])(demo|scratch)([_-]|$)/i;

/**
 * Why the demo must not write to this press, or null when it may: it writes as the local chain's
 * development accounts, so only to a press on this machine whose chain is the local stand-in, and
 * to a SQLite file or a PostgreSQL database on this machine that is named as scratch.
 */
export function demoRefusal(env: Env): string | null {
  if (!env.devChain) {
    return env.local.chain
      ? `the demo runs only against a press on this machine; PUBLIC_URL (${env.publicUrl}) and HOST (${env.host}) must be loopback addresses`
      : `the demo runs only against the local development chain; CHAIN_RPC_URL names ${env.chain.rpcUrl} (chain ${env.chain.id})`;
  }
  if (env.database.provider === "postgres") {
    const url = new URL(env.database.url);
    const name = decodeURIComponent(url.pathname.slice(1));
    if (!LOOPBACK.has(url.hostname) || !SCRATCH_NAME.test(name)) {
      return `the demo writes only to a scratch database: DATABASE_URL names "${name}" on ${url.hostname}; use SQLite (unset DATABASE_URL) or a database on this machine named like press_demo`;
    }
  }
  return null;
}
