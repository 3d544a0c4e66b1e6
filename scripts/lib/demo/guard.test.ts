import { describe, expect, it } from "vitest";
import { parseEnv } from "../../../app/env.server";
import { demoRefusal } from "./guard";

const local = { PUBLIC_URL: "http://127.0.0.1:3000", HOST: "127.0.0.1" };

describe("where the demo may write", () => {
  it("writes to the local stack: the local chain, a SQLite file, a press on this machine", () => {
    expect(demoRefusal(parseEnv(local))).toBeNull();
    expect(demoRefusal(parseEnv({ ...local, DATABASE_URL: "postgresql://postgres@127.0.0.1:5432/press_demo" }))).toBeNull();
    expect(demoRefusal(parseEnv({ ...local, DATABASE_URL: "postgresql://postgres@localhost/scratch-1" }))).toBeNull();
  });

  it("refuses a configured chain: its accounts are not the development ones", () => {
    const refusal = demoRefusal(parseEnv({ ...local, CHAIN_RPC_URL: "https://sepolia.base.org", CHAIN_ID: "84532" }));
    expect(refusal).toContain("only against the local development chain");
    expect(refusal).toContain("https://sepolia.base.org");
  });

  it("refuses a press reached from elsewhere", () => {
    const refusal = demoRefusal(parseEnv({ PUBLIC_URL: "https://press.example.com", HOST: "0.0.0.0", SESSION_SECRET: "s".repeat(40), PLATFORM_PRIVATE_KEY: `0x${"1".repeat(64)}` }));
    expect(refusal).toContain("only against a press on this machine");
  });

  it("refuses a PostgreSQL database that is not named as scratch, or not on this machine", () => {
    expect(demoRefusal(parseEnv({ ...local, DATABASE_URL: "postgresql://postgres@127.0.0.1:5432/press" }))).toContain('names "press" on 127.0.0.1');
    expect(demoRefusal(parseEnv({ ...local, DATABASE_URL: "postgresql://press@db.internal:5432/press_demo" }))).toContain("db.internal");
    expect(demoRefusal(parseEnv({ ...local, DATABASE_URL: "postgresql://postgres@127.0.0.1/demonstrations" }))).not.toBeNull();
  });
});
