import { LruCache } from "../../app/modules/lru";

/**
 * Whole pages kept in memory by the web server for anonymous readers, each under the ETag it was
 * rendered with. A page is served from here only after the app confirms, with one indexed query,
 * that its ETag is still current: nothing stale is ever served, and a popular essay costs one
 * query instead of a render. Bounded in bytes; the least recently read page goes first.
 */
export interface StoredPage {
  etag: string;
  status: number;
  headers: [string, string][];
  body: Buffer;
}

export class PageCache {
  private readonly pages: LruCache<StoredPage>;

  constructor(maxBytes: number) {
    this.pages = new LruCache<StoredPage>(maxBytes, (page, key) => page.body.length + key.length);
  }

  /** The page kept for `key`, if it was rendered under `etag`. */
  get(key: string, etag: string): StoredPage | undefined {
    const page = this.pages.get(key);
    return page?.etag === etag ? page : undefined;
  }

  set(key: string, page: StoredPage): void {
    this.pages.set(key, page);
  }

  get bytes(): number {
    return this.pages.weight;
  }

  get size(): number {
    return this.pages.size;
  }
}
