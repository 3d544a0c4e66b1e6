/**
 * A map that forgets what was used least recently once its entries weigh more than `max`. Each
 * entry weighs 1 unless `weigh` says otherwise (bytes, say).
 */
export class LruCache<V> {
  private readonly entries = new Map<string, { value: V; weight: number }>();
  private used = 0;

  constructor(
    readonly max: number,
    private readonly weigh: (value: V, key: string) => number = () => 1,
  ) {}

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  /** Keeps `value`, unless it alone weighs more than the cache may hold. */
  set(key: string, value: V): void {
    this.delete(key);
    const weight = this.weigh(value, key);
    if (weight > this.max) return;
    this.entries.set(key, { value, weight });
    this.used += weight;
    for (const [oldest] of this.entries) {
      if (this.used <= this.max) break;
      this.delete(oldest);
    }
  }

  delete(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.used -= entry.weight;
  }

  clear(): void {
    this.entries.clear();
    this.used = 0;
  }

  /** What the entries weigh together. */
  get weight(): number {
    return this.used;
  }

  get size(): number {
    return this.entries.size;
  }
}

/**
 * `load(key)` asked at most once per `ms` for each key, by every caller that comes in the
 * meantime together (they share its promise); at most `max` keys are remembered, the least
 * recently asked forgotten first. A failed answer is not kept: the next caller asks again.
 * `forget()` makes every key be asked again.
 */
export function answersFor<V>(load: (key: string) => Promise<V>, opts: { ms: number; max: number; now?: () => number }) {
  const now = opts.now ?? (() => performance.now());
  const kept = new LruCache<{ at: number; answer: Promise<V> }>(opts.max);
  return {
    get(key: string): Promise<V> {
      const known = kept.get(key);
      if (known && now() - known.at < opts.ms) return known.answer;
      const answer = load(key);
      const entry = { at: now(), answer };
      kept.set(key, entry);
      answer.catch(() => kept.get(key) === entry && kept.delete(key));
      return answer;
    },
    forget(): void {
      kept.clear();
    },
  };
}
