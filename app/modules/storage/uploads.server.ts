import { MAX_IMAGE_BYTES } from "~/modules/body-limits";
import crypto from "node:crypto";
import type { Database } from "~/db.server";
import type { Env } from "~/env.server";
import { resolveArweaveUrl } from "~/modules/entries/extensions";
import { UserError } from "~/modules/errors.server";
import { createSignedDataItem, dataItemPayload, type Tag } from "./data-item.server";
import { imagePath } from "./image-path";
import { chargeWriter } from "./quota.server";

// Raster formats only: SVG can carry scripts. Each is recognised by its first bytes, not by the
// type the browser claims.
const SIGNATURES: Array<{ type: string; matches: (b: Buffer) => boolean }> = [
  { type: "image/png", matches: (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) },
  { type: "image/jpeg", matches: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  { type: "image/gif", matches: (b) => b.subarray(0, 6).toString("latin1") === "GIF87a" || b.subarray(0, 6).toString("latin1") === "GIF89a" },
  { type: "image/webp", matches: (b) => b.subarray(0, 4).toString("latin1") === "RIFF" && b.subarray(8, 12).toString("latin1") === "WEBP" },
  { type: "image/avif", matches: (b) => b.subarray(4, 12).toString("latin1") === "ftypavif" },
];

export const ACCEPTED_IMAGE_TYPES = SIGNATURES.map((s) => s.type);

/** The image type of some bytes, or undefined when they are not an accepted image. */
export function sniffImageType(bytes: Buffer): string | undefined {
  return SIGNATURES.find((signature) => signature.matches(bytes))?.type;
}

export type UploadKind = "image" | "cover" | "metadata" | "record";

const onGateway = (env: Env, arweaveId: string) => resolveArweaveUrl(`ar://${arweaveId}`, env.storage.gatewayUrl);

/**
 * Signs a file into a data item under `tags`, charges it to the writer's quota, and queues it in the
 * outbox with its bytes: its id is known now, the worker uploads it. Nothing here talks to the
 * bundler, so a bundler outage never fails the writer's request. The same file, tags and key give
 * the same id, so queueing a file twice keeps one row and one item.
 */
async function queueDataItem(db: Database, env: Env, writerId: string, file: { data: Buffer; contentType: string; kind: UploadKind }, tags: Tag[], now?: Date) {
  const item = await createSignedDataItem(file.data, tags, env.storage.platformKey);
  await chargeWriter(db, env, writerId, "upload", item.bytes.length, now);
  const sha256 = crypto.createHash("sha256").update(file.data).digest("hex");
  const row = await db.upload.upsert({
    where: { writerId_arweaveId: { writerId, arweaveId: item.id } },
    create: { arweaveId: item.id, writerId, kind: file.kind, contentType: file.contentType, size: file.data.length, sha256, dataItem: new Uint8Array(item.bytes) },
    update: {},
    select: { status: true },
  });
  return { id: item.id, status: row.status === "confirmed" ? ("confirmed" as const) : ("pending" as const) };
}

/** Queues a writer's file (an image, an edition's cover or metadata) tagged with its type and uploader. */
export async function queueUpload(db: Database, env: Env, writerId: string, file: { data: Buffer; contentType: string; kind: UploadKind; uploader: string }) {
  return queueDataItem(db, env, writerId, file, [
    { name: "Content-Type", value: file.contentType },
    { name: "App-Name", value: "PermanentPress" },
    { name: "Uploader", value: file.uploader },
  ]);
}

/**
 * Queues a signed JSON record (a publication's or a membership's) for Arweave under its own tags,
 * charged to `writerId` like any upload; returns its Arweave id, known now.
 */
export async function queueRecord(db: Database, env: Env, writerId: string, json: string, tags: Tag[], now = new Date()) {
  return (await queueDataItem(db, env, writerId, { data: Buffer.from(json), contentType: "application/json", kind: "record" }, tags, now)).id;
}

/**
 * Stores a writer's image permanently: checks its size and real type, then queues it (queueUpload).
 * Returns its Arweave id, whether the gateway serves it yet, and a URL that shows it now: the
 * gateway's once it is confirmed, the press's own until then.
 */
export async function uploadImage(db: Database, env: Env, writer: { id: string; address: string }, file: { bytes: Buffer; declaredType: string }) {
  if (file.bytes.length === 0) throw new UserError("The file is empty.");
  if (file.bytes.length > MAX_IMAGE_BYTES) throw new UserError(`Images can be at most ${MAX_IMAGE_BYTES / 1024 / 1024} MB; this one is ${(file.bytes.length / 1024 / 1024).toFixed(1)} MB.`, 413);
  const type = sniffImageType(file.bytes);
  if (!type) throw new UserError(`Only ${ACCEPTED_IMAGE_TYPES.map((t) => t.slice(6).toUpperCase()).join(", ")} images can be uploaded.`, 415);
  if (file.declaredType && file.declaredType !== "application/octet-stream" && file.declaredType !== type) {
    throw new UserError(`The file says it is ${file.declaredType} but it is ${type}.`, 415);
  }
  const queued = await queueUpload(db, env, writer.id, { data: file.bytes, contentType: type, kind: "image", uploader: writer.address });
  const url = queued.status === "confirmed" ? onGateway(env, queued.id) : imagePath(queued.id);
  return { id: queued.id, contentType: type, status: queued.status, url };
}

/**
 * The writer's images among `arweaveIds` that the gateway does not serve yet, each with the
 * press's own URL for it: what the editor and the profile show in their place meanwhile.
 */
export async function pendingImageUrls(db: Database, writerId: string, arweaveIds: string[]): Promise<Record<string, string>> {
  if (arweaveIds.length === 0) return {};
  const rows = await db.upload.findMany({ where: { writerId, kind: "image", arweaveId: { in: arweaveIds }, status: { not: "confirmed" } }, select: { arweaveId: true } });
  return Object.fromEntries(rows.map((row) => [row.arweaveId, imagePath(row.arweaveId)]));
}

/**
 * An uploaded image as the press serves it: its bytes while they are kept (the gateway may not
 * have them yet), or the gateway's URL once it serves them; undefined for an id that is no image
 * of ours.
 */
export async function servedImage(db: Database, env: Env, arweaveId: string): Promise<{ bytes: Buffer; contentType: string } | { gatewayUrl: string } | undefined> {
  const row = await db.upload.findFirst({ where: { arweaveId, kind: "image" }, orderBy: { createdAt: "asc" }, select: { dataItem: true, status: true } });
  if (!row) return undefined;
  if (!row.dataItem) return row.status === "confirmed" ? { gatewayUrl: onGateway(env, arweaveId) } : undefined;
  const bytes = await dataItemPayload(Buffer.from(row.dataItem));
  // The type is sniffed again from the bytes served, never taken from what was stored beside them.
  const contentType = sniffImageType(bytes);
  return contentType ? { bytes, contentType } : undefined;
}
