import { webcrypto } from "node:crypto";
import { generatePrivateKey, type PrivateKeyAccount } from "viem/accounts";
import { getEnv } from "~/env.server";
import { mirrorDigest, SIGNING_KEY_MESSAGE_PREFIX } from "~/modules/entries/mirror.server";
import { createSignedDataItem, type Tag } from "~/modules/storage/data-item.server";
import { bundlerTarget, uploadDataItem } from "~/modules/storage/irys.server";

/** A P-256 device key as Mirror's editor makes one, with its public half as the JWK text Mirror stores. */
export async function newMirrorSigningKey() {
  const pair = (await webcrypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"])) as webcrypto.CryptoKeyPair;
  const { crv, ext, key_ops, kty, x, y } = await webcrypto.subtle.exportKey("jwk", pair.publicKey);
  return { privateKey: pair.privateKey, jwk: JSON.stringify({ crv, ext, key_ops, kty, x, y }) };
}

/**
 * A Mirror entry made the way Mirror's editor makes one: a fresh device key signs the digest, the
 * wallet authorizes the key. `contributor` defaults to the wallet; Mirror does not sign it, so any
 * wallet can name anyone (a publication's member does, and so does a forger).
 */
export async function signMirrorEntry(wallet: PrivateKeyAccount, content: { title: string; body: string; timestamp: number | string }, contributor: `0x${string}` = wallet.address) {
  const digest = mirrorDigest(content);
  const device = await newMirrorSigningKey();
  const signingKeyMessage = SIGNING_KEY_MESSAGE_PREFIX + device.jwk;
  const deviceSignature = await webcrypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, device.privateKey, Buffer.from(digest, "base64url"));
  return {
    content,
    digest,
    authorship: {
      contributor,
      signingKey: device.jwk,
      signature: await wallet.signMessage({ message: signingKeyMessage }),
      signingKeySignature: Buffer.from(deviceSignature).toString("base64url"),
      signingKeyMessage,
      algorithm: { name: "ECDSA", hash: "SHA-256" },
    },
    version: "04-25-2022",
  };
}

/** Posts a Mirror entry's JSON to the local gateway with the tags Mirror gives it, signed by a throwaway key; its Arweave id. */
export async function postMirrorEntry(text: string, originalDigest: string): Promise<string> {
  const json = JSON.parse(text) as { digest: string; authorship: { contributor: string } };
  const tags: Tag[] = [
    { name: "Content-Type", value: "application/json" },
    { name: "App-Name", value: "MirrorXYZ" },
    { name: "Contributor", value: json.authorship.contributor },
    { name: "Content-Digest", value: json.digest },
    { name: "Original-Content-Digest", value: originalDigest },
  ];
  const item = await createSignedDataItem(text, tags, generatePrivateKey());
  await uploadDataItem(item, bundlerTarget(getEnv()));
  return item.id;
}
