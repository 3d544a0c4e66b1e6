// withdraw() and claim(): the platform fee fixed at creation, pull payments, and recipients that refuse
// payment or call back in.
import hre from "hardhat";
import { getAddress } from "viem";
import { beforeEach, describe, expect, it } from "vitest";
import {
  FEE_BPS,
  MESSAGE,
  PRICE,
  type System,
  addressOf,
  balanceOf,
  createEdition,
  deploySystem,
  editionAt,
  eventsNamed,
  expectRevert,
  fixture,
  receiptOf,
  salt,
} from "./fixtures";

const FUNDING = 0;
const PLATFORM = 1;
const fee = (amount: bigint, bps = BigInt(FEE_BPS)) => (amount * bps) / 10_000n;

const loadSystem = fixture(async () => {
  const system = await deploySystem();
  const reverting = await hre.viem.deployContract("RevertingRecipient");
  const reentering = await hre.viem.deployContract("ReenteringRecipient");
  return { system, reverting, reentering };
});

describe("WritingEditions: withdraw and claim", () => {
  let system: System;
  let reverting: Awaited<ReturnType<typeof loadSystem>>["reverting"];
  let reentering: Awaited<ReturnType<typeof loadSystem>>["reentering"];

  beforeEach(async () => {
    ({ system, reverting, reentering } = await loadSystem());
  });

  /** Creates an edition (optionally paying `fundingRecipient`) and sells `sales` tokens. */
  async function editionWithSales(sales: number, overrides: Parameters<typeof createEdition>[1] = {}, n = 1) {
    const { address } = await createEdition(system, overrides, salt(n));
    const edition = await editionAt(address, system.alice);
    const price = await edition.read.price();
    for (let i = 0; i < sales; i++)
      await edition.write.purchase([system.alice.account.address, MESSAGE], { value: price });
    return { address, edition, proceeds: BigInt(sales) * price };
  }

  it("splits the proceeds between the funding recipient and the platform, callable by anyone", async () => {
    const { address, edition, proceeds } = await editionWithSales(3);
    const before = {
      funding: await balanceOf(system.funding.account.address),
      treasury: await balanceOf(system.treasury.account.address),
    };
    const receipt = await receiptOf(await (await editionAt(address, system.bob)).write.withdraw());

    expect(await balanceOf(address)).toBe(0n);
    expect((await balanceOf(system.treasury.account.address)) - before.treasury).toBe(fee(proceeds));
    expect((await balanceOf(system.funding.account.address)) - before.funding).toBe(proceeds - fee(proceeds));
    expect(eventsNamed(edition.abi, receipt.logs, "Withdrawn").map((e) => e.args)).toEqual([
      { payee: FUNDING, recipient: addressOf(system.funding), amount: proceeds - fee(proceeds) },
      { payee: PLATFORM, recipient: addressOf(system.treasury), amount: fee(proceeds) },
    ]);
    await expectRevert(edition.write.withdraw(), "NothingToWithdraw");
  });

  it("refuses to withdraw nothing", async () => {
    const { edition } = await editionWithSales(0);
    await expectRevert(edition.write.withdraw(), "NothingToWithdraw");
  });

  it("pays everything to the funding recipient when the fee is zero or rounds to zero", async () => {
    const { address, edition } = await editionWithSales(3, { price: 13n });
    const receipt = await receiptOf(await edition.write.withdraw());
    expect(eventsNamed(edition.abi, receipt.logs, "Withdrawn").map((e) => e.args)).toEqual([
      { payee: FUNDING, recipient: addressOf(system.funding), amount: 39n },
    ]);
    expect(await balanceOf(address)).toBe(0n);

    await system.factory.write.setFee([0, system.treasury.account.address]);
    const free = await editionWithSales(2, { feeBps: 0 }, 2);
    const receipt2 = await receiptOf(await free.edition.write.withdraw());
    expect(eventsNamed(edition.abi, receipt2.logs, "Withdrawn").map((e) => e.args)).toEqual([
      { payee: FUNDING, recipient: addressOf(system.funding), amount: 2n * PRICE },
    ]);
  });

  it("keeps the edition's fee rate after a fee change, and pays the platform's current recipient", async () => {
    const { edition, proceeds } = await editionWithSales(2);
    await system.factory.write.setFee([500, system.carol.account.address]);
    const carolBefore = await balanceOf(system.carol.account.address);
    const treasuryBefore = await balanceOf(system.treasury.account.address);
    await edition.write.withdraw();
    expect((await balanceOf(system.carol.account.address)) - carolBefore).toBe(fee(proceeds));
    expect(await balanceOf(system.treasury.account.address)).toBe(treasuryBefore);
  });

  it("credits a funding recipient that refuses payment, still pays the platform, and retries later", async () => {
    const { address, edition, proceeds } = await editionWithSales(2, { fundingRecipient: reverting.address });
    const treasuryBefore = await balanceOf(system.treasury.account.address);
    const receipt = await receiptOf(await edition.write.withdraw());

    const owed = proceeds - fee(proceeds);
    expect(eventsNamed(edition.abi, receipt.logs, "PaymentDeferred").map((e) => e.args)).toEqual([
      { payee: FUNDING, recipient: getAddress(reverting.address), amount: owed },
    ]);
    expect((await balanceOf(system.treasury.account.address)) - treasuryBefore).toBe(fee(proceeds));
    expect(await edition.read.pendingPayments()).toEqual([owed, 0n]);
    expect(await balanceOf(address)).toBe(owed);

    // New sales are split on top of the credit; the credit is not charged a fee twice.
    await edition.write.purchase([system.alice.account.address, MESSAGE], { value: PRICE });
    await edition.write.withdraw();
    expect(await edition.read.pendingPayments()).toEqual([owed + PRICE - fee(PRICE), 0n]);
    expect((await balanceOf(system.treasury.account.address)) - treasuryBefore).toBe(fee(proceeds) + fee(PRICE));

    await reverting.write.setAccepting([true]);
    await edition.write.withdraw();
    expect(await balanceOf(reverting.address)).toBe(owed + PRICE - fee(PRICE));
    expect(await edition.read.pendingPayments()).toEqual([0n, 0n]);
    expect(await balanceOf(address)).toBe(0n);
  });

  it("lets a credited recipient claim to another address", async () => {
    const { address, edition, proceeds } = await editionWithSales(1, { fundingRecipient: reverting.address });
    await edition.write.withdraw();
    const owed = proceeds - fee(proceeds);
    const carolBefore = await balanceOf(system.carol.account.address);

    const receipt = await receiptOf(await reverting.write.claimFrom([address, system.carol.account.address]));
    expect((await balanceOf(system.carol.account.address)) - carolBefore).toBe(owed);
    expect(eventsNamed(edition.abi, receipt.logs, "Withdrawn").map((e) => e.args)).toEqual([
      { payee: FUNDING, recipient: addressOf(system.carol), amount: owed },
    ]);
    expect(await edition.read.pendingPayments()).toEqual([0n, 0n]);
    expect(await balanceOf(address)).toBe(0n);
  });

  it("rejects claims by anyone owed nothing, and claims to an address that refuses", async () => {
    const { address, edition } = await editionWithSales(1, { fundingRecipient: reverting.address });
    await expectRevert(edition.write.claim([system.alice.account.address]), "NothingToClaim", [
      addressOf(system.alice),
    ]);
    await edition.write.withdraw();
    const [owed] = await edition.read.pendingPayments();
    await expectRevert(edition.write.claim([system.alice.account.address]), "NothingToClaim", [
      addressOf(system.alice),
    ]);
    await expectRevert(reverting.write.claimFrom([address, reverting.address]), "TransferFailed", [
      getAddress(reverting.address),
      owed,
    ]);
    expect(await edition.read.pendingPayments()).toEqual([owed, 0n]);
  });

  it("credits a platform recipient that refuses, pays the author, and lets the platform claim", async () => {
    const { address, edition, proceeds } = await editionWithSales(2);
    await system.factory.write.setFee([FEE_BPS, reverting.address]);
    const fundingBefore = await balanceOf(system.funding.account.address);
    await edition.write.withdraw();
    expect((await balanceOf(system.funding.account.address)) - fundingBefore).toBe(proceeds - fee(proceeds));
    expect(await edition.read.pendingPayments()).toEqual([0n, fee(proceeds)]);

    const carolBefore = await balanceOf(system.carol.account.address);
    await reverting.write.claimFrom([address, system.carol.account.address]);
    expect((await balanceOf(system.carol.account.address)) - carolBefore).toBe(fee(proceeds));
    expect(await balanceOf(address)).toBe(0n);
  });

  it("pays both credits to one address that is both recipients", async () => {
    const { address, edition, proceeds } = await editionWithSales(2, { fundingRecipient: reverting.address });
    await system.factory.write.setFee([FEE_BPS, reverting.address]);
    await edition.write.withdraw();
    expect(await edition.read.pendingPayments()).toEqual([proceeds - fee(proceeds), fee(proceeds)]);
    const receipt = await receiptOf(await reverting.write.claimFrom([address, system.carol.account.address]));
    expect(eventsNamed(edition.abi, receipt.logs, "Withdrawn").map((e) => e.args)).toEqual([
      { payee: FUNDING, recipient: addressOf(system.carol), amount: proceeds - fee(proceeds) },
      { payee: PLATFORM, recipient: addressOf(system.carol), amount: fee(proceeds) },
    ]);
    expect(await balanceOf(address)).toBe(0n);
  });

  it("blocks a funding recipient that re-enters withdraw, and the platform still gets exactly its fee", async () => {
    const { address, edition, proceeds } = await editionWithSales(3, { fundingRecipient: reentering.address });
    await reentering.write.arm([address, 0, true]);
    const treasuryBefore = await balanceOf(system.treasury.account.address);
    await edition.write.withdraw();

    expect(await reentering.read.attempts()).toBe(1n);
    expect(await reentering.read.successes()).toBe(0n);
    expect(await balanceOf(reentering.address)).toBe(proceeds - fee(proceeds));
    expect((await balanceOf(system.treasury.account.address)) - treasuryBefore).toBe(fee(proceeds));
    expect(await balanceOf(address)).toBe(0n);
    expect(await edition.read.pendingPayments()).toEqual([0n, 0n]);
  });

  it("credits a re-entering recipient whose payment fails because of the guard", async () => {
    const { address, edition, proceeds } = await editionWithSales(2, { fundingRecipient: reentering.address });
    await reentering.write.arm([address, 0, false]);
    const treasuryBefore = await balanceOf(system.treasury.account.address);
    const receipt = await receiptOf(await edition.write.withdraw());

    expect(eventsNamed(edition.abi, receipt.logs, "PaymentDeferred").map((e) => e.args)).toEqual([
      { payee: FUNDING, recipient: getAddress(reentering.address), amount: proceeds - fee(proceeds) },
    ]);
    expect((await balanceOf(system.treasury.account.address)) - treasuryBefore).toBe(fee(proceeds));
    expect(await edition.read.pendingPayments()).toEqual([proceeds - fee(proceeds), 0n]);
    expect(await balanceOf(address)).toBe(proceeds - fee(proceeds));
  });

  it("blocks a platform recipient that re-enters claim or withdraw", async () => {
    const { address, edition, proceeds } = await editionWithSales(2);
    await system.factory.write.setFee([FEE_BPS, reentering.address]);
    await reentering.write.arm([address, 1, true]);
    const fundingBefore = await balanceOf(system.funding.account.address);
    await edition.write.withdraw();
    expect(await reentering.read.successes()).toBe(0n);
    expect(await balanceOf(reentering.address)).toBe(fee(proceeds));
    expect((await balanceOf(system.funding.account.address)) - fundingBefore).toBe(proceeds - fee(proceeds));
    expect(await balanceOf(address)).toBe(0n);
  });
});
