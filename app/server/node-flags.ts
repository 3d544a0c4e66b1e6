/**
 * The Node flags each role runs with (`npm run start:web`, `start:worker` and `npm start` all pass
 * them to the role as built in build/roles; package.json spells them out for the first two). V8 by default lets the heap of a busy
 * process grow to several hundred MB before it collects the old generation, and keeps large
 * young-generation spaces: a web role answering 10,000 requests a second from its page cache
 * peaked near 600 MB, holding under 100 MB of live objects. A small young generation and an old
 * one bounded at 256 MB keep it near 230 MB at the same speed (`npm run bench:read`); kept pages
 * are Buffers, outside that bound. A process that needs more is stopped by V8 with "heap out of
 * memory" and restarted by its supervisor (docs/operations.md says how to run a role with another
 * bound).
 */
export const ROLE_NODE_FLAGS = ["--max-semi-space-size=1", "--max-old-space-size=256"];
