import { getEnv } from "~/env.server";
import { checkHealth } from "~/modules/health/health.server";

export async function loader() {
  const health = await checkHealth(getEnv());
  return Response.json(health, { status: health.status === "up" ? 200 : 503, headers: { "cache-control": "no-store" } });
}
