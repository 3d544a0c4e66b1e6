import { describe, expect, it } from "vitest";
import { DEV_PLATFORM_KEY, EnvError, parseEnv } from "~/env.server";

function problemsOf(source: Record<string, string>): string[] {
  try {
    parseEnv(source);
  } catch (error) {
    if (error instanceof EnvError) return error.problems;
    throw error;
  }
  throw new Error("the configuration was accepted");
}

describe("configuration", () => {
  it("runs the embedded stack when nothing is set", () => {
    const env = parseEnv({});
    expect(env.port).toBe(3000);
    expect(env.publicUrl).toBe("http://127.0.0.1:3000");
    expect(env.database).toEqual({ url: "file:.data/platform.db", provider: "sqlite" });
    expect(env.chain).toMatchObject({ rpcUrl: "http://127.0.0.1:8545", id: 31337 });
    expect(env.storage).toMatchObject({ irysUrl: "http://127.0.0.1:1985", gatewayUrl: "http://127.0.0.1:1984", irysToken: "ethereum", platformKey: DEV_PLATFORM_KEY });
    expect(env.mail.smtpUrl).toBe("smtp://127.0.0.1:2525");
    expect(env.local).toMatchObject({ chain: true, bundler: true, gateway: true, mail: true });
  });

  it("uses external services where their URLs are set, and no stand-in for them", () => {
    const env = parseEnv({
      DATABASE_URL: "postgresql://press:secret@db.internal:5432/press",
      CHAIN_RPC_URL: "https://sepolia.base.org",
      CHAIN_ID: "84532",
      FACTORY_ADDRESS: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
      IRYS_URL: "https://uploader.irys.xyz",
      IRYS_TOKEN: "base-eth",
      ARWEAVE_GATEWAY_URL: "https://arweave.net",
      SMTP_URL: "smtps://user:pass@smtp.example.com:465",
      PUBLIC_URL: "https://press.example.com",
      SESSION_SECRET: "s".repeat(40),
      PLATFORM_PRIVATE_KEY: `0x${"AB".repeat(32)}`,
    });
    expect(env.database.provider).toBe("postgres");
    expect(env.chain).toMatchObject({ rpcUrl: "https://sepolia.base.org", id: 84532, factoryAddress: "0x5FbDB2315678afecb367f032d93F642f64180aa3", deployerKey: undefined });
    expect(env.storage).toMatchObject({ irysUrl: "https://uploader.irys.xyz", irysToken: "base-eth", platformKey: `0x${"ab".repeat(32)}` });
    expect(env.local).toMatchObject({ chain: false, bundler: false, gateway: false, mail: false });
    expect(env.publicUrl).toBe("https://press.example.com");
  });

  it("lets the local chain's development accounts be used only on the local chain of a press on this machine", () => {
    expect(parseEnv({}).devChain).toBe(true);
    expect(parseEnv({ PUBLIC_URL: "http://localhost:3000", HOST: "::1" }).devChain).toBe(true);
    expect(parseEnv({ CHAIN_RPC_URL: "http://127.0.0.1:8545" }).devChain).toBe(false);
    expect(parseEnv({ HOST: "0.0.0.0" }).devChain).toBe(false);
    expect(parseEnv({ PUBLIC_URL: "https://press.example", SESSION_SECRET: "s".repeat(40), PLATFORM_PRIVATE_KEY: `0x${"ab".repeat(32)}` }).devChain).toBe(false);
  });

  it("keeps the default SQLite database in DATA_DIR with the rest of the local state", () => {
    expect(parseEnv({ DATA_DIR: "/srv/press" }).database).toEqual({ url: "file:/srv/press/platform.db", provider: "sqlite" });
    expect(parseEnv({ DATA_DIR: "/srv/press", DATABASE_URL: "file:/var/db/press.db" }).database.url).toBe("file:/var/db/press.db");
  });

  it("takes federation test origins only on a press served on a loopback address", () => {
    expect(parseEnv({ FEDERATION_TEST_ORIGINS: "http://127.0.0.2:4001, http://127.0.0.1:4000" }).federation.testOrigins).toEqual(["http://127.0.0.2:4001", "http://127.0.0.1:4000"]);
    expect(parseEnv({ PUBLIC_URL: "http://127.0.0.2:4001", SESSION_SECRET: "s".repeat(32), PLATFORM_PRIVATE_KEY: DEV_PLATFORM_KEY, FEDERATION_TEST_ORIGINS: "http://127.0.0.1:4000" }).federation.testOrigins).toEqual(["http://127.0.0.1:4000"]);
    expect(() => parseEnv({ PUBLIC_URL: "https://press.example.com", SESSION_SECRET: "s".repeat(32), PLATFORM_PRIVATE_KEY: DEV_PLATFORM_KEY, FEDERATION_TEST_ORIGINS: "http://127.0.0.2:4001" })).toThrow(/FEDERATION_TEST_ORIGINS: only for a press served on a loopback address/);
    expect(() => parseEnv({ FEDERATION_TEST_ORIGINS: "ftp://127.0.0.2:4001" })).toThrow(/FEDERATION_TEST_ORIGINS/);
  });

  it("asks the system's DNS servers unless DNS_SERVERS names others, each an IP address with an optional port", () => {
    expect(parseEnv({}).dnsServers).toEqual([]);
    expect(parseEnv({ DNS_SERVERS: "192.0.2.53, 127.0.0.1:5353,[::1]:5353, 2001:db8::53" }).dnsServers).toEqual(["192.0.2.53", "127.0.0.1:5353", "[::1]:5353", "2001:db8::53"]);
    for (const bad of ["dns.example", "127.0.0.1:99999", "[::1]", "[127.0.0.1]:53", "udp://127.0.0.1"]) {
      expect(problemsOf({ DNS_SERVERS: bad }), bad).toEqual([expect.stringMatching(/^DNS_SERVERS\.0: each must be an IP address, with a port when not 53/)]);
    }
  });

  it("treats empty values as unset", () => {
    expect(parseEnv({ CHAIN_RPC_URL: "", PORT: " " }).local.chain).toBe(true);
  });

  it("names every bad setting at once", () => {
    const problems = problemsOf({ CHAIN_RPC_URL: "not a url", PLATFORM_PRIVATE_KEY: "0x1234", PORT: "http", DATABASE_URL: "mysql://x", SMTP_URL: "http://mail.example.com" });
    expect(problems).toHaveLength(5);
    expect(problems.join("\n")).toMatch(/CHAIN_RPC_URL: must be an absolute URL/);
    expect(problems.join("\n")).toMatch(/PLATFORM_PRIVATE_KEY: must be a 32-byte private key/);
    expect(problems.join("\n")).toMatch(/PORT:/);
    expect(problems.join("\n")).toMatch(/DATABASE_URL: must be file:<path> for SQLite or postgres/);
    expect(problems.join("\n")).toMatch(/SMTP_URL: must start with smtp:\/\/ or smtps:\/\//);
  });

  it("refuses the public development secrets on a public address", () => {
    const problems = problemsOf({ PUBLIC_URL: "https://press.example.com" });
    expect(problems).toEqual([
      "SESSION_SECRET: must be set when PUBLIC_URL is not a loopback address",
      "PLATFORM_PRIVATE_KEY: must be set when PUBLIC_URL is not a loopback address",
    ]);
  });

  it("refuses combinations that cannot work", () => {
    expect(problemsOf({ CHAIN_ID: "8453" })).toEqual(["CHAIN_ID: the local chain is 31337; set CHAIN_RPC_URL to use another chain"]);
    expect(problemsOf({ ARWEAVE_GATEWAY_URL: "https://arweave.net" })[0]).toMatch(/^IRYS_URL: must be set when ARWEAVE_GATEWAY_URL/);
    expect(problemsOf({ FACTORY_ADDRESS: "0x123" })[0]).toMatch(/^FACTORY_ADDRESS: must be an address/);
  });
});
