import v8 from "node:v8";
import { getEnv } from "~/env.server";
import { checkHealth } from "~/modules/health/health.server";

/**
 * Every part's status, which role answers (`web`; a proxy in front may route to several), and its
 * memory: resident now, and the heap bound V8 stops the process at.
 */
export async function loader() {
  const health = await checkHealth(getEnv());
  const memory = { rssMb: Math.round(process.memoryUsage.rss() / 1024 / 1024), heapLimitMb: Math.round(v8.getHeapStatistics().heap_size_limit / 1024 / 1024) };
  const body = { role: process.env.PRESS_ROLE ?? "web", pid: process.pid, memory, ...health };
  return Response.json(body, { status: health.status === "up" ? 200 : 503, headers: { "cache-control": "no-store" } });
}
