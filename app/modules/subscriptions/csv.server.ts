import { isAddress } from "viem";
import type { Database } from "~/db.server";
import type { Env } from "~/env.server";
import { UserError } from "~/modules/errors.server";
import { confirmationMail } from "~/modules/mail/templates.server";
import { normalizeEmail } from "./email.server";
import { listName, subscriberLinks, type ListRef } from "./subscribers.server";
import { issueConfirmToken } from "./tokens.server";

export const CSV_COLUMNS = ["email", "wallet", "date"] as const;
export const MAX_IMPORT_ROWS = 100_000;
const MAX_PROBLEMS_SHOWN = 50;
const CHUNK = 500;

export interface CsvRow {
  /** The line the row starts on, counting the header as line 1. */
  line: number;
  cells: string[];
}

/**
 * Reads CSV as RFC 4180 writes it: commas, optional double quotes (a doubled quote inside stands
 * for one), quoted fields may hold commas and line breaks, CRLF or LF. Blank lines are skipped.
 */
export function parseCsv(text: string): CsvRow[] {
  const rows: CsvRow[] = [];
  let cells: string[] = [];
  let cell = "";
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  let fieldStarted = false;
  const endRow = () => {
    cells.push(cell);
    if (cells.length > 1 || cells[0] !== "") rows.push({ line: rowLine, cells });
    cells = [];
    cell = "";
    fieldStarted = false;
  };
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (char === '"') quoted = false;
      else {
        if (char === "\n") line++;
        cell += char;
      }
    } else if (char === '"' && !fieldStarted) {
      quoted = true;
      fieldStarted = true;
    } else if (char === ",") {
      cells.push(cell);
      cell = "";
      fieldStarted = false;
    } else if (char === "\n" || char === "\r") {
      if (char === "\r" && text[i + 1] === "\n") i++;
      endRow();
      line++;
      rowLine = line;
    } else {
      cell += char;
      fieldStarted = true;
    }
  }
  if (quoted) throw new UserError(`line ${rowLine}: a quoted field is never closed.`, 422);
  endRow();
  return rows;
}

// A cell that starts like a formula is prefixed with an apostrophe, so a spreadsheet shows it
// instead of running it; importing removes the apostrophe again.
const FORMULA = /^[=+\-@\t\r]/;

function csvCell(value: string): string {
  const safe = FORMULA.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

const unguard = (value: string) => (value.startsWith("'") && FORMULA.test(value.slice(1)) ? value.slice(1) : value);

export const csvLine = (cells: string[]) => `${cells.map(csvCell).join(",")}\r\n`;

/** The writer's confirmed subscribers as CSV (email, wallet, date), read in pages so a large list never sits in memory twice. */
export async function* exportSubscribers(db: Database, writerId: string): AsyncGenerator<string> {
  yield csvLine([...CSV_COLUMNS]);
  let cursor: string | undefined;
  for (;;) {
    const page = await db.subscriber.findMany({
      where: { writerId, status: "confirmed" },
      orderBy: { id: "asc" },
      take: 5_000,
      ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
      select: { id: true, email: true, wallet: true, confirmedAt: true, createdAt: true },
    });
    if (page.length === 0) return;
    yield page.map((s) => csvLine([s.email ?? "", s.wallet ?? "", (s.confirmedAt ?? s.createdAt).toISOString()])).join("");
    cursor = page[page.length - 1]!.id;
  }
}

/** An import refused as a whole, with every problem found, by line. */
export class ImportRefused extends UserError {
  constructor(readonly problems: string[]) {
    super(
      `${problems.length === 1 ? "One problem" : `${problems.length} problems`} in the file; nothing was imported.` +
        (problems.length > MAX_PROBLEMS_SHOWN ? ` The first ${MAX_PROBLEMS_SHOWN} are listed.` : ""),
      422,
    );
    this.name = "ImportRefused";
  }

  get shown(): string[] {
    return this.problems.slice(0, MAX_PROBLEMS_SHOWN);
  }
}

interface ImportRow {
  line: number;
  email: string | null;
  wallet: string | null;
  date: Date | null;
}

/** Every row checked before anything is written: a list either imports whole or not at all. */
function validate(rows: CsvRow[], now: Date): ImportRow[] {
  const [header, ...data] = rows;
  if (!header) throw new ImportRefused(["line 1: the file is empty; the first line names the columns (email, wallet, date)."]);
  const columns = header.cells.map((cell) => cell.trim().toLowerCase());
  const problems: string[] = [];
  for (const column of columns) {
    if (!(CSV_COLUMNS as readonly string[]).includes(column)) problems.push(`line 1: unknown column “${column.slice(0, 40)}”; the columns are email, wallet and date.`);
  }
  if (!columns.includes("email") && !columns.includes("wallet")) problems.push("line 1: there is neither an email nor a wallet column.");
  if (new Set(columns).size !== columns.length) problems.push("line 1: a column is named twice.");
  if (problems.length) throw new ImportRefused(problems);
  if (data.length > MAX_IMPORT_ROWS) throw new ImportRefused([`The file has ${data.length.toLocaleString("en")} rows; import at most ${MAX_IMPORT_ROWS.toLocaleString("en")} at a time.`]);

  const latest = now.getTime() + 24 * 60 * 60 * 1000;
  const seenEmails = new Map<string, number>();
  const seenWallets = new Map<string, number>();
  const valid: ImportRow[] = [];
  for (const { line, cells } of data) {
    if (cells.length !== columns.length) {
      problems.push(`line ${line}: ${cells.length} cells where the header has ${columns.length}.`);
      continue;
    }
    const field = (name: string) => {
      const index = columns.indexOf(name);
      return index === -1 ? "" : unguard(cells[index]!.trim());
    };
    const row: ImportRow = { line, email: null, wallet: null, date: null };
    const rawEmail = field("email");
    const rawWallet = field("wallet");
    const rawDate = field("date");
    const before = problems.length;
    if (rawEmail) {
      try {
        row.email = normalizeEmail(rawEmail);
      } catch (error) {
        if (!(error instanceof UserError)) throw error;
        problems.push(`line ${line}: ${error.message}`);
      }
    }
    if (rawWallet) {
      if (isAddress(rawWallet, { strict: false })) row.wallet = rawWallet.toLowerCase();
      else problems.push(`line ${line}: “${rawWallet.slice(0, 60)}” is not a wallet address (0x and 40 hex digits).`);
    }
    if (rawDate) {
      const time = /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(rawDate) ? Date.parse(rawDate) : NaN;
      if (Number.isNaN(time)) problems.push(`line ${line}: “${rawDate.slice(0, 40)}” is not a date (write 2026-11-26 or an ISO 8601 time).`);
      else if (time > latest) problems.push(`line ${line}: ${rawDate} is in the future.`);
      else row.date = new Date(time);
    }
    if (!rawEmail && !rawWallet) problems.push(`line ${line}: there is neither an email nor a wallet.`);
    const emailKey = row.email?.toLowerCase();
    if (emailKey && seenEmails.has(emailKey)) problems.push(`line ${line}: ${row.email} is already on line ${seenEmails.get(emailKey)}.`);
    if (row.wallet && seenWallets.has(row.wallet)) problems.push(`line ${line}: ${row.wallet} is already on line ${seenWallets.get(row.wallet)}.`);
    if (emailKey) seenEmails.set(emailKey, line);
    if (row.wallet) seenWallets.set(row.wallet, line);
    if (problems.length === before) valid.push(row);
  }
  if (problems.length) throw new ImportRefused(problems);
  return valid;
}

async function existingKeys(db: Database, writerId: string, rows: ImportRow[]) {
  const emails = new Set<string>();
  const wallets = new Set<string>();
  const wanted = { emails: rows.flatMap((r) => (r.email ? [r.email] : [])), wallets: rows.flatMap((r) => (r.wallet ? [r.wallet] : [])) };
  for (let i = 0; i < Math.max(wanted.emails.length, wanted.wallets.length); i += CHUNK) {
    const found = await db.subscriber.findMany({
      where: { writerId, OR: [{ email: { in: wanted.emails.slice(i, i + CHUNK) } }, { wallet: { in: wanted.wallets.slice(i, i + CHUNK) } }] },
      select: { email: true, wallet: true },
    });
    for (const s of found) {
      if (s.email) emails.add(s.email);
      if (s.wallet) wallets.add(s.wallet);
    }
  }
  return { emails, wallets };
}

/**
 * Imports a CSV of subscribers (columns email, wallet, date; header first). All rows are checked
 * first and any problem refuses the whole file, listed by line; then everything is written in one
 * transaction. Consent: with `consent` the writer asserts that these people agreed to get their
 * essays, and they are imported as confirmed; without it they are pending and each address gets
 * a confirmation link, like a form subscription. Anyone already on the list (including people who
 * unsubscribed) is left exactly as they are: an import never brings back someone who left.
 */
export async function importSubscribers(db: Database, env: Env, writer: ListRef, text: string, opts: { consent: boolean }, now = new Date()) {
  const rows = validate(parseCsv(text.replace(/^\uFEFF/, "")), now);
  const existing = await existingKeys(db, writer.id, rows);
  const fresh = rows.filter((r) => !(r.email && existing.emails.has(r.email)) && !(r.wallet && existing.wallets.has(r.wallet)));
  const name = listName(writer);
  await db.$transaction(
    async (tx) => {
      for (let i = 0; i < fresh.length; i += CHUNK) {
        const chunk = fresh.slice(i, i + CHUNK).map((row) => ({ row, token: !opts.consent && row.email ? issueConfirmToken(env, now) : undefined }));
        const created = await tx.subscriber.createManyAndReturn({
          data: chunk.map(({ row, token }) => ({
            writerId: writer.id,
            email: row.email,
            wallet: row.wallet,
            status: opts.consent ? "confirmed" : "pending",
            source: "import",
            createdAt: row.date ?? now,
            confirmedAt: opts.consent ? (row.date ?? now) : null,
            confirmTokenHash: token?.hash ?? null,
            confirmExpiresAt: token?.expiresAt ?? null,
          })),
          select: { id: true, confirmTokenHash: true },
        });
        const idByHash = new Map(created.map((s) => [s.confirmTokenHash, s.id]));
        const confirmations = chunk.flatMap(({ row, token }) => {
          if (!token || !row.email) return [];
          const mail = confirmationMail({
            ...name,
            confirmUrl: `${env.publicUrl}/subscriptions/confirm?token=${encodeURIComponent(token.token)}`,
            unsubscribeUrl: subscriberLinks(env, idByHash.get(token.hash)!).unsubscribeUrl,
          });
          return [{ to: row.email, subject: mail.subject, text: mail.text, html: mail.html, headers: JSON.stringify(mail.headers) }];
        });
        if (confirmations.length) await tx.outgoingMail.createMany({ data: confirmations });
      }
    },
    { timeout: 5 * 60_000, maxWait: 10_000 },
  );
  return { imported: fresh.length, skipped: rows.length - fresh.length, confirmationsSent: opts.consent ? 0 : fresh.filter((r) => r.email).length };
}
