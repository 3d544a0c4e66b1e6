import { describe, expect, it } from "vitest";
import type { Env } from "~/env.server";
import { publicationOrigin } from "~/modules/reading/entry-urls.server";
import { parseDomain, publicationRoute, siteForHost } from "./domains.server";

const press = { publicUrl: "https://press.example" } as Env;
const local = { publicUrl: "http://127.0.0.1:3000" } as Env;
const refusal = (env: Env, input: unknown) => {
  try {
    parseDomain(env, input);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`accepted ${String(input)}`);
};

describe("a publication's domain", () => {
  it("accepts a host name, lower-cased and without a final dot, and an empty value as none", () => {
    expect(parseDomain(press, " Quarterly.Example. ")).toBe("quarterly.example");
    expect(parseDomain(press, "xn--bcher-kva.example")).toBe("xn--bcher-kva.example");
    expect(parseDomain(press, "")).toBeNull();
  });

  it("refuses the press's own name, addresses, ports, paths and names that are not host names", () => {
    expect(refusal(press, "press.example")).toBe("That is the press's own host name.");
    expect(refusal(press, "127.0.0.1")).toBe("Give a host name, not an IP address.");
    expect(refusal(local, "10.0.0.1")).toBe("Give a host name, not an IP address.");
    expect(parseDomain(local, "127.0.0.2")).toBe("127.0.0.2");
    for (const bad of ["https://a.example", "a.example:8080", "a.example/x", "user@a.example", "localhost", "-a.example", "a_b.example", "a.123", `${"a".repeat(64)}.example`, `${"a.".repeat(127)}example`]) {
      expect(() => parseDomain(press, bad), bad).toThrow();
    }
    expect(refusal(press, 42)).toBe("Send the host name as text.");
  });

  it("is served on https, or on the press's scheme and port while the press runs on loopback", () => {
    expect(publicationOrigin(press.publicUrl, "quarterly.example")).toBe("https://quarterly.example");
    expect(publicationOrigin(local.publicUrl, "quarterly.test")).toBe("http://quarterly.test:3000");
  });

  it("knows the press's own host, with or without its default port, and refuses a malformed one", async () => {
    expect(await siteForHost(press, "PRESS.example:443")).toEqual({ origin: "https://press.example" });
    expect(await siteForHost(local, "localhost:3000")).toEqual({ origin: "http://127.0.0.1:3000" });
    expect(await siteForHost(press, "a b")).toBeNull();
    expect(await siteForHost(press, undefined)).toBeNull();
  });

  it("maps its paths to the press's: its page, its feeds, sign-in in place, the press's pages at the press", () => {
    const site = { origin: "https://quarterly.example", publication: { id: "p1", handle: "quarterly", domain: "quarterly.example" } };
    const pages = new Set(["drafts", "settings", "rss.xml"]);
    const route = (path: string) => publicationRoute(site, path, pages, press.publicUrl);
    expect(route("/")).toEqual({ path: "/quarterly" });
    expect(route("/atom.xml")).toEqual({ path: "/quarterly/atom.xml" });
    expect(route("/auth/siwe")).toEqual({ path: "/auth/siwe" });
    expect(route("/robots.txt")).toEqual({ path: "/robots.txt" });
    expect(route("/drafts/abc")).toEqual({ redirect: "https://press.example/drafts/abc" });
    expect(route("/quarterly/on-time")).toEqual({ redirect: "https://quarterly.example/on-time" });
    expect(route("/a/b/c")).toEqual({ notFound: true });
    expect(route("//")).toEqual({ notFound: true });
  });
});
