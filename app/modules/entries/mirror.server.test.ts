import fs from "node:fs";
import path from "node:path";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { describe, expect, it } from "vitest";
import { newMirrorSigningKey, signMirrorEntry } from "../../../test/support/mirror";
import { describeVerdict, mirrorDigest, NotAMirrorEntry, parseMirrorEntry, SIGNING_KEY_MESSAGE_PREFIX, verifyMirrorEntry, type MirrorVerdict } from "./mirror.server";

const FIXTURES = path.resolve(__dirname, "../../../test/fixtures/mirror");

// 0xd327… publishes onchainsummer.xyz; its entries were signed by two other wallets, one per signing
// key: members, as far as anyone can tell, but nothing on Arweave proves it, so none is verified.
const PUBLICATION = "0xd3271DF159F18E07AAD79E79A24580BB5c4776e9";
const MEMBER_OF_KEY_RYIL = "0x3E7bbcF91Ef6e7F657a0f658D69a440a4E2F3AA3";
const MEMBER_OF_KEY_4RCT = "0xE13022451246A6DB2d8005E949DBebd851A24792";
const SOLO_WRITER = "0xf9e0206f9f020DE9423A80ace7A64B322D0CE334";

const VERDICTS: Record<string, MirrorVerdict> = {
  "BtttCd5ecU0USQhFQ9wGZCmQ1Exq-nEhSUDViy0B_RY.json": { status: "signed-by-other", signer: MEMBER_OF_KEY_RYIL },
  "DJ0PP-QLvDLMagBXajSCliN8RqNFt2WAggTBSwzGjPA.H6t3FMTQcGLiqIwCCmekWES_JVbje9VC8hqN5ctmM_0.json": { status: "signed-by-other", signer: MEMBER_OF_KEY_4RCT },
  "DJ0PP-QLvDLMagBXajSCliN8RqNFt2WAggTBSwzGjPA.json": { status: "signed-by-other", signer: MEMBER_OF_KEY_4RCT },
  "HTXHZIR5WXI3N7rehIKBtir-Th0QV7d_u12Ss6w6cqw.json": { status: "signed-by-other", signer: MEMBER_OF_KEY_4RCT },
  "N-zdPR5w0qhkgOFi9WJBDEnM2WzD4xfSHjF40i4qvq4.json": { status: "signed-by-other", signer: MEMBER_OF_KEY_4RCT },
  "k4bfWvIESu0m5XqXY80V6yPKy1ce9HY4y2g5mcULDA0.json": { status: "signed-by-other", signer: MEMBER_OF_KEY_4RCT },
  "lSB4sNKGgntaVI9RqsR_Ak54BD8NrEBjXN5sYJ_LyPM.json": { status: "signed-by-other", signer: MEMBER_OF_KEY_RYIL },
  "nIJWGywAVkuFY_Q3HzKRsP8UmkTlvZVF31Vof90u_TU.json": { status: "verified", signer: SOLO_WRITER },
};

const SOLO = "nIJWGywAVkuFY_Q3HzKRsP8UmkTlvZVF31Vof90u_TU.json";
const PUBLICATION_ENTRY = "lSB4sNKGgntaVI9RqsR_Ak54BD8NrEBjXN5sYJ_LyPM.json";

// A fresh, mutable copy each time, so one test's tampering never leaks into another.
function fixture(name: string): any {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES, name), "utf8"));
}

async function verdictOf(json: unknown): Promise<MirrorVerdict> {
  return verifyMirrorEntry(parseMirrorEntry(json));
}

/** The 2020-era layout: the P-256 signature in `signature`, the wallet's in `signingKeySignature`. */
function swapSignatureFields<T extends { authorship: { signature: string; signingKeySignature: string } }>(json: T): T {
  const { signature, signingKeySignature } = json.authorship;
  json.authorship.signature = signingKeySignature;
  json.authorship.signingKeySignature = signature;
  return json;
}

describe("the eight real Mirror entries", () => {
  it("are all covered here", () => {
    expect(fs.readdirSync(FIXTURES).filter((name) => name.endsWith(".json")).sort()).toEqual(Object.keys(VERDICTS).sort());
  });

  it.each(Object.entries(VERDICTS))("%s verifies as expected", async (name, verdict) => {
    const json = fixture(name);
    const entry = parseMirrorEntry(json, { originalContentDigest: name.split(".")[0] });
    expect(mirrorDigest(entry)).toBe(json.digest);
    expect(entry.originalDigest).toBe(name.split(".")[0]);
    expect(await verifyMirrorEntry(entry)).toEqual(verdict);
  });

  it("verify the same in the 2020-era layout, the signature fields swapped", async () => {
    expect(await verdictOf(swapSignatureFields(fixture(SOLO)))).toEqual({ status: "verified", signer: SOLO_WRITER });
    expect(await verdictOf(swapSignatureFields(fixture(PUBLICATION_ENTRY)))).toEqual({ status: "signed-by-other", signer: MEMBER_OF_KEY_RYIL });
  });
});

describe("parseMirrorEntry", () => {
  it("reads a writer's entry with its edition", () => {
    const json = fixture(SOLO);
    expect(parseMirrorEntry(json)).toEqual({
      title: "petis",
      body: "im good",
      timestamp: "1657046626",
      digest: "nIJWGywAVkuFY_Q3HzKRsP8UmkTlvZVF31Vof90u_TU",
      originalDigest: "nIJWGywAVkuFY_Q3HzKRsP8UmkTlvZVF31Vof90u_TU",
      contributor: SOLO_WRITER,
      version: "04-25-2022",
      edition: { chainId: 10, address: "0x9177f6dE23A13AEd9fee7FC04403c6a175c48b46" },
      authorship: {
        signingKey: json.authorship.signingKey,
        signingKeyMessage: json.authorship.signingKeyMessage,
        signature: json.authorship.signature,
        signingKeySignature: json.authorship.signingKeySignature,
      },
      raw: json,
    });
  });

  it("takes the edition's chain from the entry (Base here) and has none without wnft", () => {
    const revision = "DJ0PP-QLvDLMagBXajSCliN8RqNFt2WAggTBSwzGjPA.H6t3FMTQcGLiqIwCCmekWES_JVbje9VC8hqN5ctmM_0.json";
    expect(parseMirrorEntry(fixture(revision)).edition).toEqual({ chainId: 8453, address: "0x630455Bb3BC91b7D791BFFc9c20a8B71783Cbc30" });
    expect(parseMirrorEntry(fixture("DJ0PP-QLvDLMagBXajSCliN8RqNFt2WAggTBSwzGjPA.json")).edition).toBeNull();
  });

  it("reads the older `nft` field, empty in 2020-era entries, and its `address`", () => {
    const json = fixture(SOLO);
    delete json.wnft;
    expect(parseMirrorEntry({ ...json, nft: {} }).edition).toBeNull();
    expect(parseMirrorEntry({ ...json, nft: { chainId: 1, address: "0x9177f6de23a13aed9fee7fc04403c6a175c48b46" } }).edition).toEqual({
      chainId: 1,
      address: "0x9177f6dE23A13AEd9fee7FC04403c6a175c48b46",
    });
  });

  it("keeps a numeric timestamp a number, checksums the contributor and has no version when absent", () => {
    const json = fixture(SOLO);
    json.content.timestamp = 1657046626;
    json.authorship.contributor = SOLO_WRITER.toLowerCase();
    delete json.version;
    const entry = parseMirrorEntry(json);
    expect(entry.timestamp).toBe(1657046626);
    expect(entry.contributor).toBe(SOLO_WRITER);
    expect(entry.version).toBeNull();
  });

  it("takes originalDigest from the body, else the Original-Content-Digest tag, else the digest", () => {
    const json = fixture("HTXHZIR5WXI3N7rehIKBtir-Th0QV7d_u12Ss6w6cqw.json");
    expect(parseMirrorEntry(json).originalDigest).toBe("WkDKPs0qYMP3n0Oql3lI9CBEg59yGjPtpRsv1uNvxvU");
    expect(parseMirrorEntry(json, { originalContentDigest: "HTXHZIR5WXI3N7rehIKBtir-Th0QV7d_u12Ss6w6cqw" }).originalDigest).toBe("HTXHZIR5WXI3N7rehIKBtir-Th0QV7d_u12Ss6w6cqw");
    json.originalDigest = "HTXHZIR5WXI3N7rehIKBtir-Th0QV7d_u12Ss6w6cqw";
    expect(parseMirrorEntry(json).originalDigest).toBe("HTXHZIR5WXI3N7rehIKBtir-Th0QV7d_u12Ss6w6cqw");
  });

  it("refuses an originalDigest that contradicts the tag", () => {
    const json = { ...fixture(SOLO), originalDigest: "HTXHZIR5WXI3N7rehIKBtir-Th0QV7d_u12Ss6w6cqw" };
    expect(() => parseMirrorEntry(json, { originalContentDigest: "nIJWGywAVkuFY_Q3HzKRsP8UmkTlvZVF31Vof90u_TU" })).toThrow(
      "This is not a Mirror entry: originalDigest HTXHZIR5WXI3N7rehIKBtir-Th0QV7d_u12Ss6w6cqw differs from the Original-Content-Digest tag nIJWGywAVkuFY_Q3HzKRsP8UmkTlvZVF31Vof90u_TU.",
    );
  });

  it.each([
    ["null", null, "This is not a Mirror entry: the body: Invalid input: expected object, received null."],
    ["text", "im good", "This is not a Mirror entry: the body: Invalid input: expected object, received string."],
    [
      "another app's JSON",
      { name: "permanent-press", version: "0.1.0" },
      "This is not a Mirror entry: content: Invalid input: expected object, received undefined; digest: Invalid input: expected string, received undefined; authorship: Invalid input: expected object, received undefined.",
    ],
    [
      "an entry with a boolean timestamp and a short digest",
      { ...fixture(SOLO), content: { title: "petis", body: "im good", timestamp: true }, digest: "nIJWGywAVkuF" },
      "This is not a Mirror entry: content.timestamp: expected a number or a string; digest: expected a SHA-256 digest (43 base64url characters).",
    ],
    [
      "an entry whose contributor is not an address",
      { ...fixture(SOLO), authorship: { ...fixture(SOLO).authorship, contributor: "0xf9e0206f9f020DE9423A80ace7A64B322D0CE33" } },
      "This is not a Mirror entry: authorship.contributor: expected an Ethereum address (a mixed-case one must have a valid checksum).",
    ],
  ])("refuses %s with a clear error", (_, json, message) => {
    expect(() => parseMirrorEntry(json)).toThrow(NotAMirrorEntry);
    expect(() => parseMirrorEntry(json)).toThrow(message);
  });

  it("answers a refused body with 422 and the list of problems", () => {
    const error = (() => {
      try {
        parseMirrorEntry({ content: { title: "t", body: "b", timestamp: "1" } });
      } catch (e) {
        return e as NotAMirrorEntry;
      }
    })();
    expect(error?.status).toBe(422);
    expect(error?.problems).toEqual(["digest: Invalid input: expected string, received undefined", "authorship: Invalid input: expected object, received undefined"]);
  });
});

describe("mirrorDigest", () => {
  it("hashes title, body and timestamp in that order, whatever order they come in", () => {
    expect(mirrorDigest({ timestamp: "1657046626", body: "im good", title: "petis" } as { title: string; body: string; timestamp: string })).toBe(
      "nIJWGywAVkuFY_Q3HzKRsP8UmkTlvZVF31Vof90u_TU",
    );
  });

  it("depends on the timestamp's type", () => {
    expect(mirrorDigest({ title: "petis", body: "im good", timestamp: 1657046626 })).toBe("fd8yPpeQgXkU0EJykuZcxRaQ8qE-OxRV_INwZZja73E");
  });
});

describe("verifyMirrorEntry refuses", () => {
  it("a body changed by one character", async () => {
    const json = fixture(SOLO);
    json.content.body = "im gooD";
    expect(await verdictOf(json)).toEqual({
      status: "failed",
      reason: "digest mismatch: expected nIJWGywAVkuFY_Q3HzKRsP8UmkTlvZVF31Vof90u_TU, computed umCv_Br6gdG4vYqgabzcl3cXOYrAKbdwjfQt81xmEl0",
    });
  });

  it("a numeric timestamp where the digest was made over a string one", async () => {
    const json = fixture(SOLO);
    json.content.timestamp = 1657046626;
    expect(await verdictOf(json)).toEqual({
      status: "failed",
      reason: "digest mismatch: expected nIJWGywAVkuFY_Q3HzKRsP8UmkTlvZVF31Vof90u_TU, computed fd8yPpeQgXkU0EJykuZcxRaQ8qE-OxRV_INwZZja73E",
    });
  });

  it.each([
    ["2022 layout", false],
    ["2020 layout", true],
  ])("a P-256 signature with one flipped byte (%s)", async (_, swapped) => {
    const json = swapped ? swapSignatureFields(fixture(PUBLICATION_ENTRY)) : fixture(PUBLICATION_ENTRY);
    const field = json.authorship.signature.startsWith("0x") ? "signingKeySignature" : "signature";
    const bytes = Buffer.from(json.authorship[field], "base64url");
    bytes[17]! ^= 0x01;
    json.authorship[field] = bytes.toString("base64url");
    expect(await verdictOf(json)).toEqual({ status: "failed", reason: "P-256 signature invalid: it does not verify over the digest with authorship.signingKey" });
  });

  it("a digest signed by another P-256 key than the one given", async () => {
    const json = fixture(SOLO);
    json.authorship.signingKeySignature = fixture(PUBLICATION_ENTRY).authorship.signingKeySignature;
    expect(await verdictOf(json)).toEqual({ status: "failed", reason: "P-256 signature invalid: it does not verify over the digest with authorship.signingKey" });
  });

  it("a signingKeyMessage that authorizes another key", async () => {
    const json = fixture(SOLO);
    const other = await newMirrorSigningKey();
    json.authorship.signingKeyMessage = SIGNING_KEY_MESSAGE_PREFIX + other.jwk;
    expect(await verdictOf(json)).toEqual({
      status: "failed",
      reason: `authorship.signingKeyMessage authorizes another key (x ${JSON.parse(other.jwk).x}) than authorship.signingKey (x hSt6BW_TbApshx0mIsqnN2AT0uf2OnpR5-FY_eIcl08)`,
    });
  });

  it("a signingKeyMessage that is not Mirror's authorization", async () => {
    const json = fixture(SOLO);
    json.authorship.signingKeyMessage = `I authorize publishing on paragraph.xyz using:\n${json.authorship.signingKey}`;
    expect(await verdictOf(json)).toEqual({
      status: "failed",
      reason: 'authorship.signingKeyMessage does not start with "I authorize publishing on mirror.xyz from this device using:\\n"',
    });
  });

  it("a signing key another entry's key was swapped for, with its authorization", async () => {
    const json = fixture(SOLO);
    const other = fixture(PUBLICATION_ENTRY).authorship;
    Object.assign(json.authorship, { signingKey: other.signingKey, signingKeyMessage: other.signingKeyMessage, signature: other.signature });
    expect(await verdictOf(json)).toEqual({ status: "failed", reason: "P-256 signature invalid: it does not verify over the digest with authorship.signingKey" });
  });

  it("a signing key that is not a P-256 JWK", async () => {
    const json = fixture(SOLO);
    json.authorship.signingKey = "hSt6BW_TbApshx0mIsqnN2AT0uf2OnpR5-FY_eIcl08";
    expect(await verdictOf(json)).toEqual({ status: "failed", reason: "authorship.signingKey is not JSON" });
    json.authorship.signingKey = JSON.stringify({ ...JSON.parse(fixture(SOLO).authorship.signingKey), crv: "P-384" });
    expect(await verdictOf(json)).toEqual({
      status: "failed",
      reason: 'authorship.signingKey is not a P-256 public JWK (crv: Invalid input: expected "P-256")',
    });
  });

  it("a signing key whose point is not on the curve", async () => {
    const json = fixture(SOLO);
    const key = JSON.parse(json.authorship.signingKey);
    json.authorship.signingKey = JSON.stringify({ ...key, y: key.x });
    json.authorship.signingKeyMessage = SIGNING_KEY_MESSAGE_PREFIX + json.authorship.signingKey;
    expect(await verdictOf(json)).toEqual({ status: "failed", reason: expect.stringMatching(/^authorship\.signingKey is not a valid P-256 public key \(.+\)$/) });
  });

  it("an entry without a wallet signature", async () => {
    const json = fixture(SOLO);
    delete json.authorship.signature;
    expect(await verdictOf(json)).toEqual({
      status: "failed",
      reason: "wallet signature missing: neither authorship.signature nor authorship.signingKeySignature is 0x-hex",
    });
  });

  it("an entry whose two signatures are both P-256 ones", async () => {
    const json = fixture(SOLO);
    json.authorship.signature = json.authorship.signingKeySignature;
    expect(await verdictOf(json)).toEqual({
      status: "failed",
      reason: "wallet signature missing: neither authorship.signature nor authorship.signingKeySignature is 0x-hex",
    });
  });

  it("an entry without a P-256 signature", async () => {
    const json = fixture(SOLO);
    json.authorship.signingKeySignature = json.authorship.signature;
    expect(await verdictOf(json)).toEqual({
      status: "failed",
      reason: "P-256 signature missing: neither authorship.signature nor authorship.signingKeySignature is base64url",
    });
  });

  it("a P-256 signature of the wrong length", async () => {
    const json = fixture(SOLO);
    json.authorship.signingKeySignature = json.authorship.signingKeySignature.slice(0, 43);
    expect(await verdictOf(json)).toEqual({ status: "failed", reason: "P-256 signature malformed: 32 bytes, expected 64 (raw r||s)" });
  });

  it("a wallet signature that is not 65 bytes, as a contract wallet's may be", async () => {
    const json = fixture(SOLO);
    json.authorship.signature = `${json.authorship.signature}${"00".repeat(32)}`;
    expect(await verdictOf(json)).toEqual({
      status: "failed",
      reason: "wallet signature did not recover: 194 hex digits, not the 130 of a 65-byte ECDSA signature; a contract wallet's (EIP-1271) signature cannot be checked offline",
    });
  });

  it("a wallet signature that does not recover", async () => {
    const json = fixture(SOLO);
    json.authorship.signature = `${json.authorship.signature.slice(0, -2)}05`;
    expect(await verdictOf(json)).toEqual({
      status: "failed",
      reason: "wallet signature did not recover (Invalid yParityOrV value); a contract wallet's (EIP-1271) signature cannot be checked offline",
    });
  });
});

describe("verifyMirrorEntry on entries signed here", () => {
  const wallet = privateKeyToAccount(generatePrivateKey());

  it("verifies a 2020-era entry: numeric timestamp, swapped signature fields", async () => {
    const json = swapSignatureFields(await signMirrorEntry(wallet, { title: "Hello", body: "First post.", timestamp: 1608508800 }));
    expect(await verdictOf(json)).toEqual({ status: "verified", signer: wallet.address });
  });

  it("reads any other wallet as signed-by-other, never verified: a signature proves who signed, not for whom", async () => {
    const json = await signMirrorEntry(wallet, { title: "Not theirs", body: "Claimed for a publication.", timestamp: "1700000000" }, PUBLICATION);
    const verdict = await verdictOf(json);
    expect(verdict).toEqual({ status: "signed-by-other", signer: wallet.address });
    expect(describeVerdict(verdict)).toBe(`signed by ${wallet.address}, not the contributor; membership unknown`);
  });
});
