/**
 * The canonical entry format (docs/entry-format.md): what is signed, stored on Arweave and verified.
 * Isomorphic: the browser computes the same digest and typed data the server checks.
 */
import type { TiptapDocument } from "./extensions";

export const ENTRY_FORMAT_VERSION = "1";
export const APP_NAME = "PermanentPress";

export interface EntryContent {
  title: string;
  /** The essay as Markdown, for any reader or tool that does not know Tiptap. */
  body: string;
  /** The essay as a Tiptap document, the form the editor works in. */
  json: TiptapDocument;
  /** Seconds since the Unix epoch, when this version was published. */
  timestamp: number;
  /**
   * The id of the publication the entry is published into (docs/publication-format.md), absent
   * for an entry of the writer's own. Part of the content, so the author's signature covers it.
   */
  publication?: `0x${string}`;
}

export interface Entry {
  format: typeof ENTRY_FORMAT_VERSION;
  content: EntryContent;
  /** base64url(SHA-256(canonical bytes of `content`)). */
  digest: string;
  /** The digest of version 1: one id for the entry across all its versions. */
  originalDigest: string;
  version: number;
  authorship: { contributor: `0x${string}`; signature: `0x${string}` };
  edition: { chainId: number; address: `0x${string}` } | null;
}

/**
 * Canonical JSON (RFC 8785, for the values entries hold): object keys sorted by UTF-16 code units,
 * no insignificant white space, strings escaped as JSON.stringify does, integers only.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === "boolean" || typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value)) throw new RangeError(`canonical JSON holds integers only, not ${value}`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  throw new TypeError(`canonical JSON cannot hold ${typeof value}`);
}

function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** The bytes a digest is taken over: UTF-8 of the canonical JSON of the content. */
export function contentBytes(content: EntryContent): Uint8Array {
  return new TextEncoder().encode(canonicalJson(content));
}

/** base64url(SHA-256(canonical content bytes)). */
export async function contentDigest(content: EntryContent): Promise<string> {
  const hash = await crypto.subtle.digest("SHA-256", contentBytes(content) as BufferSource);
  return base64url(new Uint8Array(hash));
}

/** EIP-712 typed data the author's wallet signs: the digest binds the whole content. */
export function entryTypedData(fields: { title: string; digest: string; originalDigest: string; version: number; contributor: `0x${string}` }) {
  return {
    domain: { name: "Permanent Press", version: ENTRY_FORMAT_VERSION },
    types: {
      Entry: [
        { name: "title", type: "string" },
        { name: "digest", type: "string" },
        { name: "originalDigest", type: "string" },
        { name: "version", type: "uint32" },
        { name: "contributor", type: "address" },
      ],
    },
    primaryType: "Entry" as const,
    message: { title: fields.title, digest: fields.digest, originalDigest: fields.originalDigest, version: fields.version, contributor: fields.contributor },
  };
}

/** The Arweave tags of an entry's data item. */
export function entryTags(entry: Entry): Array<{ name: string; value: string }> {
  return [
    { name: "Content-Type", value: "application/json" },
    { name: "App-Name", value: APP_NAME },
    { name: "App-Version", value: ENTRY_FORMAT_VERSION },
    { name: "Contributor", value: entry.authorship.contributor },
    { name: "Content-Digest", value: entry.digest },
    { name: "Original-Content-Digest", value: entry.originalDigest },
    { name: "Entry-Version", value: String(entry.version) },
    ...(entry.content.publication ? [{ name: "Publication", value: entry.content.publication }] : []),
    // Tag values are limited to a few kB in bundles; titles are capped well below that.
    { name: "Title", value: entry.content.title },
  ];
}
