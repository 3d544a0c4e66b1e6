import type { Database } from "~/db.server";
import { answersFor } from "~/modules/lru";
import { entryPageEtag, entryPageState, requestedVersion } from "./entry-page.server";
import { FEED_FILES, feedEtag, feedState, listingEtag } from "./distribution.server";
import type { FeedFormat } from "./feeds.server";
import { pageNumber } from "./listings.server";

const ENTRY_PATH = /^\/([a-z0-9-]{3,30})\/([a-z0-9-]{1,200})$/;
const LISTING_PATH = /^\/(?:([a-z0-9-]{3,30}))?$/;
const FEED_PATH = /^(?:\/([a-z0-9-]{3,30}))?\/(rss\.xml|atom\.xml|feed\.json)$/;
/**
 * A page to keep, under `key`, as it stands now (`etag`); an entry page also names its writer
 * (`owner`), whose own page carries their controls and is drawn for them whole.
 */
export type Validation = { key: string; etag: string; owner?: string } | null;

const FORMAT_OF = Object.fromEntries(Object.entries(FEED_FILES).map(([format, file]) => [file, format as FeedFormat]));

/**
 * For the web server's page cache: which page an anonymous reader's request for `url` shows and
 * the ETag it has now, found with one indexed query; null when the page is not one to keep. Kept
 * are the pages read most: entry pages (the latest or `?version=N`), feeds, the home page and
 * writers' pages (`?page=N`). Other query parameters (utm_source, fbclid and the like) do not change a page, so they
 * share its copy. The routes compute their ETags with the same functions, so a kept page is reused
 * only while nothing it shows has changed.
 */
export async function pageValidator(db: Database, url: URL): Promise<Validation> {
  const feed = FEED_PATH.exec(url.pathname);
  if (feed) {
    const [, handle, file] = feed;
    const format = FORMAT_OF[file!]!;
    const state = await feedState(db, handle);
    return state ? { key: url.pathname, etag: feedEtag(format, handle, state) } : null;
  }
  const listing = LISTING_PATH.exec(url.pathname);
  if (listing) {
    const handle = listing[1];
    const page = pageNumber(url);
    const state = await feedState(db, handle);
    return state ? { key: page > 1 ? `${url.pathname}?page=${page}` : url.pathname, etag: listingEtag(handle, page, state) } : null;
  }
  const entry = ENTRY_PATH.exec(url.pathname);
  if (entry) {
    const version = requestedVersion(url);
    const state = await entryPageState(db, entry[1]!, entry[2]!);
    return state ? { key: version === undefined ? url.pathname : `${url.pathname}?version=${version}`, etag: entryPageEtag(state, version), owner: String(state.writerId) } : null;
  }
  return null;
}

/** How long a validation stands before the database is asked again: the most a kept page can lag a change made elsewhere. */
export const VALIDATION_MS = 1_000;

/**
 * `pageValidator` asked at most once per `VALIDATION_MS` for each URL, by every request that comes
 * in the meantime together: a page-cache hit then costs no I/O at all. A change made through this
 * process (any request that is not GET or HEAD) forgets every validation at once, so its writer
 * and this process's readers see it on the next request; a change made by another process (the
 * worker's indexer, another web process) shows within `VALIDATION_MS`.
 */
export function validationsFor(db: () => Database, opts: { ms?: number; max?: number; now?: () => number } = {}) {
  const answers = answersFor((id) => pageValidator(db(), new URL(id, "http://page")), { ms: opts.ms ?? VALIDATION_MS, max: opts.max ?? 20_000, now: opts.now });
  return {
    validate: (url: URL): Promise<Validation> => answers.get(`${url.pathname}${url.search}`),
    forget: answers.forget,
  };
}
