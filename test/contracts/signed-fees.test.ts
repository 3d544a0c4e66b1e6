// A signed edition and the platform fee: the fee in the signed terms is the most the author accepts.
// A platform that cuts its fee gives signed editions the cut; a platform that raises it cannot raise a
// signed edition above the fee its author signed, as long as that fee was in effect while the signature
// could have been made (SIGNATURE_LIFETIME before its deadline).
import { type Hex, zeroAddress } from "viem";
import { beforeEach, describe, expect, it } from "vitest";
import { type EditionParams, PAYEE } from "../../contracts/typed-data";
import {
  FEE_BPS,
  PRICE,
  type System,
  addressOf,
  balanceOf,
  bytes32,
  deploySystem,
  editionAt,
  editionParams,
  eventsNamed,
  expectRevert,
  factoryAs,
  fixture,
  increaseTime,
  latestTimestamp,
  packedArgs,
  receiptOf,
  signEdition,
} from "./fixtures";

const DAY = 24n * 60n * 60n;
const LIFETIME = 366n * DAY;
const { funding: FUNDING, platform: PLATFORM } = PAYEE;

const loadSystem = fixture(() => deploySystem());

describe("Signed editions when the platform fee changes", () => {
  let system: System;
  beforeEach(async () => {
    system = await loadSystem();
  });

  /** Sets the factory's fee (same recipient) and returns the block time it took effect. */
  async function setFee(feeBps: number): Promise<bigint> {
    const receipt = await receiptOf(await system.factory.write.setFee([feeBps, system.treasury.account.address]));
    return (await system.publicClient.getBlock({ blockNumber: receipt.blockNumber })).timestamp;
  }

  /** Alice collects `quantity` copies for Bob through createWithSignature. */
  async function collect(params: EditionParams, auth: Awaited<ReturnType<typeof signEdition>>, quantity = 1n) {
    const factory = await factoryAs(system, system.alice);
    return factory.write.createWithSignature([params, auth, system.bob.account.address, quantity, zeroAddress, ""], {
      value: params.price * quantity,
    });
  }

  /** Creates the signed edition, checks the announced fee, withdraws its sales, and returns the split. */
  async function createSellAndWithdraw(params: EditionParams, auth: Awaited<ReturnType<typeof signEdition>>) {
    const receipt = await receiptOf(await collect(params, auth, 4n));
    const address = await system.factory.read.predictAddress([auth.author, params]);
    const edition = await editionAt(address);
    const [created] = eventsNamed(system.factory.abi, receipt.logs, "EditionCreated");
    const before = {
      funding: await balanceOf(system.funding.account.address),
      treasury: await balanceOf(system.treasury.account.address),
    };
    const withdrawal = await receiptOf(await edition.write.withdraw());
    return {
      edition,
      address,
      created: created?.args,
      withdrawn: eventsNamed(edition.abi, withdrawal.logs, "Withdrawn").map((e) => e.args),
      funding: (await balanceOf(system.funding.account.address)) - before.funding,
      treasury: (await balanceOf(system.treasury.account.address)) - before.treasury,
    };
  }

  it("gives a signed edition the platform's cut: signed at 2.5%, created at 1%, split at 1%", async () => {
    const params = editionParams(system);
    const auth = await signEdition(system, params);
    await setFee(100);

    const result = await createSellAndWithdraw(params, auth);
    expect(await result.edition.read.feeBps()).toBe(100n);
    expect(result.created).toEqual({
      edition: result.address,
      author: addressOf(system.author),
      contentId: params.contentId,
      args: packedArgs(auth.author, params),
      feeBps: 100n,
    });
    const proceeds = 4n * PRICE;
    const fee = (proceeds * 100n) / 10_000n;
    expect(fee).toBe(400_000_000_000_000n);
    expect(result.treasury).toBe(fee);
    expect(result.funding).toBe(proceeds - fee);
    expect(result.withdrawn).toEqual([
      { payee: FUNDING, recipient: addressOf(system.funding), amount: proceeds - fee },
      { payee: PLATFORM, recipient: addressOf(system.treasury), amount: fee },
    ]);
    // Raising the fee afterwards changes nothing for this edition.
    await setFee(500);
    expect(await result.edition.read.feeBps()).toBe(100n);
  });

  it("pays the author everything when the platform dropped its fee to zero", async () => {
    const params = editionParams(system);
    const auth = await signEdition(system, params);
    await setFee(0);
    const result = await createSellAndWithdraw(params, auth);
    expect(await result.edition.read.feeBps()).toBe(0n);
    expect(result.created?.feeBps).toBe(0n);
    expect(result.treasury).toBe(0n);
    expect(result.funding).toBe(4n * PRICE);
    expect(result.withdrawn).toEqual([{ payee: FUNDING, recipient: addressOf(system.funding), amount: 4n * PRICE }]);
  });

  it("keeps the signed fee when the platform raises its fee: signed at 2.5%, created at 2.5% under 4%", async () => {
    const params = editionParams(system);
    const auth = await signEdition(system, params);
    await setFee(400);

    const result = await createSellAndWithdraw(params, auth);
    expect(await result.edition.read.feeBps()).toBe(BigInt(FEE_BPS));
    expect(result.created?.feeBps).toBe(BigInt(FEE_BPS));
    const proceeds = 4n * PRICE;
    const fee = (proceeds * BigInt(FEE_BPS)) / 10_000n;
    expect(result.treasury).toBe(fee);
    expect(result.funding).toBe(proceeds - fee);

    // The author creating the same terms directly now would be refused: only a signature keeps an old fee.
    const fresh = editionParams(system, { contentId: bytes32(0x55) });
    const asAuthor = await factoryAs(system, system.author);
    await expectRevert(asAuthor.write.create([fresh]), "FeeNotAccepted", [400n, BigInt(FEE_BPS)]);
  });

  it("refuses a signed fee lower than any fee in effect while it could have been signed", async () => {
    // The fee has been 2.5% since the factory was deployed.
    const params = editionParams(system, { feeBps: 0 });
    const auth = await signEdition(system, params);
    await expectRevert(collect(params, auth), "FeeNotAccepted", [BigInt(FEE_BPS), 0n]);
    const almost = editionParams(system, { feeBps: FEE_BPS - 1 });
    await expectRevert(collect(almost, await signEdition(system, almost)), "FeeNotAccepted", [
      BigInt(FEE_BPS),
      BigInt(FEE_BPS - 1),
    ]);
    // Raising the fee does not make a lower signed fee acceptable either.
    await setFee(400);
    await expectRevert(collect(params, await signEdition(system, params)), "FeeNotAccepted", [BigInt(FEE_BPS), 0n]);
    expect(
      await system.publicClient.getCode({ address: await system.factory.read.predictAddress([auth.author, params]) })
    ).toBeUndefined();
  });

  it("accepts any signed fee at least as high as the lowest fee in effect, even one never set", async () => {
    await setFee(100);
    await setFee(400);
    // 1.5% was never the fee, but 1% was: the author could have signed 1.5% then.
    const params = editionParams(system, { feeBps: 150 });
    const result = await createSellAndWithdraw(params, await signEdition(system, params));
    expect(await result.edition.read.feeBps()).toBe(150n);
    expect(result.created?.feeBps).toBe(150n);
    expect(result.treasury).toBe((4n * PRICE * 150n) / 10_000n);
    // Below 1% it is refused, with 1% as the lowest acceptable.
    const tooLow = editionParams(system, { feeBps: 99 });
    await expectRevert(collect(tooLow, await signEdition(system, tooLow)), "FeeNotAccepted", [100n, 99n]);
  });
});

describe("The signature window (SIGNATURE_LIFETIME)", () => {
  let system: System;
  let zeroFrom: bigint;
  let raisedAt: bigint;

  // The fee was 2.5% at deployment, 0 from `zeroFrom` for ten days, then 2.5% again from `raisedAt`.
  const loadHistory = fixture(async () => {
    const system = await deploySystem();
    await increaseTime(DAY);
    const zero = await receiptOf(await system.factory.write.setFee([0, system.treasury.account.address]));
    await increaseTime(10n * DAY);
    const raised = await receiptOf(await system.factory.write.setFee([FEE_BPS, system.treasury.account.address]));
    const time = async (blockNumber: bigint) => (await system.publicClient.getBlock({ blockNumber })).timestamp;
    return { system, zeroFrom: await time(zero.blockNumber), raisedAt: await time(raised.blockNumber) };
  });

  beforeEach(async () => {
    ({ system, zeroFrom, raisedAt } = await loadHistory());
  });

  const freeOfFees = (n: number) => editionParams(system, { feeBps: 0, contentId: bytes32(0x60 + n) });

  async function collect(params: EditionParams, auth: { author: Hex; salt: Hex; deadline: bigint; signature: Hex }) {
    const factory = await factoryAs(system, system.alice);
    return factory.write.createWithSignature([params, auth, system.bob.account.address, 1n, zeroAddress, ""], {
      value: params.price,
    });
  }

  it("reports the lowest fee in effect since a time", async () => {
    const { factory } = system;
    expect(await factory.read.SIGNATURE_LIFETIME()).toBe(LIFETIME);
    expect(await factory.read.lowestFeeSince([0n])).toBe(0n);
    expect(await factory.read.lowestFeeSince([zeroFrom - 1n])).toBe(0n);
    expect(await factory.read.lowestFeeSince([zeroFrom])).toBe(0n);
    expect(await factory.read.lowestFeeSince([raisedAt - 1n])).toBe(0n);
    expect(await factory.read.lowestFeeSince([raisedAt])).toBe(BigInt(FEE_BPS));
    expect(await factory.read.lowestFeeSince([await latestTimestamp()])).toBe(BigInt(FEE_BPS));
    expect(await factory.read.lowestFeeSince([2n ** 255n])).toBe(BigInt(FEE_BPS));
  });

  it("honours a signed fee of 0 while the zero fee lies within the window", async () => {
    await increaseTime(200n * DAY);
    const params = freeOfFees(1);
    const auth = await signEdition(system, params);
    expect(auth.deadline - LIFETIME).toBeLessThan(raisedAt);
    await receiptOf(await collect(params, auth));
    const edition = await editionAt(await system.factory.read.predictAddress([auth.author, params]));
    expect(await edition.read.feeBps()).toBe(0n);
  });

  it("counts the fee in effect at the window's first second, and nothing before it", async () => {
    // Near the end of the window of a signature made just before the fee went back up.
    await increaseTime(LIFETIME - 10n * DAY);
    expect(await latestTimestamp()).toBeLessThan(raisedAt + LIFETIME - 1n);

    // Window from raisedAt - 1: the zero fee was still in effect then.
    const inside = freeOfFees(2);
    const insideAuth = await signEdition(system, inside, { deadline: raisedAt - 1n + LIFETIME });
    await receiptOf(await collect(inside, insideAuth));
    expect(
      await (await editionAt(await system.factory.read.predictAddress([insideAuth.author, inside]))).read.feeBps()
    ).toBe(0n);

    // Window from raisedAt: the fee was 2.5% from then on.
    const outside = freeOfFees(3);
    const outsideAuth = await signEdition(system, outside, { deadline: raisedAt + LIFETIME });
    await expectRevert(collect(outside, outsideAuth), "FeeNotAccepted", [BigInt(FEE_BPS), 0n]);
  });

  it("refuses a signed fee of 0 once the zero fee has left every window", async () => {
    await increaseTime(LIFETIME + DAY);
    const params = freeOfFees(4);
    const auth = await signEdition(system, params);
    await expectRevert(collect(params, auth), "FeeNotAccepted", [BigInt(FEE_BPS), 0n]);
    // A far deadline does not stretch the window back: it starts LIFETIME before the deadline.
    const far = await signEdition(system, params, { deadline: (await latestTimestamp()) + 5n * LIFETIME });
    await expectRevert(collect(params, far), "FeeNotAccepted", [BigInt(FEE_BPS), 0n]);
    // The terms' fee at the current rate is fine.
    const current = editionParams(system, { contentId: bytes32(0x64) });
    await receiptOf(await collect(current, await signEdition(system, current)));
  });

  it("checks the window only on creation: an edition created at 0 keeps selling at 0", async () => {
    const params = freeOfFees(5);
    const auth = await signEdition(system, params);
    await receiptOf(await collect(params, auth));
    await increaseTime(2n * LIFETIME);
    // Past the deadline and the window, the same call just buys.
    await receiptOf(await collect(params, auth));
    const edition = await editionAt(await system.factory.read.predictAddress([auth.author, params]));
    expect(await edition.read.totalSupply()).toBe(2n);
    expect(await edition.read.feeBps()).toBe(0n);
  });
});
