import crypto from "node:crypto";
import type { Env } from "~/env.server";

/** How long a confirmation link works. */
export const CONFIRM_TTL_MS = 3 * 24 * 60 * 60 * 1000;

// A key of its own, derived from a session secret, so a subscription token can never pass for a
// session cookie signature or the other way round.
const keys = new Map<string, Buffer>();
function key(secret: string): Buffer {
  let derived = keys.get(secret);
  if (!derived) {
    derived = crypto.createHmac("sha256", secret).update("permanent-press/subscriptions/v1").digest();
    keys.set(secret, derived);
  }
  return derived;
}

const signWith = (secret: string, purpose: string, payload: string) => crypto.createHmac("sha256", key(secret)).update(`${purpose}:${payload}`).digest("base64url");

/** Signed with the current secret. */
const sign = (env: Env, purpose: string, payload: string) => signWith(env.sessionSecret, purpose, payload);

/** Signed with the current secret or one it replaced: links in mail sent before a rotation keep working. */
function verifies(env: Env, purpose: string, payload: string, signature: string): boolean {
  const given = Buffer.from(signature);
  return [env.sessionSecret, ...env.previousSessionSecrets].some((secret) => {
    const expected = Buffer.from(signWith(secret, purpose, payload));
    return given.length === expected.length && crypto.timingSafeEqual(given, expected);
  });
}

/** What the database keeps of a confirmation token: its SHA-256, never the token. */
export const tokenHash = (token: string) => crypto.createHash("sha256").update(token).digest("hex");

/**
 * The token in every unsubscribe and preferences link of a subscriber: their id, signed. It does
 * not expire, because an unsubscribe link in an old message must keep working.
 */
export function manageToken(env: Env, subscriberId: string): string {
  return `${subscriberId}.${sign(env, "manage", subscriberId)}`;
}

/** The subscriber id a manage token was signed for, or undefined for anything forged or mangled. */
export function readManageToken(env: Env, token: string): string | undefined {
  const dot = token.lastIndexOf(".");
  if (dot <= 0 || token.length > 200) return undefined;
  const id = token.slice(0, dot);
  return verifies(env, "manage", id, token.slice(dot + 1)) ? id : undefined;
}

/**
 * A confirmation token: signed, with its expiry inside, and random, so that it is single-use by
 * its hash being stored on one subscriber and cleared when used. When a signed-in reader adds an
 * email to a wallet follow, the wallet travels in the token and is linked once the email confirms.
 */
export function issueConfirmToken(env: Env, now: Date, wallet?: string): { token: string; hash: string; expiresAt: Date } {
  const expiresAt = new Date(now.getTime() + CONFIRM_TTL_MS);
  const payload = `${Math.floor(expiresAt.getTime() / 1000)}.${crypto.randomBytes(18).toString("base64url")}.${wallet ?? "-"}`;
  const token = `${payload}.${sign(env, "confirm", payload)}`;
  return { token, hash: tokenHash(token), expiresAt };
}

export type ConfirmToken = { valid: true; hash: string; wallet: string | undefined } | { valid: false; reason: "invalid" | "expired" };

/** Checks a confirmation token's signature and expiry; whether it is still unused is the database's to say. */
export function readConfirmToken(env: Env, token: string, now: Date): ConfirmToken {
  const parts = token.split(".");
  if (parts.length !== 4 || token.length > 300) return { valid: false, reason: "invalid" };
  const [expires, nonce, wallet, signature] = parts as [string, string, string, string];
  const payload = `${expires}.${nonce}.${wallet}`;
  if (!/^\d{1,12}$/.test(expires) || !verifies(env, "confirm", payload, signature)) return { valid: false, reason: "invalid" };
  if (Number(expires) * 1000 <= now.getTime()) return { valid: false, reason: "expired" };
  return { valid: true, hash: tokenHash(token), wallet: wallet === "-" ? undefined : wallet };
}
