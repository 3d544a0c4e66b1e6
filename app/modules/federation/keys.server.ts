import { exportJwk, generateCryptoKeyPair, importJwk } from "@fedify/fedify";
import type { Database } from "~/db.server";

/** The algorithms every actor has a key for: RSA for HTTP Signatures, Ed25519 for proofs. */
const ALGORITHMS = ["RSASSA-PKCS1-v1_5", "Ed25519"] as const;

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
      const made = await generateCryptoKeyPair(algorithm);
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
