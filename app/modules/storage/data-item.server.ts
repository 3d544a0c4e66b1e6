/**
 * ANS-104 from Irys's bundles library, loaded on the first data item signed or checked: it brings
 * the signers of every chain Irys knows (about 36 MB resident), which a process that only serves
 * reading pages never needs.
 */
const bundles = () => import("@irys/bundles");

/** An Arweave tag: a name and a value, both UTF-8 strings. */
export interface Tag {
  name: string;
  value: string;
}

/** A signed ANS-104 data item, ready to upload. Its id is fixed by its signature, before upload. */
export interface SignedDataItem {
  /** base64url of the 32-byte id, the form gateways use in URLs and GraphQL. */
  id: string;
  bytes: Buffer;
}

/**
 * Wraps `data` in an ANS-104 data item signed by the platform's Ethereum key (signature type 3).
 * The signature is deterministic, so the same data, tags and key give the same id every time:
 * an upload can be retried without ever creating a second copy.
 */
export async function createSignedDataItem(data: string | Uint8Array, tags: Tag[], privateKey: `0x${string}`): Promise<SignedDataItem> {
  const { createData, EthereumSigner } = await bundles();
  const signer = new EthereumSigner(privateKey.slice(2));
  const item = createData(data, signer, { tags });
  await item.sign(signer);
  return { id: item.rawId.toString("base64url"), bytes: item.getRaw() };
}

/** Checks an ANS-104 data item's structure and signature; returns its id, or undefined when invalid. */
export async function verifyDataItem(bytes: Buffer): Promise<{ id: string; tags: Tag[]; owner: string } | undefined> {
  const { DataItem } = await bundles();
  let valid = false;
  try {
    valid = await DataItem.verify(bytes);
  } catch {
    valid = false;
  }
  if (!valid) return undefined;
  const item = new DataItem(bytes);
  return { id: item.rawId.toString("base64url"), tags: item.tags, owner: item.owner };
}

/** The data a signed data item carries, without its signature, owner and tags. */
export async function dataItemPayload(bytes: Buffer): Promise<Buffer> {
  const { DataItem } = await bundles();
  return Buffer.from(new DataItem(bytes).rawData);
}
