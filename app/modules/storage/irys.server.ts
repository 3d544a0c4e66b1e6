import type { SignedDataItem } from "./data-item.server";

export class UploadError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = "UploadError";
  }
}

export interface UploadReceipt {
  id: string;
  /** True when the bundler already held this data item: a retried upload is not a new copy. */
  alreadyStored: boolean;
  timestamp?: number;
}

/**
 * Uploads a signed data item with the Irys upload protocol: `POST /tx/{token}` with the raw
 * ANS-104 bytes. The bundler answers 200 for a new item and 201 for one it already has.
 */
export async function uploadDataItem(item: SignedDataItem, opts: { bundlerUrl: string; token: string; timeoutMs?: number }): Promise<UploadReceipt> {
  let response: Response;
  try {
    response = await fetch(new URL(`/tx/${opts.token}`, opts.bundlerUrl), {
      method: "POST",
      headers: { "content-type": "application/octet-stream" },
      body: new Uint8Array(item.bytes),
      signal: AbortSignal.timeout(opts.timeoutMs ?? 60_000),
    });
  } catch (error) {
    throw new UploadError(`the bundler at ${opts.bundlerUrl} could not be reached: ${(error as Error).message}`);
  }
  const text = await response.text();
  if (response.status !== 200 && response.status !== 201) {
    throw new UploadError(`the bundler refused data item ${item.id} (${response.status}): ${text.slice(0, 300)}`, response.status);
  }
  let body: { id?: string; timestamp?: number } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    // Some bundlers answer a duplicate with plain text; the id is known anyway.
  }
  if (body.id !== undefined && body.id !== item.id) {
    throw new UploadError(`the bundler answered with an unexpected id ${body.id} for ${item.id}`);
  }
  return { id: item.id, alreadyStored: response.status === 201, timestamp: body.timestamp };
}
