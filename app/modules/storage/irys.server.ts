import type Irys from "@irys/sdk";
import type { Env } from "~/env.server";
import type { SignedDataItem } from "./data-item.server";

export class UploadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UploadError";
  }
}

export interface UploadReceipt {
  id: string;
  /** True when the bundler already held this data item: a retried upload is not a new copy. */
  alreadyStored: boolean;
}

export interface BundlerTarget {
  bundlerUrl: string;
  token: string;
  /** The key the bundler charges: the platform's. */
  privateKey: `0x${string}`;
}

/** The configured bundler, paid by the platform key. */
export function bundlerTarget(env: Pick<Env, "storage">): BundlerTarget {
  return { bundlerUrl: env.storage.irysUrl, token: env.storage.irysToken, privateKey: env.storage.platformKey };
}

const clients = new Map<string, Irys>();

/**
 * The Irys client does no network I/O until it uploads; one per bundler, token and key. It is
 * loaded on the first upload, in the worker: it brings the libraries of every chain Irys accepts
 * payment on (about 160 MB resident), which a web process, uploading nothing, never needs.
 */
async function client(target: BundlerTarget): Promise<Irys> {
  const key = `${target.bundlerUrl}|${target.token}|${target.privateKey}`;
  let irys = clients.get(key);
  if (!irys) {
    const { default: IrysClient } = await import("@irys/sdk");
    irys = new IrysClient({ url: target.bundlerUrl, token: target.token, key: target.privateKey.slice(2) });
    clients.set(key, irys);
  }
  return irys;
}

/** Whether the bundler already holds a data item (`GET /tx/{id}` answers 200). */
export async function bundlerHas(id: string, bundlerUrl: string): Promise<boolean> {
  try {
    const response = await fetch(new URL(`/tx/${id}`, bundlerUrl), { signal: AbortSignal.timeout(10_000) });
    return response.ok;
  } catch {
    return false;
  }
}

/**
 * Uploads a signed data item to an Irys-protocol bundler with the Irys client. The id is fixed by
 * the item's signature, so retrying is safe: a bundler that already has the item answers 201,
 * which the client reports as an error, and the item is then confirmed present and counted as
 * stored.
 */
export async function uploadDataItem(item: SignedDataItem, target: BundlerTarget): Promise<UploadReceipt> {
  const irys = await client(target);
  try {
    const response = await irys.uploader.uploadTransaction(new irys.arbundles.DataItem(item.bytes));
    const id = (response.data as { id?: string }).id;
    if (id !== undefined && id !== item.id) throw new UploadError(`the bundler answered with id ${id} for data item ${item.id}`);
    return { id: item.id, alreadyStored: false };
  } catch (error) {
    if (error instanceof UploadError) throw error;
    if (await bundlerHas(item.id, target.bundlerUrl)) return { id: item.id, alreadyStored: true };
    const message = error instanceof Error ? error.message : String(error);
    throw new UploadError(`the bundler at ${target.bundlerUrl} did not take data item ${item.id}: ${message}`);
  }
}
