import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { AccountNav, type Reader } from "~/components/AccountNav";
import { writerOfCookie } from "~/modules/auth/session.server";
import type { Database } from "~/db.server";
import { answersFor } from "~/modules/lru";
import { VALIDATION_MS } from "./page-validator.server";

const navHtml = (reader: Reader | null) => renderToStaticMarkup(createElement(AccountNav, { reader }));

/** The site header's account links as every kept page has them: the one part drawn per reader. */
export const ANONYMOUS_NAV = Buffer.from(navHtml(null));

/**
 * A kept page with its account links drawn for `nav`, or undefined when the page has none where
 * they are expected (it is then drawn whole for the reader instead).
 */
export function withNav(body: Buffer, nav: Buffer): Buffer | undefined {
  const at = body.indexOf(ANONYMOUS_NAV);
  if (at < 0) return undefined;
  return Buffer.concat([body.subarray(0, at), nav, body.subarray(at + ANONYMOUS_NAV.length)]);
}

/** A signed-in reader as the web server's page cache needs them: who they are, and their account links. */
export interface KnownReader {
  /** Their writer id; null for a session that is unknown, forged or over (they read as anyone does). */
  id: string | null;
  nav: Buffer;
}

/**
 * Who a session cookie belongs to, asked of the database at most once per `VALIDATION_MS` for each
 * cookie (as kept pages are validated): a signed-in reader's page from the cache then costs no
 * I/O either. A sign-out through this process forgets every answer at once (`forget`); one made
 * through another process counts within `VALIDATION_MS`.
 */
export function readersFor(db: () => Database, opts: { ms?: number; max?: number; now?: () => number } = {}) {
  const answers = answersFor(
    async (cookie): Promise<KnownReader> => {
      const writer = await writerOfCookie(cookie, db());
      return writer ? { id: writer.id, nav: Buffer.from(navHtml({ handle: writer.handle })) } : { id: null, nav: ANONYMOUS_NAV };
    },
    { ms: opts.ms ?? VALIDATION_MS, max: opts.max ?? 20_000, now: opts.now },
  );
  return { of: answers.get, forget: answers.forget };
}
