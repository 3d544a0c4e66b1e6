import fs from "node:fs/promises";
import path from "node:path";

export interface CapturedMessage {
  id: string;
  receivedAt: Date;
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string | undefined;
}

const ID = /^\d{15}-[0-9a-f]{8}$/;

/** Messages the local mail catcher received, newest first. */
export async function listCapturedMail(dir: string): Promise<CapturedMessage[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return [];
  }
  const ids = names.filter((name) => name.endsWith(".eml")).map((name) => name.slice(0, -4)).filter((id) => ID.test(id)).sort().reverse();
  return Promise.all(ids.map((id) => readCapturedMail(dir, id) as Promise<CapturedMessage>));
}

/** One captured message by its id, or undefined. */
export async function readCapturedMail(dir: string, id: string): Promise<CapturedMessage | undefined> {
  if (!ID.test(id)) return undefined;
  let raw: Buffer;
  try {
    raw = await fs.readFile(path.join(dir, `${id}.eml`));
  } catch {
    return undefined;
  }
  // Loaded on the first look at the local mailbox, a page that exists on the local stack alone.
  const { simpleParser } = await import("mailparser");
  const parsed = await simpleParser(raw);
  const addresses = (value: typeof parsed.to) => (Array.isArray(value) ? value.map((v) => v.text).join(", ") : (value?.text ?? ""));
  return {
    id,
    receivedAt: new Date(Number(id.slice(0, 15))),
    from: parsed.from?.text ?? "",
    to: addresses(parsed.to),
    subject: parsed.subject ?? "(no subject)",
    text: parsed.text ?? "",
    html: typeof parsed.html === "string" ? parsed.html : undefined,
  };
}
