const BACKOFF_BASE_MS = 2_000;
const BACKOFF_MAX_MS = 10 * 60_000;

/**
 * The one retry policy of background work (uploads, mail, the chain indexer): exponential from
 * `baseMs` up to `maxMs` (two seconds to ten minutes unless told), with jitter, so a service
 * coming back is not hit by every retry of every process at once.
 */
export function retryDelayMs(attempts: number, opts: { baseMs?: number; maxMs?: number } = {}): number {
  const base = Math.min(opts.maxMs ?? BACKOFF_MAX_MS, (opts.baseMs ?? BACKOFF_BASE_MS) * 2 ** Math.max(0, attempts - 1));
  return Math.round(base * (0.75 + Math.random() * 0.5));
}
