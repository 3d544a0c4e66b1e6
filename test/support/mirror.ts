import { webcrypto } from "node:crypto";
import type { PrivateKeyAccount } from "viem/accounts";
import { mirrorDigest, SIGNING_KEY_MESSAGE_PREFIX } from "~/modules/entries/mirror.server";

/** A P-256 device key as Mirror's editor makes one, with its public half as the JWK text Mirror stores. */
export async function newMirrorSigningKey() {
  const pair = (await webcrypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"])) as webcrypto.CryptoKeyPair;
  const { crv, ext, key_ops, kty, x, y } = await webcrypto.subtle.exportKey("jwk", pair.publicKey);
  return { privateKey: pair.privateKey, jwk: JSON.stringify({ crv, ext, key_ops, kty, x, y }) };
}

/** A Mirror entry made the way Mirror's editor makes one: a fresh device key signs the digest, the wallet authorizes the key. */
export async function signMirrorEntry(wallet: PrivateKeyAccount, content: { title: string; body: string; timestamp: number | string }) {
  const digest = mirrorDigest(content);
  const device = await newMirrorSigningKey();
  const signingKeyMessage = SIGNING_KEY_MESSAGE_PREFIX + device.jwk;
  const deviceSignature = await webcrypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, device.privateKey, Buffer.from(digest, "base64url"));
  return {
    content,
    digest,
    authorship: {
      contributor: wallet.address,
      signingKey: device.jwk,
      signature: await wallet.signMessage({ message: signingKeyMessage }),
      signingKeySignature: Buffer.from(deviceSignature).toString("base64url"),
      signingKeyMessage,
      algorithm: { name: "ECDSA", hash: "SHA-256" },
    },
    version: "04-25-2022",
  };
}
