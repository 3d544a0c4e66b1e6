/**
 * Progress of long command-line work, written to stderr so stdout keeps only the final report. On a
 * terminal one line is redrawn in place; elsewhere (CI logs, a pipe) a plain line is written at most
 * every few seconds, plus one at the end, so logs stay short and readable.
 */

/** Where progress goes: process.stderr, or anything shaped like it. */
export interface ProgressStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

export interface ProgressOptions {
  stream?: ProgressStream;
  /** Milliseconds; injectable so tests control the rate and time left. */
  now?: () => number;
  /** Least time between two plain lines when the stream is not a terminal. */
  plainEveryMs?: number;
}

/** A terminal is redrawn at most this often: faster is invisible and only costs writes. */
const REDRAW_EVERY_MS = 100;
const PLAIN_EVERY_MS = 5_000;
/** Carriage return, then clear to the end of the line: the redrawn text may be shorter than the last. */
const REDRAW = "\r";
const CLEAR_TO_END = "\x1b[K";

/** "0.8 s", "42 s", "3 min 05 s", "1 h 02 min": short enough for a progress line. */
export function formatDuration(ms: number): string {
  const seconds = ms / 1000;
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  const whole = Math.round(seconds);
  if (whole < 60) return `${whole} s`;
  if (whole < 3600) return `${Math.floor(whole / 60)} min ${String(whole % 60).padStart(2, "0")} s`;
  return `${Math.floor(whole / 3600)} h ${String(Math.floor((whole % 3600) / 60)).padStart(2, "0")} min`;
}

function formatRate(perSecond: number): string {
  return perSecond >= 100 ? perSecond.toFixed(0) : perSecond.toFixed(1);
}

/** Writes a line in place on a terminal, or as plain throttled lines elsewhere. */
function lineWriter(options: ProgressOptions) {
  const stream = options.stream ?? process.stderr;
  const now = options.now ?? (() => performance.now());
  const tty = stream.isTTY === true;
  const every = tty ? REDRAW_EVERY_MS : (options.plainEveryMs ?? PLAIN_EVERY_MS);
  const started = now();
  let last = started;
  let open = false;
  return {
    tty,
    now,
    started,
    /** A line that is dropped if the last one was written too recently, unless forced. */
    show(text: string, force = false) {
      const at = now();
      if (!force && at - last < every) return;
      last = at;
      if (tty) {
        stream.write(`${REDRAW}${text}${CLEAR_TO_END}`);
        open = true;
      } else stream.write(`${text}\n`);
    },
    /** A line that is always written, and ends any line being redrawn. */
    settle(text: string) {
      last = now();
      stream.write(tty ? `${REDRAW}${text}${CLEAR_TO_END}\n` : `${text}\n`);
      open = false;
    },
    /** Ends a redrawn line without replacing it (before other output, or an error). */
    release() {
      if (open) stream.write("\n");
      open = false;
    },
  };
}

export interface Progress {
  /** `total` may be omitted (or change) while it is not known yet. */
  update(done: number, total?: number): void;
  /** The closing line: count, time taken and mean rate. */
  finish(): void;
  /** Stops redrawing, leaving the last line as it is (for an error that follows). */
  abandon(): void;
}

/**
 * Counts `label`'s items done: "rebuilding  120/400  35.2/s  8.0 s left". Without a total it shows
 * the count and the rate, not a time left it cannot know.
 */
export function createProgress(label: string, options: ProgressOptions = {}): Progress {
  const line = lineWriter(options);
  let done = 0;
  let total: number | undefined;
  const count = () => (total === undefined ? `${done}` : `${done}/${total}`);
  const rate = (at: number) => (done / Math.max(at - line.started, 1)) * 1000;
  return {
    update(value, newTotal) {
      done = value;
      if (newTotal !== undefined) total = newTotal;
      const at = line.now();
      const perSecond = rate(at);
      const parts = [label, count(), `${formatRate(perSecond)}/s`];
      if (total !== undefined && done > 0 && done < total) parts.push(`${formatDuration(((total - done) / perSecond) * 1000)} left`);
      line.show(parts.join("  "));
    },
    finish() {
      const at = line.now();
      line.settle(`${label}  ${count()} in ${formatDuration(at - line.started)} (${formatRate(rate(at))}/s)`);
    },
    abandon: () => line.release(),
  };
}

/** Runs `work` with a progress line fed by the callback it is given: closed when it succeeds, left as it stood when it fails. */
export async function withProgress<T>(label: string, work: (onProgress: (done: number, total?: number) => void) => Promise<T>, options?: ProgressOptions): Promise<T> {
  const progress = createProgress(label, options);
  try {
    const result = await work((done, total) => progress.update(done, total));
    progress.finish();
    return result;
  } catch (error) {
    progress.abandon();
    throw error;
  }
}

export interface Steps {
  /** Starts a step, ending the one before it. */
  step(name: string): void;
  /** Ends the last step. */
  finish(): void;
  /** Ends the last step as failed (before the error is printed). */
  abandon(): void;
}

/**
 * Work made of a few slow steps (a deployment): each step with the time it took, where a rate
 * would mean nothing. On a terminal the running step shows as "name…" until it ends.
 */
export function createSteps(options: ProgressOptions = {}): Steps {
  const line = lineWriter(options);
  let current: { name: string; started: number } | undefined;
  const end = () => {
    if (current) line.settle(`${current.name}  ${formatDuration(line.now() - current.started)}`);
    current = undefined;
  };
  return {
    step(name) {
      end();
      current = { name, started: line.now() };
      // Elsewhere a step is written once, when it ends with its time.
      if (line.tty) line.show(`${name}…`, true);
    },
    finish: end,
    // In a log a step is only written when it ends: the one that failed must still be named.
    abandon() {
      if (current) line.settle(`${current.name}  failed after ${formatDuration(line.now() - current.started)}`);
      current = undefined;
    },
  };
}

/** Runs `work` with its steps shown as `onStep` names them; the last one ends with the work. */
export async function withSteps<T>(work: (onStep: (name: string) => void) => Promise<T>, options?: ProgressOptions): Promise<T> {
  const steps = createSteps(options);
  try {
    const result = await work((name) => steps.step(name));
    steps.finish();
    return result;
  } catch (error) {
    steps.abandon();
    throw error;
  }
}
