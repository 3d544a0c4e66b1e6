// Editions whose terms split the proceeds with a second payee (a publication): the split fixed at
// creation, made at withdrawal (a sale pays nothing for it), no wei lost to rounding, each payee paid or
// credited on its own, and who may move which share.
import hre from "hardhat";
import { type Address, getAddress, parseEther, zeroAddress } from "viem";
import { beforeEach, describe, expect, it } from "vitest";
import { PAYEE } from "../../contracts/typed-data";
import {
  FEE_BPS,
  type System,
  addressOf,
  balanceOf,
  bytes32,
  createEdition,
  createEditionWithSales,
  deploySystem,
  editionAt,
  editionParams,
  eventsNamed,
  expectRevert,
  factoryAs,
  fixture,
  packedArgs,
  receiptOf,
  signEdition,
} from "./fixtures";

const { funding: FUNDING, platform: PLATFORM, split: SPLIT } = PAYEE;

const loadSystem = fixture(async () => {
  const system = await deploySystem();
  const reverting = await hre.viem.deployContract("RevertingRecipient");
  return { system, reverting };
});

describe("WritingEditions: proceeds split with a publication", () => {
  let system: System;
  let reverting: Awaited<ReturnType<typeof loadSystem>>["reverting"];
  // The publication's payout address: carol, who sends no transaction unless a test says so.
  let publication: Address;

  beforeEach(async () => {
    ({ system, reverting } = await loadSystem());
    publication = addressOf(system.carol);
  });

  /** Creates an edition with `overrides` (distinct content per `n`) and sells `sales` copies to alice. */
  const sold = (sales: number, overrides: Parameters<typeof createEdition>[1] = {}, n = 1) =>
    createEditionWithSales(system, sales, { contentId: bytes32(0x60 + n), ...overrides });

  /** Sends withdraw from bob (a bystander) and returns the Withdrawn and PaymentDeferred events. */
  async function withdraw(address: Address) {
    const edition = await editionAt(address, system.bob);
    const receipt = await receiptOf(await edition.write.withdraw());
    return {
      paid: eventsNamed(edition.abi, receipt.logs, "Withdrawn").map((e) => e.args),
      deferred: eventsNamed(edition.abi, receipt.logs, "PaymentDeferred").map((e) => e.args),
    };
  }

  it("writer only: no split in the terms, the clone's arguments are as before splits, the funding recipient gets the rest", async () => {
    const { address, edition, proceeds } = await sold(2);
    expect(await edition.read.splitRecipient()).toBe(zeroAddress);
    expect(await edition.read.splitBps()).toBe(0n);
    const code = await system.publicClient.getCode({ address });
    expect(code!.slice(2 + 45 * 2)).toBe(packedArgs(addressOf(system.author), editionParams(system, { contentId: bytes32(0x61) })).slice(2));
    const before = await balanceOf(system.funding.account.address);
    const { paid } = await withdraw(address);
    const fee = (proceeds * BigInt(FEE_BPS)) / 10_000n;
    expect(paid).toEqual([
      { payee: FUNDING, recipient: getAddress(system.funding.account.address), amount: proceeds - fee },
      { payee: PLATFORM, recipient: getAddress(system.treasury.account.address), amount: fee },
    ]);
    expect((await balanceOf(system.funding.account.address)) - before).toBe(proceeds - fee);
  });

  it("publication only: 100% of what the platform leaves goes to the publication, nothing to the writer", async () => {
    const { address, proceeds } = await sold(3, { splitRecipient: publication, splitBps: 10_000 });
    const before = { funding: await balanceOf(system.funding.account.address), publication: await balanceOf(publication) };
    const { paid } = await withdraw(address);
    const fee = (proceeds * BigInt(FEE_BPS)) / 10_000n;
    expect(paid).toEqual([
      { payee: PLATFORM, recipient: getAddress(system.treasury.account.address), amount: fee },
      { payee: SPLIT, recipient: publication, amount: proceeds - fee },
    ]);
    expect(await balanceOf(system.funding.account.address)).toBe(before.funding);
    expect((await balanceOf(publication)) - before.publication).toBe(proceeds - fee);
    expect(await balanceOf(address)).toBe(0n);
  });

  it("a split with rounding: the three shares sum to the proceeds to the wei, the publication's rounded down", async () => {
    // 7 sales of 1,003 wei: 7,021 wei. Fee 2.5%: 175 (175.525 rounded down). 30% of 6,846: 2,053.8 -> 2,053.
    const { address, edition, proceeds } = await sold(7, { price: 1_003n, splitRecipient: publication, splitBps: 3_000 });
    expect(await edition.read.splitRecipient()).toBe(publication);
    expect(await edition.read.splitBps()).toBe(3_000n);
    const before = { funding: await balanceOf(system.funding.account.address), treasury: await balanceOf(system.treasury.account.address), publication: await balanceOf(publication) };
    const { paid, deferred } = await withdraw(address);
    expect(deferred).toEqual([]);
    expect(paid).toEqual([
      { payee: FUNDING, recipient: getAddress(system.funding.account.address), amount: 4_793n },
      { payee: PLATFORM, recipient: getAddress(system.treasury.account.address), amount: 175n },
      { payee: SPLIT, recipient: publication, amount: 2_053n },
    ]);
    const gained = {
      funding: (await balanceOf(system.funding.account.address)) - before.funding,
      treasury: (await balanceOf(system.treasury.account.address)) - before.treasury,
      publication: (await balanceOf(publication)) - before.publication,
    };
    expect(gained).toEqual({ funding: 4_793n, treasury: 175n, publication: 2_053n });
    expect(gained.funding + gained.treasury + gained.publication).toBe(proceeds);
    expect(await balanceOf(address)).toBe(0n);
    await expectRevert(withdraw(address), "NothingToWithdraw");
  });

  it("each payee takes its own share: a publication that refuses ether is credited, the writer is paid, and the publication claims later", async () => {
    const { address, proceeds } = await sold(4, { splitRecipient: reverting.address, splitBps: 5_000 });
    const fee = (proceeds * BigInt(FEE_BPS)) / 10_000n;
    const half = (proceeds - fee) / 2n;
    const before = await balanceOf(system.funding.account.address);
    const { paid, deferred } = await withdraw(address);
    expect(paid.map((p) => [p.payee, p.amount])).toEqual([[FUNDING, proceeds - fee - half], [PLATFORM, fee]]);
    expect(deferred).toEqual([{ payee: SPLIT, recipient: getAddress(reverting.address), amount: half }]);
    expect((await balanceOf(system.funding.account.address)) - before).toBe(proceeds - fee - half);
    const edition = await editionAt(address);
    expect(await edition.read.pendingSplitPayment()).toBe(half);

    // A later sale: its proceeds are split afresh, the credit is kept apart and retried.
    await (await editionAt(address, system.alice)).write.buy([""], { value: (await edition.read.price()) });
    const again = await withdraw(address);
    const saleFee = ((await edition.read.price()) * BigInt(FEE_BPS)) / 10_000n;
    const saleHalf = ((await edition.read.price()) - saleFee) / 2n;
    expect(again.deferred).toEqual([{ payee: SPLIT, recipient: getAddress(reverting.address), amount: half + saleHalf }]);
    expect(await edition.read.pendingSplitPayment()).toBe(half + saleHalf);

    // Only the split recipient can take its credit, to an address of its choice.
    await expectRevert((await editionAt(address, system.author)).write.claim([addressOf(system.author)]), "NothingToClaim");
    await hre.network.provider.send("hardhat_impersonateAccount", [reverting.address]);
    await hre.network.provider.send("hardhat_setBalance", [reverting.address, "0xde0b6b3a7640000"]);
    const publicationWallet = await hre.viem.getWalletClient(reverting.address);
    const bob = await balanceOf(system.bob.account.address);
    const claim = await receiptOf(await (await editionAt(address, publicationWallet)).write.claim([addressOf(system.bob)]));
    await hre.network.provider.send("hardhat_stopImpersonatingAccount", [reverting.address]);
    expect(eventsNamed(edition.abi, claim.logs, "Withdrawn").map((e) => e.args)).toEqual([{ payee: SPLIT, recipient: addressOf(system.bob), amount: half + saleHalf }]);
    expect((await balanceOf(system.bob.account.address)) - bob).toBe(half + saleHalf);
    expect(await edition.read.pendingSplitPayment()).toBe(0n);
    expect(await balanceOf(address)).toBe(0n);
  });

  it("the writer moves only its own share; the publication alone moves its share; nobody changes the split rate", async () => {
    const { address, proceeds } = await sold(2, { splitRecipient: publication, splitBps: 2_500 });
    const asAuthor = await editionAt(address, system.author);
    await expectRevert(asAuthor.write.setSplitRecipient([addressOf(system.author)]), "Unauthorized", [addressOf(system.author)]);
    await expectRevert((await editionAt(address, system.carol)).write.setSplitRecipient([zeroAddress]), "ZeroAddress");
    // The author moves the writer's proceeds; the publication's share is untouched.
    await asAuthor.write.setFundingRecipient([addressOf(system.alice)]);
    expect(await asAuthor.read.splitRecipient()).toBe(publication);
    // The publication moves its share to bob.
    const moved = await receiptOf(await (await editionAt(address, system.carol)).write.setSplitRecipient([addressOf(system.bob)]));
    expect(eventsNamed(asAuthor.abi, moved.logs, "SplitRecipientChanged").map((e) => e.args)).toEqual([{ previousRecipient: publication, newRecipient: addressOf(system.bob) }]);
    expect(await asAuthor.read.splitRecipient()).toBe(addressOf(system.bob));
    await expectRevert((await editionAt(address, system.carol)).write.setSplitRecipient([publication]), "Unauthorized", [publication]);
    const { paid } = await withdraw(address);
    const fee = (proceeds * BigInt(FEE_BPS)) / 10_000n;
    const share = ((proceeds - fee) * 2_500n) / 10_000n;
    expect(paid.find((p) => p.payee === SPLIT)).toEqual({ payee: SPLIT, recipient: addressOf(system.bob), amount: share });
    expect(paid.find((p) => p.payee === FUNDING)).toEqual({ payee: FUNDING, recipient: addressOf(system.alice), amount: proceeds - fee - share });
    // The only setters: approvals, the writer's funding recipient, the limit, the publication's recipient.
    const setters = asAuthor.abi.filter((item) => item.type === "function" && /^(set|initialize)/.test(item.name)).map((item) => (item as { name: string }).name);
    expect(setters.sort()).toEqual(["initializeFee", "setApprovalForAll", "setFundingRecipient", "setLimit", "setSplitRecipient"]);
    // An edition without a split has no split recipient to move.
    const plain = await sold(0, {}, 9);
    await expectRevert((await editionAt(plain.address, system.carol)).write.setSplitRecipient([publication]), "Unauthorized", [publication]);
  });

  it("royalties under split terms are paid to the edition and shared by the same terms", async () => {
    const { address, edition } = await sold(0, { splitRecipient: publication, splitBps: 4_000 });
    const [receiver, amount] = await edition.read.royaltyInfo([1n, parseEther("1")]);
    expect(receiver).toBe(getAddress(address));
    expect(amount).toBe(parseEther("0.1"));
    await system.bob.sendTransaction({ to: address, value: amount });
    const { paid } = await withdraw(address);
    const fee = (amount * BigInt(FEE_BPS)) / 10_000n;
    expect(paid.find((p) => p.payee === SPLIT)?.amount).toBe(((amount - fee) * 4_000n) / 10_000n);
    // Without a split, royalties still go straight to the funding recipient.
    const plain = await sold(0, {}, 8);
    expect((await plain.edition.read.royaltyInfo([1n, 100n]))[0]).toBe(getAddress(system.funding.account.address));
  });

  it("a sale costs the same gas with split terms as without", async () => {
    const plain = await sold(1, {}, 2);
    const split = await sold(1, { splitRecipient: publication, splitBps: 3_000 }, 3);
    const gasOf = async (address: Address, wallet: typeof system.bob) => {
      const edition = await editionAt(address, wallet);
      const receipt = await receiptOf(await edition.write.buy(["hello"], { value: await edition.read.price() }));
      return receipt.gasUsed;
    };
    expect(await gasOf(split.address, system.bob)).toBe(await gasOf(plain.address, system.bob));
  });

  it("the factory takes a split only as a recipient with 1 to 10,000 bps, and a signature covers it", async () => {
    await expectRevert(createEdition(system, { splitRecipient: publication, splitBps: 0 }), "InvalidSplit", [publication, 0n]);
    await expectRevert(createEdition(system, { splitRecipient: zeroAddress, splitBps: 100 }), "InvalidSplit", [zeroAddress, 100n]);
    await expectRevert(createEdition(system, { splitRecipient: publication, splitBps: 10_001 }), "InvalidSplit", [publication, 10_001n]);

    const params = editionParams(system, { contentId: bytes32(0x7a), splitRecipient: publication, splitBps: 3_000 });
    const auth = await signEdition(system, params);
    const factory = await factoryAs(system, system.alice);
    const lazy = (terms: typeof params) =>
      factory.write.createWithSignature([terms, auth, addressOf(system.alice), 1n, zeroAddress, ""], { value: terms.price });
    // A collector cannot take the publication's share out of (or change it in) the signed terms.
    await expectRevert(lazy({ ...params, splitRecipient: zeroAddress, splitBps: 0 }), "InvalidSignature");
    await expectRevert(lazy({ ...params, splitBps: 1_000 }), "InvalidSignature");
    await expectRevert(lazy({ ...params, splitRecipient: addressOf(system.alice) }), "InvalidSignature");
    const receipt = await receiptOf(await lazy(params));
    const [created] = eventsNamed(system.factory.abi, receipt.logs, "EditionCreated");
    expect(created!.args.args).toBe(packedArgs(addressOf(system.author), params));
    const edition = await editionAt(created!.args.edition as Address);
    expect(await edition.read.splitRecipient()).toBe(publication);
    expect(await system.factory.read.isEdition([edition.address])).toBe(true);
  });
});
