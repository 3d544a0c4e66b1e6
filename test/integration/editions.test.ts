import crypto from "node:crypto";
import { createWalletClient, getAddress, http, parseEther, type Hex } from "viem";
import { generatePrivateKey, mnemonicToAccount, privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import { describe, expect, it } from "vitest";
import { writingEditionsAbi } from "~/generated/contracts";
import { getDb } from "~/db.server";
import { getEnv } from "~/env.server";
import { chainFor, createChainClient } from "~/modules/editions/chain.server";
import { collectCall, confirmEdition, editionForEntry, prepareEdition } from "~/modules/editions/editions.server";
import { indexOnce } from "~/modules/editions/indexer.server";
import { createDraft, saveDraft } from "~/modules/entries/drafts.server";
import { preparePublication, publishDraft } from "~/modules/entries/publish.server";
import { UserError } from "~/modules/errors.server";
import { fetchData } from "~/modules/storage/gateway.server";
import { runOutboxOnce } from "~/modules/storage/outbox.server";

const env = getEnv();
const db = getDb();
const chain = createChainClient(env.chain.rpcUrl, env.chain.id);
const funded = (index: number) => mnemonicToAccount("test test test test test test test test test test test junk", { addressIndex: index });

function walletOf(account: PrivateKeyAccount | ReturnType<typeof funded>) {
  return createWalletClient({ account, chain: chainFor(env.chain.id, env.chain.rpcUrl), transport: http(env.chain.rpcUrl) });
}

async function fundedWriter() {
  const account = privateKeyToAccount(generatePrivateKey());
  const receipt = await chain.waitForTransactionReceipt({ hash: await walletOf(funded(9)).sendTransaction({ to: account.address, value: parseEther("1") }) });
  expect(receipt.status).toBe("success");
  const handle = `e-${crypto.randomBytes(4).toString("hex")}`;
  const writer = await db.writer.create({ data: { address: account.address.toLowerCase(), handle, displayName: "Edith" } });
  const { id } = await createDraft(db, writer.id);
  await saveDraft(db, writer.id, id, { title: "A collectible essay", document: { type: "doc", content: [{ type: "paragraph", content: [{ type: "text", text: `Worth keeping, says ${handle}.` }] }] }, baseRevision: 1 });
  const prepared = await preparePublication(db, writer, id);
  const published = await publishDraft(db, env, writer, { draftId: id, revision: prepared.revision, timestamp: prepared.timestamp, signature: await account.signTypedData(prepared.typedData) });
  return { account, writer, entryId: published.entryId, arweaveId: published.arweaveId };
}

async function collect(editionId: string, reader: ReturnType<typeof funded>, message: string) {
  const call = await collectCall(db, env, editionId, { collector: reader.address, message });
  const hash = await walletOf(reader).sendTransaction({ to: call.to, data: call.data as Hex, value: BigInt(call.value) });
  return chain.waitForTransactionReceipt({ hash });
}

describe("editions", () => {
  it("creates an edition directly, with its cover and metadata on Arweave, and a reader collects it", async () => {
    const { account, writer, entryId, arweaveId } = await fundedWriter();
    const prepared = await prepareEdition(db, env, writer, entryId, { price: "0.02", supply: "5", royaltyPercent: "7.5", fundingRecipient: "" });
    // The cover and metadata are queued; the worker's outbox stores them.
    await runOutboxOnce(db, env);
    const metadataId = (await db.edition.findUniqueOrThrow({ where: { id: prepared.editionId } })).metadataId;
    const metadata = JSON.parse((await fetchData(metadataId, env.storage.gatewayUrl))!.toString()) as { name: string; image: string; content: string };
    expect(metadata).toMatchObject({ name: "A collectible essay", content: `ar://${arweaveId}` });
    const cover = (await fetchData(metadata.image.slice(5), env.storage.gatewayUrl))!.toString();
    expect(cover).toMatch(/^<svg[^>]*>.*A collectible essay.*Edith<\/text><\/g><\/svg>$/);

    const hash = await walletOf(account).sendTransaction({ to: prepared.createCall.to, data: prepared.createCall.data });
    expect((await confirmEdition(db, env, writer, prepared.editionId, { mode: "direct", txHash: hash })).status).toBe("live");
    const address = prepared.address;
    expect(await chain.readContract({ address, abi: writingEditionsAbi, functionName: "price" })).toBe(parseEther("0.02"));
    expect(await chain.readContract({ address, abi: writingEditionsAbi, functionName: "royaltyInfo", args: [1n, 10_000n] })).toEqual([getAddress(account.address), 750n]);

    const reader = funded(5);
    // A message is stored on-chain and shown on the entry page: a control character is refused, not blanked out.
    const bell = await collectCall(db, env, prepared.editionId, { collector: reader.address, message: "first\u0007!" }).catch((error: unknown) => error as UserError);
    expect(bell).toMatchObject({ status: 422, message: "The message contains U+0007, a control character, after “first”. Feeds, pages and mail cannot carry it: remove it and try again." });
    expect((await collect(prepared.editionId, reader, "first!")).status).toBe("success");
    expect(await chain.readContract({ address, abi: writingEditionsAbi, functionName: "ownerOf", args: [1n] })).toBe(reader.address);
  });

  it("lets the author sign the terms so the first collector deploys the edition, and reports sold out before the wallet opens", async () => {
    const { writer, account, entryId } = await fundedWriter();
    const prepared = await prepareEdition(db, env, writer, entryId, { price: "0.01", supply: "1", royaltyPercent: "5", fundingRecipient: "" });
    expect(await chain.getCode({ address: prepared.address })).toBeUndefined();
    const signature = await account.signTypedData(prepared.typedData);
    expect((await confirmEdition(db, env, writer, prepared.editionId, { mode: "lazy", signature })).status).toBe("signed");

    const first = funded(6);
    expect((await collect(prepared.editionId, first, "deploying it")).status).toBe("success");
    expect(await chain.readContract({ address: prepared.address, abi: writingEditionsAbi, functionName: "ownerOf", args: [1n] })).toBe(first.address);

    const late = await collectCall(db, env, prepared.editionId, { collector: funded(7).address, message: "" }).catch((error: unknown) => error as UserError);
    expect(late).toMatchObject({ status: 409, message: "Sold out: every copy of this edition has been collected." });
  });

  it("sells three copies in one collect through a referral link: one line with its referrer, the reward kept for the referrer", async () => {
    const { writer, account, entryId } = await fundedWriter();
    const prepared = await prepareEdition(db, env, writer, entryId, { price: "0.01", supply: "10", royaltyPercent: "5", referralPercent: "10", fundingRecipient: "" });
    const signature = await account.signTypedData(prepared.typedData);
    await confirmEdition(db, env, writer, prepared.editionId, { mode: "lazy", signature });
    const reader = funded(13);
    const referrer = funded(14);

    const tooMany = await collectCall(db, env, prepared.editionId, { collector: reader.address, message: "", quantity: 51 }).catch((error: unknown) => error as UserError);
    expect(tooMany).toMatchObject({ status: 422, message: "Collect from 1 to 50 copies at a time." });
    const beyondLimit = await collectCall(db, env, prepared.editionId, { collector: reader.address, message: "", quantity: 11 }).catch((error: unknown) => error as UserError);
    expect(beyondLimit).toMatchObject({ status: 409, message: "Only 10 copies are left." });
    const badLink = await collectCall(db, env, prepared.editionId, { collector: reader.address, message: "", quantity: 3, referrer: "0xnot" }).catch((error: unknown) => error as UserError);
    expect(badLink).toMatchObject({ status: 422, message: "The referral link names no Ethereum address." });

    // The first collect deploys the edition and buys three copies, crediting the referrer 10%.
    const call = await collectCall(db, env, prepared.editionId, { collector: reader.address, message: "three for the shelf", quantity: 3, referrer: referrer.address });
    expect(BigInt(call.value)).toBe(parseEther("0.03"));
    const hash = await walletOf(reader).sendTransaction({ to: call.to, data: call.data as Hex, value: BigInt(call.value) });
    expect((await chain.waitForTransactionReceipt({ hash })).status).toBe("success");
    const edition = { address: prepared.address, abi: writingEditionsAbi } as const;
    for (const tokenId of [1n, 2n, 3n]) expect(await chain.readContract({ ...edition, functionName: "ownerOf", args: [tokenId] })).toBe(reader.address);
    expect(await chain.readContract({ ...edition, functionName: "referralCredit", args: [referrer.address] })).toBe(parseEther("0.003"));

    // A reader following their own link is not credited.
    const own = await collectCall(db, env, prepared.editionId, { collector: referrer.address, message: "", referrer: referrer.address });
    const ownHash = await walletOf(referrer).sendTransaction({ to: own.to, data: own.data as Hex, value: BigInt(own.value) });
    expect((await chain.waitForTransactionReceipt({ hash: ownHash })).status).toBe("success");
    expect(await chain.readContract({ ...edition, functionName: "referralCredit", args: [referrer.address] })).toBe(parseEther("0.003"));

    await indexOnce(db, env);
    const page = (await editionForEntry(db, entryId))!;
    expect(page.minted).toBe(4);
    expect(page.referralPercent).toBe(10);
    expect(page.collectors).toEqual([
      expect.objectContaining({ tokenId: 4, lastTokenId: 4, copies: 1, collector: referrer.address, referrer: null, message: "" }),
      expect.objectContaining({ tokenId: 1, lastTokenId: 3, copies: 3, collector: reader.address, referrer: referrer.address, message: "three for the shelf" }),
    ]);
    // 0.04 ETH paid in; 0.003 is the referrer's: the writer holds 0.037.
    expect(page.heldEth).toBe("0.037");
    const paid = await db.purchase.findMany({ where: { editionId: prepared.editionId }, orderBy: { tokenId: "asc" }, select: { tokenId: true, price: true, referrer: true, message: true } });
    expect(paid).toEqual([
      { tokenId: 1, price: parseEther("0.01").toString(), referrer: referrer.address.toLowerCase(), message: "three for the shelf" },
      { tokenId: 2, price: parseEther("0.01").toString(), referrer: referrer.address.toLowerCase(), message: "" },
      { tokenId: 3, price: parseEther("0.01").toString(), referrer: referrer.address.toLowerCase(), message: "" },
      { tokenId: 4, price: parseEther("0.01").toString(), referrer: null, message: "" },
    ]);
  });

  it("refuses bad terms and a forged signature", async () => {
    const { writer, entryId } = await fundedWriter();
    const bad = (await prepareEdition(db, env, writer, entryId, { price: "-1", supply: "many", royaltyPercent: "80", fundingRecipient: "0x12" }).then(
      () => undefined,
      (error: unknown) => error,
    )) as UserError;
    expect(bad).toMatchObject({ status: 422 });
    expect(bad.message).toBe("The price is an amount of ETH such as 0.01 (or 0 for free). The supply is a whole number: 0 for an open edition. A royalty can be at most 50%. The funding recipient must be an address.");
    const prepared = await prepareEdition(db, env, writer, entryId, { price: "0", supply: "0", royaltyPercent: "0", fundingRecipient: "" });
    const forged = await privateKeyToAccount(generatePrivateKey()).signTypedData(prepared.typedData);
    const refused = await confirmEdition(db, env, writer, prepared.editionId, { mode: "lazy", signature: forged }).catch((error: unknown) => error as UserError);
    expect(refused).toMatchObject({ status: 401 });
  });
});
