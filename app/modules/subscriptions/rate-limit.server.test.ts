import { describe, expect, it } from "vitest";
import { clientKey } from "./rate-limit.server";

const request = (forwardedFor?: string) => new Request("http://press.test/subscribe/ada", forwardedFor === undefined ? {} : { headers: { "x-forwarded-for": forwardedFor } });

describe("who a request comes from, for per-client limits", () => {
  it("is the connection's address when no proxy is trusted, whatever X-Forwarded-For claims", () => {
    expect(clientKey(request(), { clientAddress: "192.0.2.7" }, 0)).toBe("192.0.2.7");
    // Anyone can send the header: a new address in it must not buy a fresh allowance.
    expect(clientKey(request("198.51.100.1"), { clientAddress: "192.0.2.7" }, 0)).toBe("192.0.2.7");
    expect(clientKey(request("198.51.100.2, 198.51.100.3"), { clientAddress: "192.0.2.7" }, 0)).toBe("192.0.2.7");
  });

  it("is the address the outermost trusted proxy saw, behind one or more", () => {
    // The client wrote "1.1.1.1" itself; the proxy appended the address it really saw.
    expect(clientKey(request("1.1.1.1, 203.0.113.9"), { clientAddress: "10.0.0.2" }, 1)).toBe("203.0.113.9");
    expect(clientKey(request("1.1.1.1, 203.0.113.9, 10.0.0.5"), { clientAddress: "10.0.0.2" }, 2)).toBe("203.0.113.9");
    // A request that reached the server without passing every proxy: the farthest address known.
    expect(clientKey(request(), { clientAddress: "10.0.0.2" }, 1)).toBe("10.0.0.2");
    expect(clientKey(request("203.0.113.9"), { clientAddress: "10.0.0.2" }, 3)).toBe("203.0.113.9");
  });

  it("is bounded in length, and says when the address is unknown", () => {
    expect(clientKey(request(`${"a".repeat(200)}`), { clientAddress: "10.0.0.2" }, 1)).toHaveLength(64);
    expect(clientKey(request(), {}, 0)).toBe("unknown");
  });
});
