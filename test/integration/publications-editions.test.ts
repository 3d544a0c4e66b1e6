import crypto from "node:crypto";
import { createWalletClient, formatEther, getAddress, http, parseEther, zeroAddress, type Hex } from "viem";
import { generatePrivateKey, mnemonicToAccount, privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import { describe, expect, it } from "vitest";
import type { Database } from "~/db.server";
import { getEnv } from "~/env.server";
import { writingEditionsAbi } from "~/generated/contracts";
import { chainFor, createChainClient } from "~/modules/editions/chain.server";
import { collectCall, confirmEdition, editionForEntry, heldByPayee, prepareEdition, withdrawCall } from "~/modules/editions/editions.server";
import { indexOnce } from "~/modules/editions/indexer.server";
import { createDraft, saveDraft } from "~/modules/entries/drafts.server";
import { preparePublication, publishDraft } from "~/modules/entries/publish.server";
import { PAYEE } from "../../contracts/typed-data";
import { databaseProviders, useMigratedDatabase } from "../support/databases";
import { createPublication, signMembership } from "../support/publications";

const env = getEnv();
const chain = createChainClient(env.chain.rpcUrl, env.chain.id);
// The node's dev account this file alone spends from, so its nonces never race another file's.
const bank = mnemonicToAccount("test test test test test test test test test test test junk", { addressIndex: 17 });
const walletOf = (account: PrivateKeyAccount | typeof bank) => createWalletClient({ account, chain: chainFor(env.chain.id, env.chain.rpcUrl), transport: http(env.chain.rpcUrl) });

async function funded(ether: string) {
  const account = privateKeyToAccount(generatePrivateKey());
  const hash = await walletOf(bank).sendTransaction({ to: account.address, value: parseEther(ether) });
  expect((await chain.waitForTransactionReceipt({ hash })).status).toBe("success");
  return account;
}

/** A fresh address that never sends a transaction: its balance moves only by what it is paid. */
const payee = () => privateKeyToAccount(generatePrivateKey()).address;

describe.each(databaseProviders())("a publication's entry as an edition on %s", (provider) => {
  let db: Database;
  useMigratedDatabase(provider, (database) => (db = database));

  /** A writer publishes an entry, and the entry is placed in a publication owned by someone else. */
  async function entryInPublication() {
    const account = await funded("1");
    const writer = await db.writer.create({ data: { address: account.address.toLowerCase(), handle: `w-${crypto.randomBytes(4).toString("hex")}`, displayName: "Wren" } });
    const owner = privateKeyToAccount(generatePrivateKey());
    const publication = await createPublication(db, env, owner, { name: "The Quarterly" });
    await signMembership(db, env, owner, publication.id, account.address, "writer");
    const { id } = await createDraft(db, writer.id, { publicationId: publication.id });
    await saveDraft(db, writer.id, id, { title: "Shared proceeds", document: { type: "doc", content: [{ type: "paragraph", content: [{ type: "text", text: "Written for the quarterly." }] }] }, baseRevision: 1 });
    const prepared = await preparePublication(db, writer, id);
    const published = await publishDraft(db, env, writer, { draftId: id, revision: prepared.revision, timestamp: prepared.timestamp, signature: await account.signTypedData(prepared.typedData) });
    return { account, writer, entryId: published.entryId, publication };
  }

  it("takes the publication's payout settings into the signed terms, and a withdrawal pays the writer and the publication their shares", async () => {
    const { account, writer, entryId, publication } = await entryInPublication();
    const writerPayee = payee();
    const publicationPayee = payee();
    const terms = { price: "0.01", supply: "10", royaltyPercent: "5", fundingRecipient: writerPayee };

    // The publication pays its writers everything: no split in the terms.
    await db.publication.update({ where: { writerId: publication.id }, data: { payout: "writer" } });
    const writerOnly = await prepareEdition(db, env, writer, entryId, terms);
    expect(writerOnly.payout).toBe("Proceeds: 100% to you.");
    expect(writerOnly.typedData.message).toMatchObject({ splitRecipient: zeroAddress, splitBps: 0 });

    // It changes to a 30% share for itself, to its payout address: the writer's next terms carry it.
    await db.publication.update({ where: { writerId: publication.id }, data: { payout: "split", splitBps: 3_000, payoutAddress: publicationPayee.toLowerCase() } });
    const prepared = await prepareEdition(db, env, writer, entryId, terms);
    expect(prepared.payout).toBe("Proceeds: 70% to you, 30% to The Quarterly.");
    expect(prepared.typedData.message).toMatchObject({ fundingRecipient: getAddress(writerPayee), splitRecipient: getAddress(publicationPayee), splitBps: 3_000 });

    // The writer signs those terms; a reader's first collect deploys the edition with them.
    const signature = await account.signTypedData(prepared.typedData);
    expect((await confirmEdition(db, env, writer, prepared.editionId, { mode: "lazy", signature })).status).toBe("signed");
    const reader = await funded("1");
    const call = await collectCall(db, env, prepared.editionId, { collector: reader.address, message: "for the shelf", quantity: 3 });
    const collected = await chain.waitForTransactionReceipt({ hash: await walletOf(reader).sendTransaction({ to: call.to, data: call.data as Hex, value: BigInt(call.value) }) });
    expect(collected.status).toBe("success");
    const edition = { address: prepared.address, abi: writingEditionsAbi } as const;
    expect(await chain.readContract({ ...edition, functionName: "splitRecipient" })).toBe(getAddress(publicationPayee));
    expect(await chain.readContract({ ...edition, functionName: "splitBps" })).toBe(3_000n);

    await indexOnce(db, env);
    const row = await db.edition.findUniqueOrThrow({ where: { id: prepared.editionId } });
    expect(row).toMatchObject({ status: "live", minted: 3, splitRecipient: publicationPayee.toLowerCase(), splitBps: 3_000 });
    const proceeds = parseEther("0.03");
    const fee = (proceeds * BigInt(row.feeBps)) / 10_000n;
    const toPublication = ((proceeds - fee) * 3_000n) / 10_000n;
    const toWriter = proceeds - fee - toPublication;
    const before = await editionForEntry(db, entryId);
    expect(before).toMatchObject({ heldEth: "0.03", toWriterEth: formatEther(toWriter), publicationShare: { name: "The Quarterly", percent: 30, recipient: getAddress(publicationPayee), toPublicationEth: formatEther(toPublication), paidEth: "0" } });

    // Anyone may send the withdrawal; each payee's share lands in its own wallet.
    const withdraw = await withdrawCall(db, prepared.editionId);
    expect(withdraw.shares).toEqual({
      writer: { recipient: getAddress(writerPayee), toEth: formatEther(toWriter), paidEth: "0" },
      publication: { name: "The Quarterly", recipient: getAddress(publicationPayee), toEth: formatEther(toPublication), paidEth: "0" },
    });
    const withdrawn = await chain.waitForTransactionReceipt({ hash: await walletOf(reader).sendTransaction({ to: withdraw.to, data: withdraw.data }) });
    expect(withdrawn.status).toBe("success");
    expect(await chain.getBalance({ address: writerPayee })).toBe(toWriter);
    expect(await chain.getBalance({ address: publicationPayee })).toBe(toPublication);
    expect(await chain.getBalance({ address: prepared.address })).toBe(0n);

    await indexOnce(db, env);
    const withdrawals = await db.withdrawal.findMany({ where: { editionId: prepared.editionId }, orderBy: { logIndex: "asc" }, select: { payee: true, recipient: true, amount: true } });
    expect(withdrawals.filter((w) => w.payee !== PAYEE.platform)).toEqual([
      { payee: PAYEE.funding, recipient: writerPayee.toLowerCase(), amount: toWriter.toString() },
      { payee: PAYEE.split, recipient: publicationPayee.toLowerCase(), amount: toPublication.toString() },
    ]);
    expect(await heldByPayee(db, prepared.editionId)).toEqual({
      heldEth: "0",
      shares: {
        writer: { recipient: getAddress(writerPayee), toEth: "0", paidEth: formatEther(toWriter) },
        publication: { name: "The Quarterly", recipient: getAddress(publicationPayee), toEth: "0", paidEth: formatEther(toPublication) },
      },
    });
  });

  it("follows the publication moving its share on chain: the index and the writer's page name the new address", async () => {
    const { account, writer, entryId, publication } = await entryInPublication();
    const publicationWallet = await funded("0.1");
    const moved = payee();
    await db.publication.update({ where: { writerId: publication.id }, data: { payout: "split", splitBps: 2_500, payoutAddress: publicationWallet.address.toLowerCase() } });
    const prepared = await prepareEdition(db, env, writer, entryId, { price: "0.01", supply: "0", royaltyPercent: "0", fundingRecipient: "" });
    const created = await chain.waitForTransactionReceipt({ hash: await walletOf(account).sendTransaction({ to: prepared.createCall.to, data: prepared.createCall.data as Hex }) });
    expect((await confirmEdition(db, env, writer, prepared.editionId, { mode: "direct", txHash: created.transactionHash })).status).toBe("live");
    const hash = await walletOf(publicationWallet).writeContract({ address: prepared.address, abi: writingEditionsAbi, functionName: "setSplitRecipient", args: [moved] });
    expect((await chain.waitForTransactionReceipt({ hash })).status).toBe("success");

    await indexOnce(db, env);
    expect(await db.edition.findUniqueOrThrow({ where: { id: prepared.editionId }, select: { splitRecipient: true } })).toEqual({ splitRecipient: moved.toLowerCase() });
    expect((await heldByPayee(db, prepared.editionId))?.shares.publication).toMatchObject({ name: "The Quarterly", recipient: getAddress(moved) });
  });

  it("pays a publication-only edition's proceeds to the publication's owner when it names no payout address", async () => {
    const { account, writer, entryId, publication } = await entryInPublication();
    await db.publication.update({ where: { writerId: publication.id }, data: { payout: "publication", payoutAddress: null } });
    const owner = await db.publication.findUniqueOrThrow({ where: { writerId: publication.id }, select: { ownerAddress: true } });
    const prepared = await prepareEdition(db, env, writer, entryId, { price: "0.01", supply: "0", royaltyPercent: "0", fundingRecipient: "" });
    expect(prepared.payout).toBe("Proceeds: 100% to The Quarterly.");
    expect(prepared.typedData.message).toMatchObject({ splitRecipient: getAddress(owner.ownerAddress), splitBps: 10_000 });
    // Created directly by the writer this time.
    const created = await chain.waitForTransactionReceipt({ hash: await walletOf(account).sendTransaction({ to: prepared.createCall.to, data: prepared.createCall.data as Hex }) });
    expect((await confirmEdition(db, env, writer, prepared.editionId, { mode: "direct", txHash: created.transactionHash })).status).toBe("live");
    const reader = await funded("1");
    const call = await collectCall(db, env, prepared.editionId, { collector: reader.address, message: "" });
    expect((await chain.waitForTransactionReceipt({ hash: await walletOf(reader).sendTransaction({ to: call.to, data: call.data as Hex, value: BigInt(call.value) }) })).status).toBe("success");
    const writerBefore = await chain.getBalance({ address: account.address });
    const withdraw = await withdrawCall(db, prepared.editionId);
    await chain.waitForTransactionReceipt({ hash: await walletOf(reader).sendTransaction({ to: withdraw.to, data: withdraw.data }) });
    const feeBps = (await db.edition.findUniqueOrThrow({ where: { id: prepared.editionId } })).feeBps;
    const proceeds = parseEther("0.01");
    expect(await chain.getBalance({ address: owner.ownerAddress as `0x${string}` })).toBe(proceeds - (proceeds * BigInt(feeBps)) / 10_000n);
    expect(await chain.getBalance({ address: account.address })).toBe(writerBefore);
  });
});
