// withdraw() and claim(): the platform fee fixed at creation, pull payments, and recipients that refuse
// payment or call back in.
import hre from "hardhat";
import { getAddress, zeroAddress } from "viem";
import { beforeEach, describe, expect, it } from "vitest";
import { PAYEE } from "../../contracts/typed-data";
import {
  FEE_BPS,
  MESSAGE,
  PRICE,
  type System,
  addressOf,
  balanceOf,
  bytes32,
  createEdition,
  createEditionWithSales,
  deploySystem,
  editionAt,
  eventsNamed,
  expectRevert,
  fixture,
  receiptOf,
} from "./fixtures";

const { funding: FUNDING, platform: PLATFORM, referrer: REFERRER } = PAYEE;
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
  // Distinct terms give distinct editions: the address depends on the author and the terms alone.
  const editionWithSales = (sales: number, overrides: Parameters<typeof createEdition>[1] = {}, n = 1) =>
    createEditionWithSales(system, sales, { contentId: bytes32(0x40 + n), ...overrides });

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
    expect(await edition.read.pendingPayments()).toEqual([owed, 0n, 0n]);
    expect(await balanceOf(address)).toBe(owed);

    // New sales are split on top of the credit; the credit is not charged a fee twice.
    await edition.write.purchase([system.alice.account.address, MESSAGE], { value: PRICE });
    await edition.write.withdraw();
    expect(await edition.read.pendingPayments()).toEqual([owed + PRICE - fee(PRICE), 0n, 0n]);
    expect((await balanceOf(system.treasury.account.address)) - treasuryBefore).toBe(fee(proceeds) + fee(PRICE));

    await reverting.write.setAccepting([true]);
    await edition.write.withdraw();
    expect(await balanceOf(reverting.address)).toBe(owed + PRICE - fee(PRICE));
    expect(await edition.read.pendingPayments()).toEqual([0n, 0n, 0n]);
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
    expect(await edition.read.pendingPayments()).toEqual([0n, 0n, 0n]);
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
    expect(await edition.read.pendingPayments()).toEqual([owed, 0n, 0n]);
  });

  it("credits a platform recipient that refuses, pays the author, and lets the platform claim", async () => {
    const { address, edition, proceeds } = await editionWithSales(2);
    await system.factory.write.setFee([FEE_BPS, reverting.address]);
    const fundingBefore = await balanceOf(system.funding.account.address);
    await edition.write.withdraw();
    expect((await balanceOf(system.funding.account.address)) - fundingBefore).toBe(proceeds - fee(proceeds));
    expect(await edition.read.pendingPayments()).toEqual([0n, fee(proceeds), 0n]);

    const carolBefore = await balanceOf(system.carol.account.address);
    await reverting.write.claimFrom([address, system.carol.account.address]);
    expect((await balanceOf(system.carol.account.address)) - carolBefore).toBe(fee(proceeds));
    expect(await balanceOf(address)).toBe(0n);
  });

  it("pays both credits to one address that is both recipients", async () => {
    const { address, edition, proceeds } = await editionWithSales(2, { fundingRecipient: reverting.address });
    await system.factory.write.setFee([FEE_BPS, reverting.address]);
    await edition.write.withdraw();
    expect(await edition.read.pendingPayments()).toEqual([proceeds - fee(proceeds), fee(proceeds), 0n]);
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
    expect(await edition.read.pendingPayments()).toEqual([0n, 0n, 0n]);
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
    expect(await edition.read.pendingPayments()).toEqual([proceeds - fee(proceeds), 0n, 0n]);
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

describe("WritingEditions: moving the funding recipient", () => {
  let system: System;
  let reverting: Awaited<ReturnType<typeof loadSystem>>["reverting"];

  beforeEach(async () => {
    ({ system, reverting } = await loadSystem());
  });

  async function sell(address: `0x${string}`, count: number) {
    const edition = await editionAt(address, system.alice);
    for (let i = 0; i < count; i++) {
      await edition.write.purchase([system.alice.account.address, ""], { value: PRICE });
    }
  }

  it("lets the author move proceeds and royalties to a new address, with an event", async () => {
    const { address } = await createEdition(system);
    const asAuthor = await editionAt(address, system.author);
    const receipt = await receiptOf(await asAuthor.write.setFundingRecipient([system.carol.account.address]));
    expect(eventsNamed(asAuthor.abi, receipt.logs, "FundingRecipientChanged").map((e) => e.args)).toEqual([
      { previousRecipient: addressOf(system.funding), newRecipient: addressOf(system.carol) },
    ]);
    expect(await asAuthor.read.fundingRecipient()).toBe(addressOf(system.carol));
    expect(await asAuthor.read.royaltyInfo([1n, 10_000n])).toEqual([addressOf(system.carol), 1_000n]);

    await sell(address, 2);
    const before = {
      funding: await balanceOf(system.funding.account.address),
      carol: await balanceOf(system.carol.account.address),
    };
    await receiptOf(await (await editionAt(address, system.bob)).write.withdraw());
    const proceeds = 2n * PRICE;
    expect((await balanceOf(system.carol.account.address)) - before.carol).toBe(proceeds - fee(proceeds));
    expect(await balanceOf(system.funding.account.address)).toBe(before.funding);

    // It can move again, from the moved address.
    const again = await receiptOf(await asAuthor.write.setFundingRecipient([system.bob.account.address]));
    expect(eventsNamed(asAuthor.abi, again.logs, "FundingRecipientChanged").map((e) => e.args)).toEqual([
      { previousRecipient: addressOf(system.carol), newRecipient: addressOf(system.bob) },
    ]);
  });

  it("refuses the zero address, and everyone but the author (the funding recipient included)", async () => {
    const { address } = await createEdition(system);
    await expectRevert(
      (await editionAt(address, system.author)).write.setFundingRecipient([zeroAddress]),
      "ZeroAddress"
    );
    for (const wallet of [system.funding, system.alice, system.platform]) {
      await expectRevert(
        (await editionAt(address, wallet)).write.setFundingRecipient([wallet.account.address]),
        "Unauthorized",
        [addressOf(wallet)]
      );
    }
    expect(await (await editionAt(address)).read.fundingRecipient()).toBe(addressOf(system.funding));
  });

  it("pays proceeds stranded at a recipient that refuses ether to the recipient the author moves them to", async () => {
    const { address, edition } = await createEdition(system, { fundingRecipient: reverting.address });
    await sell(address, 2);
    const first = 2n * PRICE;
    const deferred = await receiptOf(await edition.write.withdraw());
    expect(eventsNamed(edition.abi, deferred.logs, "PaymentDeferred").map((e) => e.args)).toEqual([
      { payee: FUNDING, recipient: getAddress(reverting.address), amount: first - fee(first) },
    ]);
    expect(await edition.read.pendingPayments()).toEqual([first - fee(first), 0n, 0n]);

    await (await editionAt(address, system.author)).write.setFundingRecipient([system.carol.account.address]);
    await sell(address, 1);
    const carolBefore = await balanceOf(system.carol.account.address);
    const treasuryBefore = await balanceOf(system.treasury.account.address);
    const receipt = await receiptOf(await (await editionAt(address, system.bob)).write.withdraw());

    // The credit and the new sale's share, in one payment; the credit is not charged the fee again.
    const owed = first - fee(first) + PRICE - fee(PRICE);
    expect((await balanceOf(system.carol.account.address)) - carolBefore).toBe(owed);
    expect((await balanceOf(system.treasury.account.address)) - treasuryBefore).toBe(fee(PRICE));
    expect(eventsNamed(edition.abi, receipt.logs, "Withdrawn").map((e) => e.args)).toEqual([
      { payee: FUNDING, recipient: addressOf(system.carol), amount: owed },
      { payee: PLATFORM, recipient: addressOf(system.treasury), amount: fee(PRICE) },
    ]);
    expect(await edition.read.pendingPayments()).toEqual([0n, 0n, 0n]);
    expect(await balanceOf(address)).toBe(0n);
    expect(await balanceOf(reverting.address)).toBe(0n);
  });

  it("lets the new recipient claim the credit, and not the old one", async () => {
    const { address, edition } = await createEdition(system, { fundingRecipient: reverting.address });
    await sell(address, 1);
    await edition.write.withdraw();
    const owed = PRICE - fee(PRICE);
    await (await editionAt(address, system.author)).write.setFundingRecipient([system.carol.account.address]);

    await expectRevert(reverting.write.claimFrom([address, reverting.address]), "NothingToClaim", [
      getAddress(reverting.address),
    ]);
    const bobBefore = await balanceOf(system.bob.account.address);
    const receipt = await receiptOf(
      await (await editionAt(address, system.carol)).write.claim([system.bob.account.address])
    );
    expect(eventsNamed(edition.abi, receipt.logs, "Withdrawn").map((e) => e.args)).toEqual([
      { payee: FUNDING, recipient: addressOf(system.bob), amount: owed },
    ]);
    expect((await balanceOf(system.bob.account.address)) - bobBefore).toBe(owed);
    expect(await edition.read.pendingPayments()).toEqual([0n, 0n, 0n]);
    expect(await balanceOf(address)).toBe(0n);
  });
});

describe("WritingEditions: referral rewards", () => {
  let system: System;
  let reverting: Awaited<ReturnType<typeof loadSystem>>["reverting"];
  const REFERRAL_BPS = 1_000;
  const reward = (amount: bigint, bps = BigInt(REFERRAL_BPS)) => (amount * bps) / 10_000n;

  beforeEach(async () => {
    ({ system, reverting } = await loadSystem());
  });

  async function referringEdition(overrides: Parameters<typeof createEdition>[1] = {}) {
    const { address, edition } = await createEdition(system, { referralBps: REFERRAL_BPS, ...overrides });
    return { address, edition, buyer: await editionAt(address, system.alice) };
  }

  it("credits the referrer its share of the whole payment, and says so in Referred", async () => {
    const { address, edition, buyer } = await referringEdition();
    expect(await edition.read.referralBps()).toBe(BigInt(REFERRAL_BPS));
    const total = 3n * PRICE;
    const receipt = await receiptOf(
      await buyer.write.collect([system.alice.account.address, 3n, system.bob.account.address, ""], { value: total })
    );
    expect(eventsNamed(edition.abi, receipt.logs, "Referred").map((e) => e.args)).toEqual([
      { referrer: addressOf(system.bob), reward: reward(total) },
    ]);
    expect(await edition.read.referralCredit([system.bob.account.address])).toBe(reward(total));
    expect(await edition.read.referralCredit([system.alice.account.address])).toBe(0n);
    expect(await edition.read.pendingPayments()).toEqual([0n, 0n, reward(total)]);
    expect(await balanceOf(address)).toBe(total);

    // Credits add up, per referrer.
    await buyer.write.collect([system.alice.account.address, 1n, system.bob.account.address, ""], { value: PRICE });
    await buyer.write.collect([system.alice.account.address, 2n, system.carol.account.address, ""], {
      value: 2n * PRICE,
    });
    expect(await edition.read.referralCredit([system.bob.account.address])).toBe(reward(total) + reward(PRICE));
    expect(await edition.read.referralCredit([system.carol.account.address])).toBe(reward(2n * PRICE));
    expect(await edition.read.pendingPayments()).toEqual([0n, 0n, reward(total) + reward(PRICE) + reward(2n * PRICE)]);
  });

  it("rounds a reward down", async () => {
    const { edition, buyer } = await referringEdition({ price: 13n });
    const receipt = await receiptOf(
      await buyer.write.collect([system.alice.account.address, 3n, system.bob.account.address, ""], { value: 39n })
    );
    // 39 wei * 10% = 3.9 wei.
    expect(eventsNamed(edition.abi, receipt.logs, "Referred").map((e) => e.args)).toEqual([
      { referrer: addressOf(system.bob), reward: 3n },
    ]);
    expect(await edition.read.referralCredit([system.bob.account.address])).toBe(3n);
  });

  it("leaves referral credit out of withdraw: the fee and the proceeds are split from the rest", async () => {
    const { address, edition, buyer } = await referringEdition();
    const total = 4n * PRICE;
    await buyer.write.collect([system.alice.account.address, 4n, system.bob.account.address, ""], { value: total });
    const owedToBob = reward(total);
    const proceeds = total - owedToBob;
    const before = {
      funding: await balanceOf(system.funding.account.address),
      treasury: await balanceOf(system.treasury.account.address),
      bob: await balanceOf(system.bob.account.address),
    };
    const receipt = await receiptOf(await edition.write.withdraw());
    expect(eventsNamed(edition.abi, receipt.logs, "Withdrawn").map((e) => e.args)).toEqual([
      { payee: FUNDING, recipient: addressOf(system.funding), amount: proceeds - fee(proceeds) },
      { payee: PLATFORM, recipient: addressOf(system.treasury), amount: fee(proceeds) },
    ]);
    expect((await balanceOf(system.funding.account.address)) - before.funding).toBe(proceeds - fee(proceeds));
    expect((await balanceOf(system.treasury.account.address)) - before.treasury).toBe(fee(proceeds));
    expect(await balanceOf(system.bob.account.address)).toBe(before.bob);
    expect(await balanceOf(address)).toBe(owedToBob);
    expect(await edition.read.pendingPayments()).toEqual([0n, 0n, owedToBob]);
    // What remains is the referrer's: withdraw finds nothing.
    await expectRevert(edition.write.withdraw(), "NothingToWithdraw");
  });

  it("pays the referrer's credit to the address it chooses with claim, once", async () => {
    const { address, edition, buyer } = await referringEdition();
    const total = 2n * PRICE;
    await buyer.write.collect([system.alice.account.address, 2n, system.bob.account.address, ""], { value: total });
    await edition.write.withdraw();

    const asBob = await editionAt(address, system.bob);
    const carolBefore = await balanceOf(system.carol.account.address);
    const receipt = await receiptOf(await asBob.write.claim([system.carol.account.address]));
    expect(eventsNamed(edition.abi, receipt.logs, "Withdrawn").map((e) => e.args)).toEqual([
      { payee: REFERRER, recipient: addressOf(system.carol), amount: reward(total) },
    ]);
    expect((await balanceOf(system.carol.account.address)) - carolBefore).toBe(reward(total));
    expect(await edition.read.referralCredit([system.bob.account.address])).toBe(0n);
    expect(await edition.read.pendingPayments()).toEqual([0n, 0n, 0n]);
    expect(await balanceOf(address)).toBe(0n);
    await expectRevert(asBob.write.claim([system.bob.account.address]), "NothingToClaim", [addressOf(system.bob)]);
  });

  it("keeps the accounts straight when claims and withdrawals interleave with sales", async () => {
    const { address, edition, buyer } = await referringEdition();
    const to = system.alice.account.address;
    const funding0 = await balanceOf(system.funding.account.address);
    await buyer.write.collect([to, 1n, system.bob.account.address, ""], { value: PRICE });
    await (await editionAt(address, system.bob)).write.claim([system.bob.account.address]);
    await buyer.write.collect([to, 2n, zeroAddress, ""], { value: 2n * PRICE });
    await buyer.write.collect([to, 1n, system.bob.account.address, ""], { value: PRICE });
    await edition.write.withdraw();
    await buyer.write.purchase([to, ""], { value: PRICE });
    await edition.write.withdraw();

    const first = PRICE - reward(PRICE) + 2n * PRICE + PRICE - reward(PRICE);
    const paid = first - fee(first) + PRICE - fee(PRICE);
    expect((await balanceOf(system.funding.account.address)) - funding0).toBe(paid);
    expect(await balanceOf(address)).toBe(reward(PRICE));
    expect(await edition.read.pendingPayments()).toEqual([0n, 0n, reward(PRICE)]);
    await (await editionAt(address, system.bob)).write.claim([system.bob.account.address]);
    expect(await balanceOf(address)).toBe(0n);
  });

  it("pays a referrer that is also a credited recipient everything in one claim", async () => {
    const { address, edition, buyer } = await referringEdition({ fundingRecipient: reverting.address });
    const total = 2n * PRICE;
    await buyer.write.collect([system.alice.account.address, 2n, reverting.address, ""], { value: total });
    await edition.write.withdraw();
    const proceeds = total - reward(total);
    expect(await edition.read.pendingPayments()).toEqual([proceeds - fee(proceeds), 0n, reward(total)]);

    const carolBefore = await balanceOf(system.carol.account.address);
    const receipt = await receiptOf(await reverting.write.claimFrom([address, system.carol.account.address]));
    expect(eventsNamed(edition.abi, receipt.logs, "Withdrawn").map((e) => e.args)).toEqual([
      { payee: FUNDING, recipient: addressOf(system.carol), amount: proceeds - fee(proceeds) },
      { payee: REFERRER, recipient: addressOf(system.carol), amount: reward(total) },
    ]);
    expect((await balanceOf(system.carol.account.address)) - carolBefore).toBe(
      proceeds - fee(proceeds) + reward(total)
    );
    expect(await edition.read.pendingPayments()).toEqual([0n, 0n, 0n]);
    expect(await balanceOf(address)).toBe(0n);
  });

  it("keeps a referrer's credit when its claim cannot be delivered", async () => {
    const { edition, buyer } = await referringEdition();
    await buyer.write.collect([system.alice.account.address, 1n, system.bob.account.address, ""], { value: PRICE });
    const asBob = await editionAt(edition.address, system.bob);
    await expectRevert(asBob.write.claim([reverting.address]), "TransferFailed", [
      getAddress(reverting.address),
      reward(PRICE),
    ]);
    expect(await edition.read.referralCredit([system.bob.account.address])).toBe(reward(PRICE));
    expect(await edition.read.pendingPayments()).toEqual([0n, 0n, reward(PRICE)]);
  });

  it("names the referrer with a zero reward when the edition pays no referrals", async () => {
    const { address, edition, buyer } = await referringEdition({ referralBps: 0 });
    const receipt = await receiptOf(
      await buyer.write.collect([system.alice.account.address, 2n, system.bob.account.address, ""], {
        value: 2n * PRICE,
      })
    );
    expect(eventsNamed(edition.abi, receipt.logs, "Referred").map((e) => e.args)).toEqual([
      { referrer: addressOf(system.bob), reward: 0n },
    ]);
    expect(await edition.read.referralCredit([system.bob.account.address])).toBe(0n);
    expect(await edition.read.pendingPayments()).toEqual([0n, 0n, 0n]);
    await expectRevert(
      (await editionAt(address, system.bob)).write.claim([system.bob.account.address]),
      "NothingToClaim",
      [addressOf(system.bob)]
    );
    // All of it is proceeds.
    const fundingBefore = await balanceOf(system.funding.account.address);
    await edition.write.withdraw();
    expect((await balanceOf(system.funding.account.address)) - fundingBefore).toBe(2n * PRICE - fee(2n * PRICE));
  });

  it("credits nobody and emits no Referred without a referrer", async () => {
    const { edition, buyer } = await referringEdition();
    const receipt = await receiptOf(
      await buyer.write.collect([system.alice.account.address, 2n, zeroAddress, ""], { value: 2n * PRICE })
    );
    expect(eventsNamed(edition.abi, receipt.logs, "Referred")).toHaveLength(0);
    expect(await edition.read.referralCredit([zeroAddress])).toBe(0n);
    expect(await edition.read.pendingPayments()).toEqual([0n, 0n, 0n]);
  });

  it("pays the highest share, 50%, exactly", async () => {
    const { edition, buyer } = await referringEdition({ referralBps: 5_000 });
    await buyer.write.collect([system.alice.account.address, 2n, system.bob.account.address, ""], {
      value: 2n * PRICE,
    });
    expect(await edition.read.referralCredit([system.bob.account.address])).toBe(PRICE);
  });
});

describe("WritingEditions: every count and credit kept apart", () => {
  let system: System;
  beforeEach(async () => {
    ({ system } = await loadSystem());
  });

  it("keeps a lowered fee, the limit, the supply and large referral credits intact through everything", async () => {
    // The highest price there is, half of it to referrers, and a fee the factory lowered at creation.
    const price = 2n ** 96n - 1n;
    const { address, edition } = await createEdition(system, {
      price,
      feeBps: 500,
      referralBps: 5_000,
      limit: 100n,
    });
    await hre.network.provider.send("hardhat_setBalance", [
      system.alice.account.address,
      `0x${(2n ** 110n).toString(16)}`,
    ]);
    const buyer = await editionAt(address, system.alice);
    const asAuthor = await editionAt(address, system.author);

    await buyer.write.collect([system.alice.account.address, 50n, system.bob.account.address, ""], {
      value: 50n * price,
    });
    await asAuthor.write.setLimit([60n]);
    await buyer.write.collect([system.alice.account.address, 9n, system.carol.account.address, ""], {
      value: 9n * price,
    });
    await asAuthor.write.ownerMint([system.author.account.address]);
    await asAuthor.write.freezeLimit();

    const bobReward = (50n * price * 5_000n) / 10_000n;
    const carolReward = (9n * price * 5_000n) / 10_000n;
    expect(await edition.read.feeBps()).toBe(BigInt(FEE_BPS));
    expect(await edition.read.limit()).toBe(60n);
    expect(await edition.read.limitFrozen()).toBe(true);
    expect(await edition.read.totalSupply()).toBe(60n);
    expect(await edition.read.referralCredit([system.bob.account.address])).toBe(bobReward);
    expect(await edition.read.referralCredit([system.carol.account.address])).toBe(carolReward);
    expect(await edition.read.pendingPayments()).toEqual([0n, 0n, bobReward + carolReward]);
    await expectRevert(buyer.write.purchase([system.alice.account.address, ""], { value: price }), "SoldOut", [60n]);

    await (await editionAt(address, system.bob)).write.claim([system.bob.account.address]);
    expect(await edition.read.pendingPayments()).toEqual([0n, 0n, carolReward]);
    const proceeds = 59n * price - bobReward - carolReward;
    const before = {
      funding: await balanceOf(system.funding.account.address),
      treasury: await balanceOf(system.treasury.account.address),
    };
    await edition.write.withdraw();
    expect((await balanceOf(system.treasury.account.address)) - before.treasury).toBe(fee(proceeds));
    expect((await balanceOf(system.funding.account.address)) - before.funding).toBe(proceeds - fee(proceeds));
    expect(await balanceOf(address)).toBe(carolReward);
    // After all that, still the lowered fee, the frozen limit and the supply.
    expect(await edition.read.feeBps()).toBe(BigInt(FEE_BPS));
    expect(await edition.read.limit()).toBe(60n);
    expect(await edition.read.totalSupply()).toBe(60n);
    expect(await edition.read.ownerOf([60n])).toBe(addressOf(system.author));
    expect(await edition.read.ownerOf([59n])).toBe(addressOf(system.alice));
  });
});
