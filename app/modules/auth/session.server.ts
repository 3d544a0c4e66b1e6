import crypto from "node:crypto";
import { createCookie, redirect } from "@remix-run/node";
import { getDb, type Database } from "~/db.server";
import { getEnv } from "~/env.server";

export const SESSION_TTL_MS = 30 * 24 * 60 * 60 * 1000;

function sessionCookie() {
  const env = getEnv();
  return createCookie("press_session", {
    // The first secret signs; every one verifies, so rotating the secret signs no one out.
    secrets: [env.sessionSecret, ...env.previousSessionSecrets],
    httpOnly: true,
    sameSite: "lax",
    // Browsers refuse Secure cookies over plain HTTP, which is how the platform runs locally.
    secure: env.publicUrl.startsWith("https:"),
    path: "/",
    maxAge: SESSION_TTL_MS / 1000,
  });
}

// The database keeps a hash of the token, so a leaked database row cannot be replayed as a cookie.
const hashToken = (token: string) => crypto.createHash("sha256").update(token).digest("hex");

/** Starts a session for a writer; returns the Set-Cookie header value. */
export async function createSession(writerId: string, now = new Date()): Promise<string> {
  const token = crypto.randomBytes(32).toString("base64url");
  await getDb().session.create({ data: { id: hashToken(token), writerId, expiresAt: new Date(now.getTime() + SESSION_TTL_MS) } });
  return sessionCookie().serialize(token);
}

/** The session token a Cookie header carries, once its signature is checked. */
async function sessionToken(cookie: string | null | undefined): Promise<string | undefined> {
  const value: unknown = await sessionCookie().parse(cookie ?? null);
  return typeof value === "string" ? value : undefined;
}

export type SignedInWriter = NonNullable<Awaited<ReturnType<typeof getWriter>>>;

/**
 * The writer a Cookie header's session belongs to, or undefined (no session, a forged or unknown
 * one, or one that has expired).
 */
export async function writerOfCookie(cookie: string | null | undefined, db: Database = getDb()) {
  const token = await sessionToken(cookie);
  if (!token) return undefined;
  const session = await db.session.findUnique({ where: { id: hashToken(token) }, include: { writer: true } });
  if (!session || session.expiresAt.getTime() <= Date.now()) return undefined;
  return session.writer;
}

/** The signed-in writer of a request, or undefined. Expired sessions count as signed out. */
export async function getWriter(request: Request) {
  return writerOfCookie(request.headers.get("cookie"));
}

/** The signed-in writer, or a redirect to the sign-in page that comes back here afterwards. */
export async function requireWriter(request: Request) {
  const writer = await getWriter(request);
  if (!writer) {
    const url = new URL(request.url);
    throw redirect(`/signin?next=${encodeURIComponent(url.pathname + url.search)}`);
  }
  return writer;
}

/** Ends the request's session; returns the Set-Cookie header value that clears the cookie. */
export async function destroySession(request: Request): Promise<string> {
  const token = await sessionToken(request.headers.get("cookie"));
  if (token) await getDb().session.deleteMany({ where: { id: hashToken(token) } });
  return sessionCookie().serialize("", { maxAge: 0, expires: new Date(0) });
}

/** The signed-in writer for an API call: a 401 with a JSON message instead of a redirect. */
export async function requireWriterForApi(request: Request) {
  const writer = await getWriter(request);
  if (!writer) throw Response.json({ error: "You are signed out. Sign in again in another tab; this page keeps your work until then." }, { status: 401 });
  return writer;
}

/** Deletes sessions that have expired: their cookies no longer sign anyone in. */
export async function pruneSessions(db: Database, now = new Date()): Promise<number> {
  const { count } = await db.session.deleteMany({ where: { expiresAt: { lt: now } } });
  return count;
}
