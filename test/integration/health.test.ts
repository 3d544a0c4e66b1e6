import { describe, expect, it } from "vitest";
import { getEnv, parseEnv } from "~/env.server";
import { checkHealth } from "~/modules/health/health.server";
import { freePort } from "../../scripts/local/service";

describe("health", () => {
  it("reports every part up, with its latency", async () => {
    const health = await checkHealth(getEnv());
    expect(health.status).toBe("up");
    for (const part of ["database", "chain", "storage", "mail"] as const) {
      expect(health.parts[part]).toMatchObject({ status: "up" });
      expect(health.parts[part].latencyMs).toBeGreaterThanOrEqual(0);
    }
    expect(health.parts.chain.detail).toMatchObject({ chainId: 31337 });
  });

  it("names the part that is down and why", async () => {
    const closed = await freePort();
    const env = parseEnv({ ...process.env, SMTP_URL: `smtp://127.0.0.1:${closed}`, CHAIN_RPC_URL: getEnv().chain.rpcUrl, CHAIN_ID: "1" });
    const health = await checkHealth(env);
    expect(health.status).toBe("down");
    expect(health.parts.mail).toMatchObject({ status: "down" });
    expect(health.parts.mail.error).toMatch(/ECONNREFUSED/);
    expect(health.parts.chain.error).toBe("the RPC serves chain 31337, not the configured 1");
    expect(health.parts.database.status).toBe("up");
    expect(health.parts.storage.status).toBe("up");
  });
});
