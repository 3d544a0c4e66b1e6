import { exportJwk, generateCryptoKeyPair, importJwk } from "@fedify/fedify";
import type { Database } from "~/db.server";

/** The algorithms every actor has a key for: RSA for HTTP Signatures, Ed25519 for proofs. */
const ALGORITHMS = ["RSASSA-PKCS1-v1_5", "Ed25519"] as const;

/**
 * RSA keys are 2048 bits, as Mastodon's own are: every delivery is signed with it (the HTTP
 * signature and the Linked Data signature), and Fedify's default of 4096 bits signs about 5 times
 * slower for no gain the fediverse checks.
 */
async function makeKeyPair(algorithm: (typeof ALGORITHMS)[number]): Promise<CryptoKeyPair> {
  if (algorithm === "Ed25519") return generateCryptoKeyPair("Ed25519");
  return crypto.subtle.generateKey({ name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" }, true, ["sign", "verify"]);
}

const cache = new Map<string, Promise<CryptoKeyPair[]>>();

/**
 * A writer's key pairs, made and stored on first need. Two processes making them at once both
 * try to insert; the unique (writer, algorithm) lets one win and the other reads the winner's.
 */
export function keyPairsOf(db: Database, writerId: string): Promise<CryptoKeyPair[]> {
  let pending = cache.get(writerId);
  if (!pending) {
    pending = loadOrCreate(db, writerId);
    pending.catch(() => cache.delete(writerId));
    cache.set(writerId, pending);
  }
  return pending;
}

async function loadOrCreate(db: Database, writerId: string): Promise<CryptoKeyPair[]> {
  const pairs: CryptoKeyPair[] = [];
  for (const algorithm of ALGORITHMS) {
    let row = await db.actorKey.findUnique({ where: { writerId_algorithm: { writerId, algorithm } } });
    if (!row) {
      const made = await makeKeyPair(algorithm);
      const data = { writerId, algorithm, publicJwk: JSON.stringify(await exportJwk(made.publicKey)), privateJwk: JSON.stringify(await exportJwk(made.privateKey)) };
      try {
        row = await db.actorKey.create({ data });
      } catch {
        row = await db.actorKey.findUniqueOrThrow({ where: { writerId_algorithm: { writerId, algorithm } } });
      }
    }
    pairs.push({ publicKey: await importJwk(JSON.parse(row.publicJwk), "public"), privateKey: await importJwk(JSON.parse(row.privateJwk), "private") });
  }
  return pairs;
}
