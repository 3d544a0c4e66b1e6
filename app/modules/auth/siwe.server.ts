import crypto from "node:crypto";
import { getAddress, isAddress, isHex, type Hex } from "viem";
import { createSiweMessage, parseSiweMessage } from "viem/siwe";
import type { Database } from "~/db.server";
import type { Env } from "~/env.server";
import { checkSignature, createChainClient } from "~/modules/editions/chain.server";
import { TooManyRequests, UserError, utcTime } from "~/modules/errors.server";
import { allowRequest, windowEnd, type Limit } from "~/modules/subscriptions/rate-limit.server";

/** How long a sign-in message may wait for its signature. */
export const NONCE_TTL_MS = 10 * 60 * 1000;
/** Clocks differ: an issued-at up to this far in the future is still accepted. */
const CLOCK_SKEW_MS = 60 * 1000;

const STATEMENT = "Sign in to Permanent Press with this wallet. This costs nothing and sends no transaction.";

/** The domain a sign-in message names: the host of the site it is signed on. */
export function siweDomain(origin: string): string {
  return new URL(origin).host;
}

/**
 * Issues a single-use nonce and the EIP-4361 message for `address` to sign. The message names the
 * site's domain and URI (`origin`: the press's, or a publication's own domain it is signed on) and
 * the configured chain, so a signature made for another site, or another host of this press, is refused.
 */
export async function issueSignInMessage(db: Database, env: Env, address: string, now = new Date(), origin = env.publicUrl): Promise<{ message: string; nonce: string }> {
  if (!isAddress(address, { strict: false })) throw new UserError("That is not an Ethereum address.");
  const nonce = crypto.randomBytes(16).toString("hex");
  const expiresAt = new Date(now.getTime() + NONCE_TTL_MS);
  await db.siweNonce.create({ data: { nonce, address: address.toLowerCase(), expiresAt } });
  const message = createSiweMessage({
    address: getAddress(address),
    chainId: env.chain.id,
    domain: siweDomain(origin),
    uri: origin,
    nonce,
    version: "1",
    statement: STATEMENT,
    issuedAt: now,
    expirationTime: expiresAt,
  });
  return { message, nonce };
}

const HOUR_MS = 60 * 60 * 1000;
/** Sign-in messages one client may ask for in an hour: many people can share an address (NAT). */
const NONCES_PER_CLIENT: Limit = { limit: 60, windowMs: HOUR_MS };
/**
 * Sign-in messages issued for one wallet in an hour, whoever asks: a person signs in a few times.
 * Someone asking on a wallet's behalf can hold its sign-in back for the rest of the hour, but only
 * by spending their own client's allowance.
 */
const NONCES_PER_ADDRESS: Limit = { limit: 20, windowMs: HOUR_MS };

/**
 * The sign-in message for a request: issued unless the client (`clientKey`) or the address has
 * asked for too many this hour (429, saying when to try again), so nonces cannot pile up.
 */
export async function requestSignIn(db: Database, env: Env, input: { address: string; client: string; origin?: string }, now = new Date()) {
  if (!isAddress(input.address, { strict: false })) throw new UserError("That is not an Ethereum address.");
  const allowed =
    (await allowRequest(db, `siwe:client:${input.client}`, NONCES_PER_CLIENT, now)) && (await allowRequest(db, `siwe:address:${input.address.toLowerCase()}`, NONCES_PER_ADDRESS, now));
  if (!allowed) {
    const again = windowEnd(now, HOUR_MS);
    throw new TooManyRequests(`Too many sign-in requests from here or for this wallet; try again at ${utcTime(again)}.`, again);
  }
  return issueSignInMessage(db, env, input.address, now, input.origin);
}

/**
 * Checks a signed sign-in message: its domain and URI (the site's it is sent to, `origin`), chain, times and nonce, then the signature, by
 * a plain wallet (ECDSA), a deployed smart-contract wallet (ERC-1271) or a counterfactual one
 * (ERC-6492). Consumes the nonce, so the same message can never sign in twice. Returns the address.
 */
export async function verifySignIn(db: Database, env: Env, input: { message: string; signature: string; origin?: string }, now = new Date()): Promise<`0x${string}`> {
  const origin = input.origin ?? env.publicUrl;
  if (typeof input.message !== "string" || input.message.length > 4000) throw new UserError("The sign-in message is missing or too long.");
  if (typeof input.signature !== "string" || !isHex(input.signature)) throw new UserError("The signature is missing or not hex.");
  const fields = parseSiweMessage(input.message);
  if (!fields.address || !fields.nonce || !fields.domain || !fields.uri || !fields.chainId || !fields.issuedAt) {
    throw new UserError("That is not a Sign-In with Ethereum message.");
  }
  if (fields.domain !== siweDomain(origin)) throw new UserError(`This message is for ${fields.domain}, not ${siweDomain(origin)}.`, 401);
  if (!URL.canParse(fields.uri) || new URL(fields.uri).origin !== origin) throw new UserError(`This message is for ${fields.uri}, not ${origin}.`, 401);
  if (fields.chainId !== env.chain.id) throw new UserError(`This message is for chain ${fields.chainId}; sign in on chain ${env.chain.id}.`, 401);
  if (fields.issuedAt.getTime() > now.getTime() + CLOCK_SKEW_MS) throw new UserError("This message was issued in the future: check your clock.", 401);
  if (fields.expirationTime && fields.expirationTime.getTime() <= now.getTime()) throw new UserError("This sign-in message has expired: sign in again.", 401);
  if (fields.notBefore && fields.notBefore.getTime() > now.getTime() + CLOCK_SKEW_MS) throw new UserError("This sign-in message is not valid yet.", 401);

  const record = await db.siweNonce.findUnique({ where: { nonce: fields.nonce } });
  if (!record) throw new UserError("This sign-in message was not issued here: sign in again.", 401);
  if (record.usedAt) throw new UserError("This sign-in message was already used: sign in again.", 401);
  if (record.expiresAt.getTime() <= now.getTime()) throw new UserError("This sign-in message has expired: sign in again.", 401);
  if (record.address !== fields.address.toLowerCase()) throw new UserError("This sign-in message was issued for another address.", 401);

  const client = createChainClient(env.chain.rpcUrl, env.chain.id);
  const valid = await checkSignature(client, { message: { address: fields.address, message: input.message, signature: input.signature as Hex } });
  if (!valid) throw new UserError("The signature does not match this message and address.", 401);

  // Conditional update: of two concurrent uses of one nonce, exactly one succeeds.
  const consumed = await db.siweNonce.updateMany({ where: { nonce: fields.nonce, usedAt: null }, data: { usedAt: now } });
  if (consumed.count !== 1) throw new UserError("This sign-in message was already used: sign in again.", 401);
  return getAddress(fields.address);
}

/** Deletes nonces that can no longer be used. */
export async function pruneNonces(db: Database, now = new Date()): Promise<number> {
  const { count } = await db.siweNonce.deleteMany({ where: { expiresAt: { lt: now } } });
  return count;
}
