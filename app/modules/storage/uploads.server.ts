import { MAX_IMAGE_BYTES } from "~/modules/body-limits";
import crypto from "node:crypto";
import type { Database } from "~/db.server";
import type { Env } from "~/env.server";
import { UserError } from "~/modules/errors.server";
import { createSignedDataItem } from "./data-item.server";
import { chargeWriter } from "./quota.server";
import { bundlerTarget, uploadDataItem } from "./irys.server";


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

/**
 * Stores a writer's image permanently: checks its size and real type, signs it into a data item
 * tagged with its type and uploader, charges it to the writer's quota, uploads it, and records it. Returns its Arweave id.
 */
export async function uploadImage(db: Database, env: Env, writer: { id: string; address: string }, file: { bytes: Buffer; declaredType: string }) {
  if (file.bytes.length === 0) throw new UserError("The file is empty.");
  if (file.bytes.length > MAX_IMAGE_BYTES) throw new UserError(`Images can be at most ${MAX_IMAGE_BYTES / 1024 / 1024} MB; this one is ${(file.bytes.length / 1024 / 1024).toFixed(1)} MB.`, 413);
  const type = sniffImageType(file.bytes);
  if (!type) throw new UserError(`Only ${ACCEPTED_IMAGE_TYPES.map((t) => t.slice(6).toUpperCase()).join(", ")} images can be uploaded.`, 415);
  if (file.declaredType && file.declaredType !== "application/octet-stream" && file.declaredType !== type) {
    throw new UserError(`The file says it is ${file.declaredType} but it is ${type}.`, 415);
  }
  const item = await createSignedDataItem(file.bytes, [
    { name: "Content-Type", value: type },
    { name: "App-Name", value: "PermanentPress" },
    { name: "Uploader", value: writer.address },
  ], env.storage.platformKey);
  await chargeWriter(db, env, writer.id, "upload", item.bytes.length);
  await uploadDataItem(item, bundlerTarget(env));
  const sha256 = crypto.createHash("sha256").update(file.bytes).digest("hex");
  await db.upload.upsert({
    where: { writerId_arweaveId: { writerId: writer.id, arweaveId: item.id } },
    create: { arweaveId: item.id, writerId: writer.id, contentType: type, size: file.bytes.length, sha256 },
    update: {},
  });
  return { id: item.id, contentType: type, url: new URL(`/${item.id}`, env.storage.gatewayUrl).toString() };
}
