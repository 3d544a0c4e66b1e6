import { parseEther } from "viem";
import { describe, expect, it } from "vitest";
import type { Database } from "~/db.server";
import { useMigratedDatabase } from "../../../test/support/databases";
import { editionForEntry } from "./editions.server";

describe("an edition as its page shows it", () => {
  let db: Database;
  useMigratedDatabase("sqlite", (created) => (db = created));

  /** A live edition of a published entry by a new writer, with no sales yet. */
  async function liveEdition(name: string, terms: { price: string; supplyLimit: number; feeBps: number; minted: number }) {
    const writer = await db.writer.create({ data: { address: `0x${Buffer.from(name).toString("hex").padEnd(40, "0").slice(0, 40)}`, handle: name } });
    const entry = await db.entry.create({
      data: { writerId: writer.id, originalDigest: `digest-${name}`, slug: name, latestVersion: 1, title: name, excerpt: "", wordCount: 1, publishedAt: new Date(), updatedAt: new Date() },
    });
    const address = `0x${Buffer.from(`edition-${name}`).toString("hex").padEnd(40, "0").slice(0, 40)}`;
    const edition = await db.edition.create({
      data: { entryId: entry.id, chainId: 31337, address, factory: address, author: writer.address, name, symbol: "PRESS", royaltyBps: 0, fundingRecipient: writer.address, contentId: "c", metadataId: "m", salt: `0x${"0".repeat(64)}`, status: "live", ...terms },
    });
    return { writer, entry, edition, address };
  }

  it("tells the writer what is held and what a withdrawal sends them after the platform's fee", async () => {
    const { writer, entry, edition, address } = await liveEdition("held-writer", { price: parseEther("0.01").toString(), supplyLimit: 3, feeBps: 250, minted: 3 });
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
    const { edition, entry } = await liveEdition("many-sales", { price: parseEther("0.001").toString(), supplyLimit: 0, feeBps: 0, minted: 151 });
    // 150 sales and one free mint by the writer.
    await db.purchase.createMany({
      data: Array.from({ length: 151 }, (_, i) => ({ editionId: edition.id, tokenId: i + 1, collector: `0x${(i + 1).toString(16).padStart(40, "0")}`, price: i === 0 ? "0" : parseEther("0.001").toString(), message: "", blockNumber: i + 1, blockHash: `0xb${i}`, txHash: `0xt${i}`, logIndex: 0, timestamp: new Date(Date.UTC(2026, 10, 1, 0, i)) })),
    });
    const shown = (await editionForEntry(db, entry.id))!;
    expect(shown.collectors).toHaveLength(100);
    expect(shown.heldEth).toBe("0.15");
  });
});
