import crypto from "node:crypto";
import fc from "fast-check";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localPath } from "~/modules/redirects";
import { signedInBrowser, startTestServer, type Browser } from "../support/web";

/**
 * Values of `next` that have sent browsers (or some browser) to another site, each as the
 * application receives it: already decoded once from the query string.
 */
const BYPASSES: Array<[attack: string, value: string]> = [
  ["a scheme-relative URL", "//evil.example"],
  ["a backslash after the slash, which browsers read as a second slash", "/\\evil.example"],
  ["two backslashes", "\\\\evil.example"],
  ["a backslash then a slash", "\\/evil.example"],
  ["a percent-encoded backslash, decoded once more on the way", "/%5Cevil.example"],
  ["a lower-case percent-encoded backslash", "/%5cevil.example"],
  ["a tab between the slashes, which browsers drop", "/\t/evil.example"],
  ["a newline between the slashes", "/\n/evil.example"],
  ["a carriage return and newline between the slashes", "/\r\n/evil.example"],
  ["a NUL between the slashes", "/\u0000/evil.example"],
  ["a percent-encoded tab between the slashes", "/%09/evil.example"],
  ["a percent-encoded slash after the slash", "/%2F/evil.example"],
  ["two percent-encoded slashes", "/%2f%2fevil.example"],
  ["three slashes", "///evil.example"],
  ["a dot segment that collapses into two slashes", "/.//evil.example"],
  ["a parent segment that collapses into two slashes", "/..//evil.example"],
  ["an absolute https URL", "https://evil.example/drafts"],
  ["an http URL without slashes, which resolves against the current scheme", "http:evil.example"],
  ["an https URL without slashes", "https:evil.example"],
  ["a javascript: URL", "javascript:alert(document.cookie)"],
  ["a javascript: URL in mixed case", "JaVaScRiPt:alert(1)"],
  ["a data: URL", "data:text/html,<script>alert(1)</script>"],
  ["our name as the userinfo of another host", "https://press.example@evil.example/"],
  ["a scheme-relative URL with userinfo", "//press.example@evil.example"],
  ["an internationalised look-alike host", "https://\u0435vil.example/"],
  ["a full-width scheme-relative host", "//\uff45vil.example"],
  ["a leading space before the slashes", " //evil.example"],
  ["a relative path without a leading slash", "evil.example"],
  ["a value longer than any address of ours", `/${"a".repeat(5000)}`],
  ["an empty value", ""],
];

/** Local paths that must arrive unchanged. */
const KEPT = ["/drafts", "/drafts/cm0abc123?tab=2#title", "/settings/subscribers?q=a%20b&page=2", "/@evil.example", "/caf%C3%A9"];

describe("where a `next` parameter may send someone: only to a page of this site", () => {
  for (const [attack, value] of BYPASSES) {
    it(`refuses ${attack}`, () => {
      expect(localPath(value, "/drafts")).toBe("/drafts");
    });
  }

  it("refuses anything that is not a string", () => {
    for (const value of [null, undefined, 42, ["/drafts"], { href: "/drafts" }]) expect(localPath(value, "/drafts")).toBe("/drafts");
  });

  it("keeps local paths with their query and fragment", () => {
    for (const value of KEPT) expect(localPath(value, "/drafts")).toBe(value);
  });

  it("never yields a location that a browser resolves to another origin, whatever the input", () => {
    const pieces = fc.constantFrom("/", "\\", ".", "..", "%", "%2F", "%5C", "%09", "\t", "\n", "\u0000", "@", ":", "?", "#", "evil.example", "http", "https:", "javascript:", "\uff0f", " ");
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 12 }), (parts) => {
        const location = localPath(parts.join(""), "/drafts");
        expect(new URL(location, "https://press.example/signin").origin).toBe("https://press.example");
        expect(location.startsWith("/") && !location.startsWith("//")).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });
});

describe("redirects after signing in and after saving a profile stay on this site", () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let writer: Browser;
  let handle: string;

  beforeAll(async () => {
    server = await startTestServer();
    writer = await signedInBrowser(server.url, privateKeyToAccount(generatePrivateKey()));
    handle = `redirect-${crypto.randomBytes(3).toString("hex")}`;
    const form = new FormData();
    form.set("handle", handle);
    expect((await writer.fetch("/settings/profile", { method: "POST", body: form })).status).toBe(302);
  });
  afterAll(() => server?.stop());

  /** The query string of each bypass as an attacker writes it in a link (the issue's own examples first). */
  const links = ["next=/%5Cevil.example", "next=/%09/evil.example", ...BYPASSES.map(([, value]) => new URLSearchParams({ next: value }).toString())];

  /** Where a browser goes with this Location header, from a page of ours. */
  const origin = (response: Response) => new URL(response.headers.get("location") ?? "", server.url).origin;

  it("GET /signin?next=… by a signed-in writer redirects to their drafts, never off-site", async () => {
    for (const query of links) {
      const response = await writer.fetch(`/signin?${query}`);
      expect(response.status, query).toBe(302);
      expect(origin(response), query).toBe(new URL(server.url).origin);
      expect(response.headers.get("location"), query).toBe("/drafts");
    }
  });

  it("POST /signin?next=… sends no one anywhere: signing in is a wallet signature, not a form", async () => {
    for (const query of links) {
      const response = await writer.fetch(`/signin?${query}`, { method: "POST", body: new FormData() });
      expect(response.status, query).toBe(405);
      expect(response.headers.get("location"), query).toBeNull();
    }
  });

  it("POST /settings/profile?next=… redirects to the writer's page, never off-site", async () => {
    for (const query of links) {
      const form = new FormData();
      form.set("handle", handle);
      const response = await writer.fetch(`/settings/profile?${query}`, { method: "POST", body: form });
      expect(response.status, query).toBe(302);
      expect(origin(response), query).toBe(new URL(server.url).origin);
      expect(response.headers.get("location"), query).toBe(`/${handle}`);
    }
  });

  it("still goes on to the local page a writer was sent to sign in from", async () => {
    expect((await writer.fetch(`/signin?next=${encodeURIComponent("/settings/subscribers?page=2")}`)).headers.get("location")).toBe("/settings/subscribers?page=2");
    const form = new FormData();
    form.set("handle", handle);
    const saved = await writer.fetch(`/settings/profile?next=${encodeURIComponent("/drafts")}`, { method: "POST", body: form });
    expect(saved.headers.get("location")).toBe("/drafts");
  });
});
