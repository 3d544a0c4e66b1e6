import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { privateKeyToAccount } from "viem/accounts";
import { toHex, verifyMessage, type Address } from "viem";
import { getEnv, DEV_PLATFORM_KEY } from "~/env.server";
import { shortAddress } from "~/components/addresses";
import { devWriters } from "~/modules/dev/accounts.server";
import { startChildServer, startTestServer } from "../support/web";

/**
 * The development wallet lets anyone who reaches the press sign as the local chain's accounts:
 * harmless on a press only this machine reaches, whose chain's keys are public anyway, and
 * nowhere else.
 */
describe("the development wallet", () => {
  let local: Awaited<ReturnType<typeof startTestServer>>;
  let writer: Address;

  beforeAll(async () => {
    local = await startTestServer();
    writer = (await devWriters(getEnv()))[0]!.address;
  });
  afterAll(() => local?.stop());

  const rpc = (base: string, method: string, params: unknown[], headers: Record<string, string> = {}) =>
    fetch(`${base}/dev/wallet`, { method: "POST", headers: { ...headers, "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 7, method, params }) });

  it("relays personal_sign for a development account, and the signature verifies", async () => {
    const message = `Sign in to the press ${crypto.randomUUID()}`;
    const response = await rpc(local.url, "personal_sign", [toHex(message), writer]);
    expect(response.status).toBe(200);
    const { id, result } = (await response.json()) as { id: number; result: `0x${string}` };
    expect(id).toBe(7);
    expect(await verifyMessage({ address: writer, message, signature: result })).toBe(true);
  });

  it("relays reading the chain: the local chain's id", async () => {
    expect(await (await rpc(local.url, "eth_chainId", [])).json()).toMatchObject({ result: "0x7a69" });
  });

  it("refuses a method it does not relay, with a JSON-RPC error and 400", async () => {
    const response = await rpc(local.url, "hardhat_setBalance", [writer, "0xffffffffffffffff"]);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 4200, message: "The development wallet does not relay hardhat_setBalance." } });
  });

  it("refuses to sign or send for an account that is not a person's development account", async () => {
    const stranger = privateKeyToAccount(`0x${"12".repeat(32)}`).address;
    const platform = privateKeyToAccount(DEV_PLATFORM_KEY).address;
    for (const [method, params] of [
      ["personal_sign", [toHex("hello"), stranger]],
      ["personal_sign", [toHex("hello"), platform]],
      ["eth_signTypedData_v4", [stranger, "{}"]],
      ["eth_sendTransaction", [{ from: platform, to: writer, value: "0x1" }]],
      ["eth_sendTransaction", [{ to: writer, value: "0x1" }]],
    ] as const) {
      const response = await rpc(local.url, method, [...params]);
      expect(response.status, `${method} ${JSON.stringify(params)}`).toBe(403);
      expect(await response.json()).toMatchObject({ error: { code: 4100, message: "The development wallet signs only for the local chain's development accounts." } });
    }
  });

  it("offers the demo writers on the sign-in page, and names its relay in every page", async () => {
    // React separates adjacent text with empty comments; a browser shows the text as one.
    const page = (await (await fetch(`${local.url}/signin`)).text()).replaceAll("<!-- -->", "");
    expect(page).toContain("Use a development wallet");
    for (const dev of await devWriters(getEnv())) expect(page).toContain(`${dev.name} <span class="muted">${shortAddress(dev.address)}</span>`);
    expect(await (await fetch(`${local.url}/`)).text()).toContain('<meta name="press-dev-wallet" content="/dev/wallet"/>');
  });

  it("forgets the chosen account at sign-out", async () => {
    const response = await fetch(`${local.url}/signout`, { method: "POST", redirect: "manual" });
    expect(response.status).toBe(302);
    expect(response.headers.get("clear-site-data")).toBe('"storage"');
  });

  // A press on a public address is reached through its proxy, which names the host it was asked for.
  for (const [reason, settings, headers] of [
    ["the press is reached on a public address", () => ({ PUBLIC_URL: "https://press.example", SESSION_SECRET: "s".repeat(40), PLATFORM_PRIVATE_KEY: `0x${"ab".repeat(32)}` }), { "x-forwarded-host": "press.example" }],
    // The very node that holds the keys: only the setting says it is not the local stand-in.
    ["the chain is set by CHAIN_RPC_URL, even to the local node", () => ({ CHAIN_RPC_URL: getEnv().chain.rpcUrl }), {}],
  ] as const) {
    it(`does not exist when ${reason}`, async () => {
      const server = await startChildServer(settings());
      try {
        const relayed = await rpc(server.url, "personal_sign", [toHex("hello"), writer], headers);
        expect(relayed.status).toBe(404);
        expect(await relayed.text()).not.toContain("0x");
        const page = await (await fetch(`${server.url}/signin`, { headers })).text();
        expect(page).toContain("Sign in");
        expect(page).not.toContain("development wallet");
        expect(page).not.toContain("press-dev-wallet");
        expect((await fetch(`${server.url}/signout`, { method: "POST", redirect: "manual", headers })).headers.get("clear-site-data")).toBeNull();
      } finally {
        await server.stop();
      }
    });
  }
});
