import { isIP } from "node:net";
import { getDb, type Database } from "~/db.server";
import { isLoopbackUrl, type Env } from "~/env.server";
import { TooManyRequests, UserError, utcTime } from "~/modules/errors.server";
import { answersFor } from "~/modules/lru";
import { publicationOrigin } from "~/modules/reading/entry-urls.server";
import { allowRequest, windowEnd, type Limit } from "~/modules/subscriptions/rate-limit.server";
import { checkProof, newDomainToken, proofRecord } from "./domain-proof.server";
import { requireRole } from "./publications.server";

/**
 * A publication served at its own host name. The press answers a request by its Host: its own
 * host serves the press; a publication's domain serves that publication (its page at `/`, its
 * entries at `/<slug>`, its feeds, sitemap and robots.txt); any other host is refused, so no host
 * name pointed at the press can show another site's content. A publication is served at a name
 * only once its owner proved control of it (domain-proof.server.ts).
 */

/** The longest host name DNS can carry. */
const MAX_DOMAIN_LENGTH = 253;
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * The host name a publication's owner asked for, lower-case, or null to stop serving it at one.
 * A host name of two labels or more (never the press's own); an IP address only while the press
 * itself runs on loopback (local tests), and then only a loopback one; never a port: a
 * publication's domain is served on the press's scheme and port (see `publicationOrigin`).
 */
export function parseDomain(env: Env, input: unknown): string | null {
  if (typeof input !== "string") throw new UserError("Send the host name as text.");
  const domain = input.trim().toLowerCase().replace(/\.$/, "");
  if (domain === "") return null;
  if (domain.length > MAX_DOMAIN_LENGTH) throw new UserError(`A host name has at most ${MAX_DOMAIN_LENGTH} characters.`);
  if (/[/:@?#\s]/.test(domain)) throw new UserError("Give the host name alone, such as quarterly.example: no scheme, port or path.");
  if (domain === new URL(env.publicUrl).hostname) throw new UserError("That is the press's own host name.");
  if (isIP(domain)) {
    if (isLoopbackUrl(env.publicUrl) && domain.startsWith("127.")) return domain;
    throw new UserError("Give a host name, not an IP address.");
  }
  const labels = domain.split(".");
  if (labels.length < 2 || !labels.every((label) => LABEL.test(label)) || /^\d+$/.test(labels.at(-1)!)) {
    throw new UserError("That is not a host name: letters, digits and hyphens in dot-separated parts, such as quarterly.example.");
  }
  return domain;
}

/** A writer's or a publication's home page: a publication's domain when it has one. */
export function homeUrl(publicUrl: string, writer: { handle: string | null; publication?: { domain: string | null } | null }): string {
  return writer.publication?.domain ? `${publicationOrigin(publicUrl, writer.publication.domain)}/` : `${publicUrl}/${writer.handle}`;
}

/** The site a request is for: the press, or one publication at its own domain. */
export type Site = { origin: string; publication?: { id: string; handle: string; domain: string } };

/** Host names looked up at most once a minute each; a change made here is seen at once (`forget`). */
const byHost = answersFor(
  async (hostname: string) => {
    const found = await getDb().publication.findUnique({ where: { domain: hostname }, select: { writerId: true, account: { select: { handle: true } } } });
    return found?.account.handle ? { id: found.writerId, handle: found.account.handle } : null;
  },
  { ms: 60_000, max: 10_000 },
);

/**
 * The site a Host header names, or null for a host this press does not serve. While the press runs
 * on loopback, every loopback host name is the press too (localhost and 127.0.0.1 alike).
 */
export async function siteForHost(env: Env, host: string | undefined): Promise<Site | null> {
  if (!host || !URL.canParse(`http://${host}`)) return null;
  const press = new URL(env.publicUrl);
  // Read on the press's scheme, so that a default port named outright (press.example:443) is the press too.
  const asked = new URL(`${press.protocol}//${host}`);
  if (asked.host === press.host || (isLoopbackUrl(env.publicUrl) && isLoopbackUrl(asked.href))) return { origin: env.publicUrl };
  const { hostname } = asked;
  const publication = await byHost.get(hostname);
  return publication ? { origin: publicationOrigin(env.publicUrl, hostname), publication: { ...publication, domain: hostname } } : null;
}

/** Checks of one publication's claim the press makes in an hour: each asks DNS servers on its behalf. */
export const CHECKS_PER_HOUR: Limit = { limit: 20, windowMs: 60 * 60 * 1000 };

/** Whether another publication is served at `domain`: it proved the name, so no claim here can. */
async function heldElsewhere(db: Database, domain: string, accountId: string): Promise<boolean> {
  const holder = await db.publication.findUnique({ where: { domain }, select: { writerId: true } });
  return holder !== null && holder.writerId !== accountId;
}

const lost = (domain: string) =>
  new UserError(`Another publication proved it holds ${domain} first and is served there, so this claim is dropped. Choose another host name.`, 409);

/**
 * A publication's name, the domain it is served at, and the claim waiting for its TXT record (with
 * the record to add, or `lost` once another publication proved the name first): for its owner only
 * (403 otherwise).
 */
export async function publicationDomain(db: Database, env: Env, writer: { address: string }, accountId: string) {
  await requireRole(db, accountId, writer.address, "manage-profile");
  const found = await db.publication.findUniqueOrThrow({
    where: { writerId: accountId },
    select: { domain: true, pendingDomain: true, domainToken: true, account: { select: { displayName: true, handle: true } } },
  });
  const { pendingDomain, domainToken } = found;
  const lostMessage = pendingDomain && (await heldElsewhere(db, pendingDomain, accountId)) ? lost(pendingDomain).message : null;
  const pending = pendingDomain && domainToken ? { domain: pendingDomain, record: lostMessage ? null : proofRecord(pendingDomain, domainToken), lost: lostMessage } : null;
  return {
    name: found.account.displayName ?? found.account.handle ?? "Publication",
    domain: found.domain,
    origin: found.domain ? publicationOrigin(env.publicUrl, found.domain) : null,
    pending,
  };
}

/**
 * Serves a publication at a proved `domain` (null: at the press only) and drops its waiting claim,
 * if it is still `claim`. Every page of its entries names its canonical URL anew: their state
 * changes, so no kept copy outlives the change; the host lookup forgets the old name at once.
 */
async function serveAt(db: Database, accountId: string, domain: string | null, claim: { pendingDomain: string; domainToken: string } | null, now: Date) {
  await db.$transaction([
    // Conditional on the claim being the one checked: a claim saved meanwhile waits for its own proof.
    db.publication.update({ where: { writerId: accountId, ...claim }, data: { domain, pendingDomain: null, domainToken: null } }),
    db.entry.updateMany({ where: { publicationId: accountId }, data: { updatedAt: now } }),
  ]);
  byHost.forget();
}

/**
 * Claims (or, given an empty value, stops) the domain a publication is served at. Only its owner
 * may (403 otherwise); a domain another publication is served at is refused (409). A new name waits
 * for its proof (`checkPublicationDomain`) while the publication stays where it is served; several
 * publications may claim one name, since only who holds it can prove it. Saving the name it is
 * served at drops a waiting claim.
 */
export async function setPublicationDomain(db: Database, env: Env, writer: { address: string }, accountId: string, input: unknown, now = new Date()): Promise<string | null> {
  await requireRole(db, accountId, writer.address, "manage-profile", now);
  const domain = parseDomain(env, input);
  const current = await db.publication.findUniqueOrThrow({ where: { writerId: accountId }, select: { domain: true, pendingDomain: true, domainToken: true } });
  if (domain === current.domain) {
    await db.publication.update({ where: { writerId: accountId }, data: { pendingDomain: null, domainToken: null } });
  } else if (domain === null) {
    await serveAt(db, accountId, null, null, now);
  } else {
    if (await heldElsewhere(db, domain, accountId)) throw new UserError(`Another publication is already served at ${domain}.`, 409);
    // Saving the same claim again keeps its token, so a record already added still proves it.
    const domainToken = current.pendingDomain === domain && current.domainToken ? current.domainToken : newDomainToken();
    await db.publication.update({ where: { writerId: accountId }, data: { pendingDomain: domain, domainToken } });
  }
  return domain;
}

/**
 * Checks the TXT record of a publication's waiting claim and, once it holds the claim's token,
 * serves the publication at that name (and at no other). Only its owner may (403), at most
 * `CHECKS_PER_HOUR` times (429). A name another publication proved first is refused (409): the
 * first to prove a name gets it. What DNS answered otherwise is `checkProof`'s message.
 */
export async function checkPublicationDomain(db: Database, env: Env, writer: { address: string }, accountId: string, now = new Date()): Promise<string> {
  await requireRole(db, accountId, writer.address, "manage-profile", now);
  const { pendingDomain, domainToken } = await db.publication.findUniqueOrThrow({ where: { writerId: accountId }, select: { pendingDomain: true, domainToken: true } });
  if (!pendingDomain || !domainToken) throw new UserError("No host name is waiting for its TXT record: save one first.", 409);
  if (await heldElsewhere(db, pendingDomain, accountId)) throw lost(pendingDomain);
  if (!(await allowRequest(db, `domain-check:${accountId}`, CHECKS_PER_HOUR, now))) {
    const again = windowEnd(now, CHECKS_PER_HOUR.windowMs);
    throw new TooManyRequests(`This publication's domain was checked ${CHECKS_PER_HOUR.limit} times this hour, the most the press asks DNS for one publication; try again at ${utcTime(again)}.`, again);
  }
  await checkProof(env, pendingDomain, domainToken);
  try {
    await serveAt(db, accountId, pendingDomain, { pendingDomain, domainToken }, now);
  } catch (error) {
    const code = (error as { code?: string }).code;
    // Another publication proved the name between the check above and now.
    if (code === "P2002") throw lost(pendingDomain);
    if (code === "P2025") throw new UserError("The host name was changed while it was checked: check the new one.", 409);
    throw error;
  }
  return pendingDomain;
}

/** What a request on a publication's domain becomes: the same request at another path, a redirect, or a 404. */
export type PublicationRoute = { path: string } | { redirect: string } | { notFound: true };

/** Paths a publication's domain answers as the press does at the same path. */
const SAME_PATH = new Set(["build", "auth", "signin", "signout", "uploads", "favicon.ico", "favicon.svg", "sitemap.xml", "robots.txt"]);
/** The publication's feeds, at the root of its domain. */
const FEEDS = new Set(["rss.xml", "atom.xml", "feed.json"]);

/**
 * Maps a path on a publication's domain to the press's path that answers it. `/` is the
 * publication's page, `/<slug>` (and its cards) an entry of it, the feeds are its own; sign-in and
 * assets answer here as on the press; any other page of the press (`pressPages`, the first
 * segments of its routes) is at the press's own host, and `/<handle>/…` at the domain's root.
 */
export function publicationRoute(site: Required<Site>, pathname: string, pressPages: ReadonlySet<string>, pressOrigin: string): PublicationRoute {
  const segments = pathname.split("/").slice(1);
  const first = segments[0] ?? "";
  const { handle } = site.publication;
  if (first === "") return segments.length === 1 ? { path: `/${handle}` } : { notFound: true };
  if (SAME_PATH.has(first)) return { path: pathname };
  if (segments.length === 1 && FEEDS.has(first)) return { path: `/${handle}/${first}` };
  if (first === handle) return { redirect: `${site.origin}/${segments.slice(1).join("/")}` };
  if (pressPages.has(first)) return { redirect: `${pressOrigin}${pathname}` };
  if (segments.length > 2) return { notFound: true };
  return { path: `/${handle}/${segments.join("/")}` };
}
