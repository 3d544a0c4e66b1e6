/**
 * Runs `pass` again and again until stopped: after each pass, waits the delay it returns (or
 * `intervalMs`); a pass that throws is reported to `onError` and the loop goes on. `stop()` resolves
 * once the pass in progress has finished, so a worker never stops half-way through a row.
 */
export function runRepeatedly(pass: () => Promise<number | void>, opts: { intervalMs: number; onError: (error: Error) => void }) {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<unknown> = Promise.resolve();
  const tick = () => {
    running = pass()
      .then((delay) => delay ?? opts.intervalMs)
      .catch((error: unknown) => {
        opts.onError(error as Error);
        return opts.intervalMs;
      })
      .then((delay) => {
        if (!stopped) timer = setTimeout(tick, delay);
      });
  };
  tick();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
