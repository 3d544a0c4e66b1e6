import { parseEther } from "viem";
import { describe, expect, it } from "vitest";
import type { Database } from "~/db.server";
import { useMigratedDatabase } from "../../../test/support/databases";
import { editionForEntry } from "./editions.server";

describe("an edition as its page shows it", () => {
  let db: Database;
  useMigratedDatabase("sqlite", (created) => (db = created));

  it("tells the writer what is held and what a withdrawal sends them after the platform's fee", async () => {
    const writer = await db.writer.create({ data: { address: `0x${"a".repeat(40)}`, handle: "held-writer" } });
    const entry = await db.entry.create({
      data: { writerId: writer.id, originalDigest: "digest-held", slug: "held", latestVersion: 1, title: "Held", excerpt: "", wordCount: 1, publishedAt: new Date(), updatedAt: new Date() },
    });
    const address = `0x${"e".repeat(40)}`;
    const edition = await db.edition.create({
      data: { entryId: entry.id, chainId: 31337, address, factory: address, author: writer.address, name: "Held", symbol: "PRESS", price: parseEther("0.01").toString(), supplyLimit: 3, royaltyBps: 0, feeBps: 250, fundingRecipient: writer.address, contentId: "c", metadataId: "m", salt: `0x${"0".repeat(64)}`, status: "live", minted: 3 },
    });
    const sale = (tokenId: number) => ({ editionId: edition.id, tokenId, collector: `0x${String(tokenId).repeat(40)}`, price: parseEther("0.01").toString(), message: `copy ${tokenId}`, blockNumber: tokenId, blockHash: `0x${tokenId}`, txHash: `0x${tokenId}`, logIndex: 0, timestamp: new Date(Date.UTC(2026, 10, tokenId)) });
    await db.purchase.createMany({ data: [sale(1), sale(2), sale(3)] });

    const before = (await editionForEntry(db, entry.id))!;
    expect(before).toMatchObject({ heldEth: "0.03", toWriterEth: "0.02925", feePercent: 2.5, minted: 3, supplyLimit: 3, soldOut: true });
    expect(before.collectors.map((c) => c.message)).toEqual(["copy 3", "copy 2", "copy 1"]);

    // A withdrawal pays both: the writer's share and the platform's fee.
    await db.withdrawal.createMany({
      data: [
        { editionId: edition.id, payee: 0, recipient: writer.address, amount: parseEther("0.0195").toString(), blockNumber: 9, blockHash: "0x9", txHash: "0x9", logIndex: 0 },
        { editionId: edition.id, payee: 1, recipient: address, amount: parseEther("0.0005").toString(), blockNumber: 9, blockHash: "0x9", txHash: "0x9", logIndex: 1 },
      ],
    });
    expect(await editionForEntry(db, entry.id)).toMatchObject({ heldEth: "0.01", toWriterEth: "0.00975" });
  });

  it("counts every sale in what is held, beyond the hundred collectors the page lists", async () => {
    const writer = await db.writer.create({ data: { address: `0x${"b".repeat(40)}`, handle: "many-sales" } });
    const entry = await db.entry.create({
      data: { writerId: writer.id, originalDigest: "digest-many", slug: "many", latestVersion: 1, title: "Many", excerpt: "", wordCount: 1, publishedAt: new Date(), updatedAt: new Date() },
    });
    const address = `0x${"f".repeat(40)}`;
    const edition = await db.edition.create({
      data: { entryId: entry.id, chainId: 31337, address, factory: address, author: writer.address, name: "Many", symbol: "PRESS", price: parseEther("0.001").toString(), supplyLimit: 0, royaltyBps: 0, feeBps: 0, fundingRecipient: writer.address, contentId: "c", metadataId: "m", salt: `0x${"0".repeat(64)}`, status: "live", minted: 151 },
    });
    // 150 sales and one free mint by the writer.
    await db.purchase.createMany({
      data: Array.from({ length: 151 }, (_, i) => ({ editionId: edition.id, tokenId: i + 1, collector: `0x${(i + 1).toString(16).padStart(40, "0")}`, price: i === 0 ? "0" : parseEther("0.001").toString(), message: "", blockNumber: i + 1, blockHash: `0xb${i}`, txHash: `0xt${i}`, logIndex: 0, timestamp: new Date(Date.UTC(2026, 10, 1, 0, i)) })),
    });
    const shown = (await editionForEntry(db, entry.id))!;
    expect(shown.collectors).toHaveLength(100);
    expect(shown.heldEth).toBe("0.15");
  });
});
