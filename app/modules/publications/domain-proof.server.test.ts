import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseEnv, type Env } from "~/env.server";
import { UserError } from "~/modules/errors.server";
import { startDnsServer, type DnsServer, type TxtTable } from "../../../test/support/dns";
import { checkProof, holdsProof, newDomainToken, proofRecord } from "./domain-proof.server";

const refusal = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(UserError);
  return { status: (error as UserError).status, message: (error as UserError).message };
};

describe("the TXT record that proves a domain", () => {
  it("names the record under the domain and holds the claim's token", () => {
    expect(proofRecord("quarterly.example", "0a1b")).toEqual({ name: "_permanent-press.quarterly.example", value: "permanent-press-verification=0a1b" });
    const token = newDomainToken();
    expect(token).toMatch(/^[0-9a-f]{32}$/);
    expect(newDomainToken()).not.toBe(token);
  });

  it("is found among other TXT records, joined from its strings, with stray quotes and spaces forgiven", () => {
    const value = "permanent-press-verification=0a1b";
    expect(holdsProof([["v=spf1 -all"], [value]], value)).toBe(true);
    expect(holdsProof([["permanent-press-", "verification=0a1b"]], value)).toBe(true);
    expect(holdsProof([[` "${value}" `]], value)).toBe(true);
    expect(holdsProof([], value)).toBe(false);
    expect(holdsProof([["permanent-press-verification=0a1c"]], value)).toBe(false);
    expect(holdsProof([[`${value}0`]], value)).toBe(false);
    expect(holdsProof([["permanent-press-verification=0A1B"]], value)).toBe(false);
  });

  describe("asked of a DNS server", () => {
    const table: TxtTable = new Map();
    let dns: DnsServer;
    let env: Env;
    beforeAll(async () => {
      dns = await startDnsServer(table);
      env = parseEnv({ DNS_SERVERS: dns.address });
    });
    afterAll(() => dns.stop());

    it("is proved by the record, even one longer than a TXT string, and refused with what to do otherwise", async () => {
      const token = newDomainToken();
      table.set("_permanent-press.quarterly.test", ["v=spf1 -all", proofRecord("quarterly.test", token).value]);
      await expect(checkProof(env, "quarterly.test", token)).resolves.toBeUndefined();

      const long = "a".repeat(300);
      table.set("_permanent-press.long.test", [proofRecord("long.test", long).value]);
      await expect(checkProof(env, "long.test", long)).resolves.toBeUndefined();

      const other = newDomainToken();
      expect(await refusal(checkProof(env, "quarterly.test", other))).toEqual({
        status: 422,
        message: `_permanent-press.quarterly.test has a TXT record, but none holds permanent-press-verification=${other}. Set the record to exactly that value (DNS changes can take a while), then check again.`,
      });
      expect(await refusal(checkProof(env, "unknown.test", token))).toEqual({
        status: 404,
        message: "The TXT record was not found yet at _permanent-press.unknown.test: DNS changes can take a while. Check again in a few minutes.",
      });
      table.set("_permanent-press.broken.test", "servfail");
      expect(await refusal(checkProof(env, "broken.test", token))).toEqual({
        status: 503,
        message: "The DNS servers did not answer for _permanent-press.broken.test (ESERVFAIL), so the TXT record was not found yet: DNS changes can take a while. Check again in a few minutes.",
      });
    });
  });
});
