import type { KvKey, KvStore, KvStoreListEntry, KvStoreSetOptions } from "@fedify/fedify";
import type { Database } from "~/db.server";

/** Keys are joined with a separator no key part holds (URLs are percent-encoded). */
const SEPARATOR = "\u001f";
const encode = (key: KvKey) => key.join(SEPARATOR);

/**
 * Fedify's key-value store on the press's own database: remote keys and documents it caches, and
 * the ids of activities already handled (so a retried delivery is handled once), shared by every
 * web process. Expired entries read as absent and are deleted by the hourly pruner.
 */
export class DatabaseKvStore implements KvStore {
  constructor(private readonly db: Database) {}

  async get<T = unknown>(key: KvKey): Promise<T | undefined> {
    const row = await this.db.federationKv.findUnique({ where: { key: encode(key) } });
    if (!row || (row.expiresAt && row.expiresAt.getTime() <= Date.now())) return undefined;
    return JSON.parse(row.value) as T;
  }

  async set(key: KvKey, value: unknown, options?: KvStoreSetOptions): Promise<void> {
    const ttl = options?.ttl ? options.ttl.total("millisecond") : undefined;
    const expiresAt = ttl === undefined ? null : new Date(Date.now() + ttl);
    const data = { value: JSON.stringify(value ?? null), expiresAt };
    await this.db.federationKv.upsert({ where: { key: encode(key) }, create: { key: encode(key), ...data }, update: data });
  }

  async delete(key: KvKey): Promise<void> {
    await this.db.federationKv.deleteMany({ where: { key: encode(key) } });
  }

  async *list(prefix?: KvKey): AsyncIterable<KvStoreListEntry> {
    const start = prefix && prefix.length > 0 ? encode(prefix) : "";
    const rows = await this.db.federationKv.findMany({ where: start ? { OR: [{ key: start }, { key: { startsWith: start + SEPARATOR } }] } : {}, orderBy: { key: "asc" } });
    const now = Date.now();
    for (const row of rows) {
      if (row.expiresAt && row.expiresAt.getTime() <= now) continue;
      yield { key: row.key.split(SEPARATOR) as unknown as KvKey, value: JSON.parse(row.value) };
    }
  }
}

/** Deletes expired entries; returns how many. */
export async function pruneFederationKv(db: Database, now = new Date()): Promise<number> {
  const { count } = await db.federationKv.deleteMany({ where: { expiresAt: { lte: now } } });
  return count;
}
