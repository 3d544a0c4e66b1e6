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
  private readonly pages = new Map<string, StoredPage>();
  private used = 0;

  constructor(private readonly maxBytes: number) {}

  /** The page kept for `key`, if it was rendered under `etag`. */
  get(key: string, etag: string): StoredPage | undefined {
    const page = this.pages.get(key);
    if (!page || page.etag !== etag) return undefined;
    this.pages.delete(key);
    this.pages.set(key, page);
    return page;
  }

  set(key: string, page: StoredPage): void {
    this.delete(key);
    const size = page.body.length + key.length;
    if (size > this.maxBytes) return;
    this.pages.set(key, page);
    this.used += size;
    for (const [oldest] of this.pages) {
      if (this.used <= this.maxBytes) break;
      this.delete(oldest);
    }
  }

  delete(key: string): void {
    const page = this.pages.get(key);
    if (!page) return;
    this.pages.delete(key);
    this.used -= page.body.length + key.length;
  }

  get bytes(): number {
    return this.used;
  }

  get size(): number {
    return this.pages.size;
  }
}
