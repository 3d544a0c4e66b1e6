import { describe, expect, it } from "vitest";
import { UserError } from "~/modules/errors.server";
import { normalizeEmail } from "./email.server";

describe("email addresses", () => {
  it("are trimmed, with the domain lower-cased (IDNs in ASCII) and the local part as typed", () => {
    expect(normalizeEmail("  Ada.Lovelace+notes@Example.ORG\t")).toBe("Ada.Lovelace+notes@example.org");
    expect(normalizeEmail("reader@Bücher.example")).toBe("reader@xn--bcher-kva.example");
    expect(normalizeEmail("o'brien_{x}@mail.example.co.uk")).toBe("o'brien_{x}@mail.example.co.uk");
  });

  it("refuse anything that is not a plain address, including every line break", () => {
    const bad = [
      "",
      "plain",
      "a@b",
      "a@localhost",
      "a@example.123",
      "@example.com",
      "a@",
      "a..b@example.com",
      ".a@example.com",
      "a.@example.com",
      '"a b"@example.com',
      "a b@example.com",
      "a@exa mple.com",
      "a@-example.com",
      "a@example-.com",
      "a@example..com",
      "<a@example.com>",
      "a@example.com\r\nBcc: victim@example.net",
      "a@example.com\nX: y",
      "a\u0000@example.com",
      "a,b@example.com",
      `${"x".repeat(65)}@example.com`,
      `a@${"x".repeat(250)}.com`,
    ];
    for (const value of bad) {
      expect(() => normalizeEmail(value), JSON.stringify(value)).toThrow(UserError);
    }
  });
});
