import { randomBytes } from "node:crypto";
import { Resolver } from "node:dns/promises";
import type { Env } from "~/env.server";
import { UserError } from "~/modules/errors.server";

/**
 * The proof that a publication's owner controls a host name: a TXT record under the name, holding a
 * random token the press gave that publication's claim (as Ghost, Vercel and GitHub Pages do). Only
 * who controls the name's DNS can add it; pointing the name at the press proves nothing, since
 * anyone can point a name they hold at any address.
 */

/** A fresh token for a claim: 128 random bits in hex, which every DNS panel takes as typed. */
export const newDomainToken = () => randomBytes(16).toString("hex");

/** The TXT record the owner adds, as the settings page shows it. */
export function proofRecord(domain: string, token: string): { name: string; value: string } {
  return { name: `_permanent-press.${domain}`, value: `permanent-press-verification=${token}` };
}

/**
 * Whether TXT answers hold `value`. A long TXT record arrives as several strings of at most 255
 * bytes, joined here; a DNS panel that was given the value in quotes may keep them, so they count
 * as typed by mistake, as do spaces around the value.
 */
export function holdsProof(answers: string[][], value: string): boolean {
  return answers.some((strings) => strings.join("").trim().replace(/^"(.*)"$/, "$1").trim() === value);
}

/** Answers that mean the name has no such record (yet): the owner has not added it, or it has not spread. */
const NO_RECORD = new Set(["ENOTFOUND", "ENODATA"]);
/** Each DNS server is given 2 s, twice: the owner waits for the page meanwhile. */
const RESOLVER = { timeout: 2_000, tries: 2 } as const;

/**
 * Asks DNS for the proof of a claim and returns when it is there. Otherwise a message the owner can
 * act on: no record yet (404), a record with another value (422), or DNS servers that failed or did
 * not answer (503): never a 500, since nothing here is the press's fault.
 */
export async function checkProof(env: Env, domain: string, token: string): Promise<void> {
  const { name, value } = proofRecord(domain, token);
  const resolver = new Resolver(RESOLVER);
  if (env.dnsServers.length > 0) resolver.setServers(env.dnsServers);
  let answers: string[][];
  try {
    answers = await resolver.resolveTxt(name);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "no answer";
    if (NO_RECORD.has(code)) throw new UserError(`The TXT record was not found yet at ${name}: DNS changes can take a while. Check again in a few minutes.`, 404);
    throw new UserError(`The DNS servers did not answer for ${name} (${code}), so the TXT record was not found yet: DNS changes can take a while. Check again in a few minutes.`, 503);
  }
  if (!holdsProof(answers, value)) {
    throw new UserError(`${name} has a TXT record, but none holds ${value}. Set the record to exactly that value (DNS changes can take a while), then check again.`, 422);
  }
}
