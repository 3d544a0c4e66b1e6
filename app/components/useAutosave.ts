import { useCallback, useEffect, useRef, useState } from "react";

export type SaveStatus =
  | { kind: "saved"; at: Date | null }
  | { kind: "unsaved" }
  | { kind: "saving" }
  | { kind: "offline"; retryInMs: number }
  | { kind: "conflict"; message: string }
  | { kind: "refused"; message: string };

const IDLE_MS = 2000;
const MAX_RETRY_MS = 30_000;

/**
 * Saves the latest state a few seconds after changes stop, and at once when the page is hidden or
 * left. Each save names the revision it builds on; when another tab saved first the server answers
 * 409 and saving stops, so nothing is overwritten. Network failures retry with backoff.
 */
export function useAutosave<T>(url: string, initialRevision: number) {
  const [status, setStatus] = useState<SaveStatus>({ kind: "saved", at: null });
  const latest = useRef<T | null>(null);
  const revision = useRef(initialRevision);
  const inFlight = useRef(false);
  const stopped = useRef(false);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const retryMs = useRef(1000);

  const schedule = useRef((_ms: number) => {});

  const save = useCallback(
    async (opts: { keepalive?: boolean } = {}) => {
      clearTimeout(timer.current);
      const state = latest.current;
      if (state === null || stopped.current || inFlight.current) return;
      inFlight.current = true;
      latest.current = null;
      setStatus({ kind: "saving" });
      try {
        const response = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ ...state, baseRevision: revision.current }),
          keepalive: opts.keepalive,
        });
        const body = (await response.json().catch(() => ({}))) as { revision?: number; error?: string };
        if (response.ok && typeof body.revision === "number") {
          revision.current = body.revision;
          retryMs.current = 1000;
          if (latest.current === null) setStatus({ kind: "saved", at: new Date() });
          else schedule.current(IDLE_MS);
        } else if (response.status === 409) {
          stopped.current = true;
          latest.current ??= state;
          setStatus({ kind: "conflict", message: body.error ?? "This draft changed elsewhere." });
        } else {
          latest.current ??= state;
          setStatus({ kind: "refused", message: body.error ?? `Saving failed (${response.status}).` });
        }
      } catch {
        latest.current ??= state;
        const wait = retryMs.current;
        retryMs.current = Math.min(wait * 2, MAX_RETRY_MS);
        setStatus({ kind: "offline", retryInMs: wait });
        schedule.current(wait);
      } finally {
        inFlight.current = false;
      }
    },
    [url],
  );
  schedule.current = (ms: number) => {
    clearTimeout(timer.current);
    timer.current = setTimeout(() => void save(), ms);
  };

  const change = useCallback((state: T) => {
    if (stopped.current) return;
    latest.current = state;
    setStatus({ kind: "unsaved" });
    schedule.current(IDLE_MS);
  }, []);

  useEffect(() => {
    const flush = () => {
      if (document.visibilityState === "hidden") void save({ keepalive: true });
    };
    // Leaving saves what is pending; only text that cannot be saved (refused, or changed
    // elsewhere) makes the browser ask before the page goes.
    const warn = (event: BeforeUnloadEvent) => {
      if (latest.current === null) return;
      if (stopped.current) event.preventDefault();
      else void save({ keepalive: true });
    };
    document.addEventListener("visibilitychange", flush);
    window.addEventListener("pagehide", flush);
    window.addEventListener("beforeunload", warn);
    return () => {
      document.removeEventListener("visibilitychange", flush);
      window.removeEventListener("pagehide", flush);
      window.removeEventListener("beforeunload", warn);
      clearTimeout(timer.current);
    };
  }, [save]);

  /** Resolves once everything typed so far is saved; rejects when it cannot be. */
  const flush = useCallback(async () => {
    for (;;) {
      if (stopped.current) throw new Error("This draft changed elsewhere; reload it before publishing.");
      if (latest.current === null && !inFlight.current) return;
      if (!inFlight.current) {
        await save();
        if (latest.current !== null && !inFlight.current) throw new Error("The draft could not be saved; see the message above.");
      } else {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }, [save]);

  return { status, change, flush };
}

export function describeStatus(status: SaveStatus): string {
  switch (status.kind) {
    case "saved":
      return status.at ? `Saved at ${status.at.toLocaleTimeString()}` : "Saved";
    case "unsaved":
      return "Unsaved changes";
    case "saving":
      return "Saving…";
    case "offline":
      return `Could not reach the server; retrying in ${Math.round(status.retryInMs / 1000)} s. Your text is kept here.`;
    case "conflict":
    case "refused":
      return status.message;
  }
}
