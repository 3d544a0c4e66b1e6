import { describe, expect, it } from "vitest";
import { createProgress, createSteps, formatDuration, withProgress, withSteps } from "./progress";

/** A stream that records what is written, and a clock the test moves. */
function fake(isTTY: boolean) {
  const writes: string[] = [];
  let ms = 0;
  return {
    writes,
    stream: { isTTY, write: (text: string) => writes.push(text) },
    now: () => ms,
    advance: (by: number) => (ms += by),
  };
}

describe("progress on a terminal", () => {
  it("redraws one line in place with the count, rate and time left, and ends it with a newline", () => {
    const t = fake(true);
    const progress = createProgress("rebuilding", { stream: t.stream, now: t.now });
    t.advance(2_000);
    progress.update(10, 100);
    t.advance(2_000);
    progress.update(20, 100);
    t.advance(6_000);
    progress.finish();
    expect(t.writes).toEqual([
      "\rrebuilding  10/100  5.0/s  18 s left\x1b[K",
      "\rrebuilding  20/100  5.0/s  16 s left\x1b[K",
      // The closing line replaces the last redraw, so the count shows what was last reported.
      "\rrebuilding  20/100 in 10 s (2.0/s)\x1b[K\n",
    ]);
  });

  it("does not redraw more often than the eye can follow", () => {
    const t = fake(true);
    const progress = createProgress("reading", { stream: t.stream, now: t.now });
    t.advance(200);
    for (let i = 1; i <= 50; i++) {
      progress.update(i, 50);
      t.advance(1);
    }
    expect(t.writes).toEqual(["\rreading  1/50  5.0/s  9.8 s left\x1b[K"]);
  });

  it("shows count and rate but no time left while the total is unknown", () => {
    const t = fake(true);
    const progress = createProgress("sending", { stream: t.stream, now: t.now });
    t.advance(4_000);
    progress.update(600);
    expect(t.writes).toEqual(["\rsending  600  150/s\x1b[K"]);
  });

  it("shows each step while it runs, then with the time it took", () => {
    const t = fake(true);
    const steps = createSteps({ stream: t.stream, now: t.now });
    steps.step("deploying the factory");
    t.advance(1_500);
    steps.step("waiting for confirmation");
    t.advance(12_400);
    steps.finish();
    expect(t.writes).toEqual([
      "\rdeploying the factory…\x1b[K",
      "\rdeploying the factory  1.5 s\x1b[K\n",
      "\rwaiting for confirmation…\x1b[K",
      "\rwaiting for confirmation  12 s\x1b[K\n",
    ]);
  });

  it("leaves the last line and moves to the next one when abandoned, so an error does not overwrite it", () => {
    const t = fake(true);
    const progress = createProgress("rebuilding", { stream: t.stream, now: t.now });
    t.advance(1_000);
    progress.update(3, 9);
    progress.abandon();
    expect(t.writes.at(-1)).toBe("\n");
  });
});

describe("progress in a log (not a terminal)", () => {
  it("writes plain lines at most every few seconds, and one at the end", () => {
    const t = fake(false);
    const progress = createProgress("importing", { stream: t.stream, now: t.now, plainEveryMs: 5_000 });
    for (let i = 1; i <= 120; i++) {
      t.advance(100);
      progress.update(i, 120);
    }
    progress.finish();
    expect(t.writes).toEqual([
      "importing  50/120  10.0/s  7.0 s left\n",
      "importing  100/120  10.0/s  2.0 s left\n",
      "importing  120/120 in 12 s (10.0/s)\n",
    ]);
    expect(t.writes.join("")).not.toMatch(/[\r\x1b]/);
  });

  it("writes only the closing line for work shorter than the interval", () => {
    const t = fake(false);
    const progress = createProgress("rebuilding", { stream: t.stream, now: t.now });
    for (let i = 1; i <= 4; i++) {
      t.advance(500);
      progress.update(i, 4);
    }
    progress.finish();
    expect(t.writes).toEqual(["rebuilding  4/4 in 2.0 s (2.0/s)\n"]);
  });

  it("writes a step once, when it ends or fails", () => {
    const t = fake(false);
    const steps = createSteps({ stream: t.stream, now: t.now });
    steps.step("checking the chain");
    t.advance(300);
    steps.step("deploying the factory");
    t.advance(75_000);
    steps.step("writing the deployment record");
    t.advance(200);
    steps.abandon();
    expect(t.writes).toEqual(["checking the chain  0.3 s\n", "deploying the factory  1 min 15 s\n", "writing the deployment record  failed after 0.2 s\n"]);
  });
});

describe("withProgress and withSteps", () => {
  it("close the line when the work succeeds, and leave it for the error when it fails", async () => {
    const t = fake(true);
    const result = await withProgress(
      "items",
      async (onProgress) => {
        t.advance(1_000);
        onProgress(2, 2);
        return "report";
      },
      { stream: t.stream, now: t.now },
    );
    expect(result).toBe("report");
    expect(t.writes.at(-1)).toBe("\ritems  2/2 in 1.0 s (2.0/s)\x1b[K\n");

    const failed = fake(true);
    const failing = withSteps(
      async (onStep) => {
        onStep("waiting for confirmation");
        failed.advance(30_000);
        throw new Error("the RPC did not answer");
      },
      { stream: failed.stream, now: failed.now },
    );
    await expect(failing).rejects.toThrow("the RPC did not answer");
    expect(failed.writes).toEqual(["\rwaiting for confirmation…\x1b[K", "\rwaiting for confirmation  failed after 30 s\x1b[K\n"]);
  });
});

describe("formatDuration", () => {
  it("keeps tenths under ten seconds and whole units above", () => {
    expect([850, 9_940, 42_300, 185_000, 3_725_000].map(formatDuration)).toEqual(["0.8 s", "9.9 s", "42 s", "3 min 05 s", "1 h 02 min"]);
  });
});
