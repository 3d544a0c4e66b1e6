import { getEnv } from "~/env.server";
import { checkHealth } from "~/modules/health/health.server";

/** Every part's status, and which role answers (`web`; a proxy in front may route to several). */
export async function loader() {
  const health = await checkHealth(getEnv());
  const body = { role: process.env.PRESS_ROLE ?? "web", pid: process.pid, ...health };
  return Response.json(body, { status: health.status === "up" ? 200 : 503, headers: { "cache-control": "no-store" } });
}
