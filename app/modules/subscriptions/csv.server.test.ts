import { describe, expect, it } from "vitest";
import { UserError } from "~/modules/errors.server";
import { csvLine, parseCsv } from "./csv.server";

describe("CSV", () => {
  it("reads RFC 4180: quotes, doubled quotes, commas and line breaks inside quotes, CRLF or LF, blank lines skipped", () => {
    const text = 'email,wallet,date\r\n"a,b@example.com","",2026-01-01\r\n\r\n"say ""hi""","line\nbreak",x\nlast,,\n';
    expect(parseCsv(text)).toEqual([
      { line: 1, cells: ["email", "wallet", "date"] },
      { line: 2, cells: ["a,b@example.com", "", "2026-01-01"] },
      { line: 4, cells: ['say "hi"', "line\nbreak", "x"] },
      { line: 6, cells: ["last", "", ""] },
    ]);
    expect(() => parseCsv('email\n"never closed')).toThrow(new UserError('line 2: a quoted field is never closed.', 422));
  });

  it("writes what it reads, and keeps spreadsheets from running a cell as a formula", () => {
    const cells = ["=HYPERLINK(1)@example.com", 'quote "q"', "a,b", "plain", "+1", "-x", "@x"];
    const line = csvLine(cells);
    expect(line).toBe(`'=HYPERLINK(1)@example.com,"quote ""q""","a,b",plain,'+1,'-x,'@x\r\n`);
    expect(parseCsv(line)[0]!.cells).toEqual(["'=HYPERLINK(1)@example.com", 'quote "q"', "a,b", "plain", "'+1", "'-x", "'@x"]);
  });
});
