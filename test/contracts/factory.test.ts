import hre from "hardhat";
import { getAddress, hashTypedData, parseEventLogs, stringToHex, toEventSelector, zeroAddress } from "viem";
import { beforeEach, describe, expect, it } from "vitest";
import { editionTypedData } from "../../contracts/typed-data";
import {
  FEE_BPS,
  MESSAGE,
  PRICE,
  type System,
  addressOf,
  balanceOf,
  bytes32,
  createEdition,
  deploySystem,
  editionAt,
  editionParams,
  eventsNamed,
  expectRevert,
  factoryAs,
  fixture,
  latestTimestamp,
  packedArgs,
  receiptOf,
  salt,
  signEdition,
} from "./fixtures";

const loadSystem = fixture(() => deploySystem());

describe("WritingEditionsFactory: deployment and fee", () => {
  let system: System;
  beforeEach(async () => {
    system = await loadSystem();
  });

  it("starts with the owner, fee and recipient it was given, and deploys the implementation", async () => {
    const { factory } = system;
    expect(await factory.read.owner()).toBe(addressOf(system.platform));
    expect(await factory.read.feeBps()).toBe(FEE_BPS);
    expect(await factory.read.feeRecipient()).toBe(addressOf(system.treasury));
    expect(await factory.read.MAX_FEE_BPS()).toBe(500n);
    const implementation = await factory.read.implementation();
    expect(await system.publicClient.getCode({ address: implementation })).toMatch(/^0x[0-9a-f]{1000,}/);
    expect(await (await editionAt(implementation)).read.factory()).toBe(getAddress(factory.address));
  });

  it("refuses a fee above 5% or a zero fee recipient at deployment", async () => {
    const owner = system.platform.account.address;
    await expectRevert(hre.viem.deployContract("WritingEditionsFactory", [owner, 501, owner]), "FeeTooHigh", [501n]);
    await expectRevert(hre.viem.deployContract("WritingEditionsFactory", [owner, 0, zeroAddress]), "ZeroAddress");
  });

  it("lets the owner change the fee and recipient, with an event", async () => {
    const receipt = await receiptOf(await system.factory.write.setFee([500, system.carol.account.address]));
    expect(await system.factory.read.feeBps()).toBe(500);
    expect(await system.factory.read.feeRecipient()).toBe(addressOf(system.carol));
    const [event] = eventsNamed(system.factory.abi, receipt.logs, "FeeChanged");
    expect(event?.args).toEqual({ feeBps: 500n, feeRecipient: addressOf(system.carol) });
  });

  it("rejects fee changes from others, above the cap, or to the zero address", async () => {
    const asAlice = await factoryAs(system, system.alice);
    await expectRevert(asAlice.write.setFee([0, system.alice.account.address]), "OwnableUnauthorizedAccount", [
      addressOf(system.alice),
    ]);
    await expectRevert(system.factory.write.setFee([501, system.treasury.account.address]), "FeeTooHigh", [501n]);
    await expectRevert(system.factory.write.setFee([0, zeroAddress]), "ZeroAddress");
    expect(await system.factory.read.feeBps()).toBe(FEE_BPS);
  });

  it("transfers ownership in two steps: the old owner keeps the fee until the new one accepts", async () => {
    const [platform, alice, bob] = [addressOf(system.platform), addressOf(system.alice), addressOf(system.bob)];
    const asAlice = await factoryAs(system, system.alice);
    await expectRevert(asAlice.write.transferOwnership([alice]), "OwnableUnauthorizedAccount", [alice]);

    const receipt = await receiptOf(await system.factory.write.transferOwnership([alice]));
    expect(eventsNamed(system.factory.abi, receipt.logs, "OwnershipTransferStarted").map((e) => e.args)).toEqual([
      { previousOwner: platform, newOwner: alice },
    ]);
    expect(await system.factory.read.owner()).toBe(platform);
    expect(await system.factory.read.pendingOwner()).toBe(alice);

    // Until it accepts, the pending owner is nobody; the old owner still sets the fee.
    await expectRevert(asAlice.write.setFee([100, alice]), "OwnableUnauthorizedAccount", [alice]);
    await receiptOf(await system.factory.write.setFee([300, system.treasury.account.address]));
    expect(await system.factory.read.feeBps()).toBe(300);
    // Nobody else can accept.
    await expectRevert((await factoryAs(system, system.bob)).write.acceptOwnership(), "OwnableUnauthorizedAccount", [
      bob,
    ]);

    const accepted = await receiptOf(await asAlice.write.acceptOwnership());
    expect(eventsNamed(system.factory.abi, accepted.logs, "OwnershipTransferred").map((e) => e.args)).toEqual([
      { previousOwner: platform, newOwner: alice },
    ]);
    expect(await system.factory.read.owner()).toBe(alice);
    expect(await system.factory.read.pendingOwner()).toBe(zeroAddress);
    await expectRevert(
      system.factory.write.setFee([0, system.treasury.account.address]),
      "OwnableUnauthorizedAccount",
      [platform]
    );
    await receiptOf(await asAlice.write.setFee([100, alice]));
    expect(await system.factory.read.feeBps()).toBe(100);
    expect(await system.factory.read.feeRecipient()).toBe(alice);
  });

  it("lets the owner withdraw an offer of ownership before it is accepted", async () => {
    await system.factory.write.transferOwnership([system.alice.account.address]);
    await system.factory.write.transferOwnership([zeroAddress]);
    expect(await system.factory.read.pendingOwner()).toBe(zeroAddress);
    await expectRevert((await factoryAs(system, system.alice)).write.acceptOwnership(), "OwnableUnauthorizedAccount", [
      addressOf(system.alice),
    ]);
    expect(await system.factory.read.owner()).toBe(addressOf(system.platform));
  });
});

describe("WritingEditionsFactory: create", () => {
  let system: System;
  beforeEach(async () => {
    system = await loadSystem();
  });

  it("deploys a clone at the predicted address carrying every parameter, and announces it", async () => {
    const { params, address, receipt, edition } = await createEdition(system, { limit: 100n });
    const code = await system.publicClient.getCode({ address });
    // EIP-1167 proxy (45 bytes) + packed arguments (130 bytes + name + symbol with length bytes).
    expect((code!.length - 2) / 2).toBe(45 + 130 + 2 + params.name.length + params.symbol.length);
    expect(code!.slice(2, 22)).toBe("363d3d373d3d3d363d73");
    expect(`0x${code!.slice(2 + 90)}`).toBe(packedArgs(system.author.account.address, params));

    const events = eventsNamed(system.factory.abi, receipt.logs, "EditionCreated");
    expect(events.map((e) => e.args)).toEqual([
      {
        edition: address,
        author: addressOf(system.author),
        contentId: params.contentId,
        args: packedArgs(system.author.account.address, params),
        feeBps: BigInt(FEE_BPS),
      },
    ]);

    expect(await edition.read.owner()).toBe(addressOf(system.author));
    expect(await edition.read.name()).toBe(params.name);
    expect(await edition.read.symbol()).toBe(params.symbol);
    expect(await edition.read.contentId()).toBe(params.contentId);
    expect(await edition.read.metadataId()).toBe(params.metadataId);
    expect(await edition.read.price()).toBe(PRICE);
    expect(await edition.read.limit()).toBe(100n);
    expect(await edition.read.fundingRecipient()).toBe(addressOf(system.funding));
    expect(await edition.read.feeBps()).toBe(BigInt(FEE_BPS));
    expect(await edition.read.referralBps()).toBe(0n);
    expect(await edition.read.factory()).toBe(getAddress(system.factory.address));
    expect(await edition.read.totalSupply()).toBe(0n);
    expect(await edition.read.pendingPayments()).toEqual([0n, 0n, 0n]);
  });

  it("carries the referral share in the terms and the announcement", async () => {
    const { params, address, receipt, edition } = await createEdition(system, { referralBps: 1_234 });
    expect(await edition.read.referralBps()).toBe(1_234n);
    const [event] = eventsNamed(system.factory.abi, receipt.logs, "EditionCreated");
    expect(event?.args.args).toBe(packedArgs(system.author.account.address, params));
    expect(address).not.toBe(
      await system.factory.read.predictAddress([system.author.account.address, editionParams(system)])
    );
  });

  it("binds the address to the author and the terms alone", async () => {
    const params = editionParams(system);
    const author = system.author.account.address;
    const predict = (who: `0x${string}`, p: typeof params) => system.factory.read.predictAddress([who, p]);
    const base = await predict(author, params);
    expect(await predict(author, { ...params })).toBe(base);
    expect(await predict(system.alice.account.address, params)).not.toBe(base);
    const changes: Partial<typeof params>[] = [
      { name: `${params.name}.` },
      { symbol: "ESSAY2" },
      { contentId: bytes32(0x21) },
      { metadataId: bytes32(0x22) },
      { price: PRICE + 1n },
      { limit: 1n },
      { fundingRecipient: system.carol.account.address },
      { royaltyBps: 999 },
      { feeBps: FEE_BPS + 1 },
      { referralBps: 1 },
    ];
    const seen = new Set([base]);
    for (const change of changes) {
      const other = await predict(author, { ...params, ...change });
      expect(
        seen.has(other),
        JSON.stringify(change, (_, v) => (typeof v === "bigint" ? `${v}` : v))
      ).toBe(false);
      seen.add(other);
    }

    // The same terms from another author give that author their own edition.
    const mine = await createEdition(system);
    expect(mine.address).toBe(base);
    const asAlice = await factoryAs(system, system.alice);
    await receiptOf(await asAlice.write.create([params]));
    const alicesEdition = await predict(system.alice.account.address, params);
    expect(await (await editionAt(alicesEdition)).read.owner()).toBe(addressOf(system.alice));
    expect(await mine.edition.read.owner()).toBe(addressOf(system.author));
  });

  it("cannot create the same edition twice", async () => {
    await createEdition(system);
    await expectRevert(createEdition(system), "FailedDeployment");
    // Nor after a fee change that leaves the terms acceptable.
    await system.factory.write.setFee([100, system.treasury.account.address]);
    await expectRevert(createEdition(system), "FailedDeployment");
  });

  it("requires the author to accept at least the current fee", async () => {
    await expectRevert(createEdition(system, { feeBps: 0 }), "FeeNotAccepted", [BigInt(FEE_BPS), 0n]);
    await expectRevert(createEdition(system, { feeBps: FEE_BPS - 1 }), "FeeNotAccepted", [
      BigInt(FEE_BPS),
      BigInt(FEE_BPS - 1),
    ]);
    // A direct creation is not a signature: an old, lower fee does not count.
    await system.factory.write.setFee([100, system.treasury.account.address]);
    await system.factory.write.setFee([FEE_BPS, system.treasury.account.address]);
    await expectRevert(createEdition(system, { feeBps: 100 }), "FeeNotAccepted", [BigInt(FEE_BPS), 100n]);
  });

  it("takes the current fee when the terms accept a higher one, and says so", async () => {
    const { params, receipt, edition, address } = await createEdition(system, { feeBps: 500 });
    expect(await edition.read.feeBps()).toBe(BigInt(FEE_BPS));
    const [event] = eventsNamed(system.factory.abi, receipt.logs, "EditionCreated");
    expect(event?.args).toEqual({
      edition: address,
      author: addressOf(system.author),
      contentId: params.contentId,
      // The terms as the author gave them; the fee taken beside them.
      args: packedArgs(system.author.account.address, params),
      feeBps: BigInt(FEE_BPS),
    });

    // Withdrawals split at the fee taken, not the terms'.
    await (
      await editionAt(address, system.alice)
    ).write.purchase([system.alice.account.address, ""], {
      value: PRICE,
    });
    const treasuryBefore = await balanceOf(system.treasury.account.address);
    await edition.write.withdraw();
    expect((await balanceOf(system.treasury.account.address)) - treasuryBefore).toBe(
      (PRICE * BigInt(FEE_BPS)) / 10_000n
    );
  });

  it("rejects terms with a fee above 5% or a referral share above 50%", async () => {
    await expectRevert(createEdition(system, { feeBps: 501 }), "FeeTooHigh", [501n]);
    await expectRevert(createEdition(system, { feeBps: 65_535 }), "FeeTooHigh", [65_535n]);
    expect(await system.factory.read.MAX_REFERRAL_BPS()).toBe(5_000n);
    await expectRevert(createEdition(system, { referralBps: 5_001 }), "ReferralTooHigh", [5_001n]);
    await expectRevert(createEdition(system, { referralBps: 10_000 }), "ReferralTooHigh", [10_000n]);
    const { edition } = await createEdition(system, { referralBps: 5_000, feeBps: 500 });
    expect(await edition.read.referralBps()).toBe(5_000n);
  });

  it("rejects royalties above 100%, a zero funding recipient and over-long names", async () => {
    await expectRevert(createEdition(system, { royaltyBps: 10_001 }), "RoyaltyTooHigh", [10_001n]);
    await expectRevert(createEdition(system, { fundingRecipient: zeroAddress }), "ZeroAddress");
    await expectRevert(createEdition(system, { name: "n".repeat(256) }), "NameOrSymbolTooLong", [256n]);
    await expectRevert(createEdition(system, { symbol: "s".repeat(300) }), "NameOrSymbolTooLong", [300n]);
  });

  it("stores names and symbols up to 255 bytes, including non-ASCII text", async () => {
    const name = `Über ${"é".repeat(124)}!`; // 255 bytes of UTF-8
    expect(new TextEncoder().encode(name).length).toBe(255);
    const { edition } = await createEdition(system, { name, symbol: "" });
    expect(await edition.read.name()).toBe(name);
    expect(await edition.read.symbol()).toBe("");
  });

  it("fixes the fee per edition at creation; the recipient follows the factory", async () => {
    const { edition } = await createEdition(system);
    await system.factory.write.setFee([100, system.carol.account.address]);
    expect(await edition.read.feeBps()).toBe(BigInt(FEE_BPS));
    const later = await createEdition(system, { feeBps: 100 });
    expect(await later.edition.read.feeBps()).toBe(100n);
    // The old edition's fee rate does not follow the factory's, up or down.
    await system.factory.write.setFee([500, system.carol.account.address]);
    expect(await edition.read.feeBps()).toBe(BigInt(FEE_BPS));
    expect(await later.edition.read.feeBps()).toBe(100n);
  });
});

describe("WritingEditionsFactory: createWithSignature (lazy creation)", () => {
  let system: System;
  beforeEach(async () => {
    system = await loadSystem();
  });

  async function collect(
    params: ReturnType<typeof editionParams>,
    auth: Awaited<ReturnType<typeof signEdition>>,
    options: {
      value?: bigint;
      factory?: `0x${string}`;
      quantity?: bigint;
      referrer?: `0x${string}`;
      message?: string;
    } = {}
  ) {
    const factory = await hre.viem.getContractAt("WritingEditionsFactory", options.factory ?? system.factory.address, {
      client: { wallet: system.alice },
    });
    const quantity = options.quantity ?? 1n;
    return factory.write.createWithSignature(
      [params, auth, system.bob.account.address, quantity, options.referrer ?? zeroAddress, options.message ?? MESSAGE],
      { value: options.value ?? params.price * quantity }
    );
  }

  it("matches viem's EIP-712 digest", async () => {
    const params = editionParams(system);
    const deadline = 1_900_000_000n;
    const expected = hashTypedData(
      editionTypedData({
        chainId: await system.publicClient.getChainId(),
        factory: system.factory.address,
        author: system.author.account.address,
        params,
        salt: salt(7),
        deadline,
      })
    );
    expect(await system.factory.read.editionDigest([system.author.account.address, params, salt(7), deadline])).toBe(
      expected
    );
    const [, name, version, chainId, verifyingContract] = await system.factory.read.eip712Domain();
    expect([name, version, chainId, verifyingContract]).toEqual([
      "WritingEditionsFactory",
      "2",
      31337n,
      getAddress(system.factory.address),
    ]);
  });

  it("deploys the signed edition and sells token 1 in one transaction", async () => {
    const params = editionParams(system);
    const auth = await signEdition(system, params);
    const predicted = await system.factory.read.predictAddress([auth.author, params]);
    const factory = await factoryAs(system, system.alice);
    const { result } = await factory.simulate.createWithSignature(
      [params, auth, system.bob.account.address, 1n, zeroAddress, MESSAGE],
      { value: PRICE }
    );
    expect(result).toEqual([predicted, 1n]);
    const receipt = await receiptOf(await collect(params, auth));

    const edition = await editionAt(predicted);
    expect(eventsNamed(system.factory.abi, receipt.logs, "EditionCreated").map((e) => e.args)).toEqual([
      {
        edition: predicted,
        author: addressOf(system.author),
        contentId: params.contentId,
        args: packedArgs(system.author.account.address, params),
        feeBps: BigInt(FEE_BPS),
      },
    ]);
    expect(eventsNamed(edition.abi, receipt.logs, "Transfer").map((e) => e.args)).toEqual([
      { from: zeroAddress, to: addressOf(system.bob), tokenId: 1n },
    ]);
    const transferTopic = toEventSelector("Transfer(address,address,uint256)");
    expect(receipt.logs.find((log) => log.topics[0] === transferTopic)?.data).toBe(stringToHex(MESSAGE));
    expect(await edition.read.owner()).toBe(addressOf(system.author));
    expect(await edition.read.ownerOf([1n])).toBe(addressOf(system.bob));
    expect(await balanceOf(predicted)).toBe(PRICE);
  });

  it("just buys when the same call is replayed after creation, even past the deadline", async () => {
    const params = editionParams(system);
    const auth = await signEdition(system, params);
    await receiptOf(await collect(params, auth));
    const testClient = await hre.viem.getTestClient();
    await testClient.increaseTime({ seconds: 7200 });

    const receipt = await receiptOf(await collect(params, auth));
    expect(eventsNamed(system.factory.abi, receipt.logs, "EditionCreated")).toHaveLength(0);
    const edition = await editionAt(await system.factory.read.predictAddress([auth.author, params]));
    expect(await edition.read.totalSupply()).toBe(2n);
    expect(await edition.read.ownerOf([2n])).toBe(addressOf(system.bob));
  });

  it("reverts when the value is not the price, creating nothing", async () => {
    const params = editionParams(system);
    const auth = await signEdition(system, params);
    await expectRevert(collect(params, auth, { value: PRICE - 1n }), "IncorrectPayment", [PRICE, PRICE - 1n]);
    await expectRevert(collect(params, auth, { quantity: 0n, value: 0n }), "InvalidQuantity", [0n]);
    await expectRevert(collect(params, auth, { quantity: 51n }), "InvalidQuantity", [51n]);
    const predicted = await system.factory.read.predictAddress([auth.author, params]);
    expect(await system.publicClient.getCode({ address: predicted })).toBeUndefined();
    expect(await system.factory.read.isEdition([predicted])).toBe(false);
  });

  it("rejects tampered terms, a substituted author and a signature by someone else", async () => {
    const params = editionParams(system);
    const auth = await signEdition(system, params);
    await expectRevert(collect({ ...params, price: 1n }, auth), "InvalidSignature");
    await expectRevert(
      collect({ ...params, fundingRecipient: system.alice.account.address }, auth),
      "InvalidSignature"
    );
    await expectRevert(collect({ ...params, limit: 1n }, auth), "InvalidSignature");
    await expectRevert(collect({ ...params, referralBps: 5_000 }, auth), "InvalidSignature");
    await expectRevert(collect({ ...params, feeBps: 500 }, auth), "InvalidSignature");
    await expectRevert(collect(params, { ...auth, salt: salt(8) }), "InvalidSignature");
    await expectRevert(collect(params, { ...auth, author: system.alice.account.address }), "InvalidSignature");
    await expectRevert(collect(params, { ...auth, deadline: auth.deadline + 1n }), "InvalidSignature");
    const forged = await signEdition(system, params, { signer: system.alice });
    await expectRevert(collect(params, { ...forged, author: auth.author }), "InvalidSignature");
    await expectRevert(collect(params, { ...auth, signature: "0x" }), "InvalidSignature");
  });

  it("rejects a signature replayed on another factory", async () => {
    const params = editionParams(system);
    const auth = await signEdition(system, params);
    const other = await hre.viem.deployContract("WritingEditionsFactory", [
      system.platform.account.address,
      FEE_BPS,
      system.treasury.account.address,
    ]);
    await expectRevert(collect(params, auth, { factory: other.address }), "InvalidSignature");
  });

  it("accepts a signature until its deadline's second, and not after", async () => {
    const params = editionParams(system);
    const deadline = (await latestTimestamp()) + 100n;
    const auth = await signEdition(system, params, { deadline });
    const testClient = await hre.viem.getTestClient();

    await testClient.setNextBlockTimestamp({ timestamp: deadline + 1n });
    await expectRevert(collect(params, auth), "SignatureExpired", [deadline]);

    const reusable = await signEdition(system, params, { deadline: deadline + 100n, salt: salt(8) });
    await testClient.setNextBlockTimestamp({ timestamp: deadline + 100n });
    await receiptOf(await collect(params, reusable));
  });

  it("rejects signatures the author cancelled", async () => {
    const params = editionParams(system);
    const auth = await signEdition(system, params);
    const asAuthor = await factoryAs(system, system.author);
    const receipt = await receiptOf(await asAuthor.write.cancelSignature([auth.salt]));
    const [event] = eventsNamed(system.factory.abi, receipt.logs, "SignatureCancelled");
    expect(event?.args).toEqual({ author: addressOf(system.author), salt: auth.salt });
    expect(await system.factory.read.isCancelled([auth.author, auth.salt])).toBe(true);
    expect(await system.factory.read.isCancelled([system.alice.account.address, auth.salt])).toBe(false);
    await expectRevert(collect(params, auth), "SignatureWasCancelled", [addressOf(system.author), auth.salt]);
  });

  it("sells several copies and credits the referrer in the creating call", async () => {
    const params = editionParams(system, { referralBps: 2_000 });
    const auth = await signEdition(system, params);
    const total = 3n * PRICE;
    const receipt = await receiptOf(
      await collect(params, auth, { quantity: 3n, referrer: system.carol.account.address, message: "" })
    );
    const address = await system.factory.read.predictAddress([auth.author, params]);
    const edition = await editionAt(address);
    const names = parseEventLogs({ abi: [...system.factory.abi, ...edition.abi], logs: receipt.logs }).map(
      (log) => log.eventName
    );
    expect(names).toEqual(["EditionCreated", "Transfer", "Transfer", "Transfer", "Referred"]);
    expect(eventsNamed(edition.abi, receipt.logs, "Referred").map((e) => e.args)).toEqual([
      { referrer: addressOf(system.carol), reward: (total * 2_000n) / 10_000n },
    ]);
    for (const id of [1n, 2n, 3n]) expect(await edition.read.ownerOf([id])).toBe(addressOf(system.bob));
    expect(await edition.read.referralCredit([system.carol.account.address])).toBe((total * 2_000n) / 10_000n);
    expect(await balanceOf(address)).toBe(total);
  });

  it("sells from an edition the author already created directly, without checking any signature", async () => {
    const params = editionParams(system);
    const { address } = await createEdition(system);
    const auth = await signEdition(system, params);
    await receiptOf(await collect(params, { ...auth, signature: "0x" }, { quantity: 2n }));
    const edition = await editionAt(address);
    expect(await edition.read.ownerOf([2n])).toBe(addressOf(system.bob));
    expect(await edition.read.totalSupply()).toBe(2n);
  });

  it("gives two signatures of the same terms one edition", async () => {
    const params = editionParams(system);
    const first = await signEdition(system, params, { salt: salt(1) });
    const second = await signEdition(system, params, { salt: salt(2) });
    await receiptOf(await collect(params, first));
    const receipt = await receiptOf(await collect(params, second));
    expect(eventsNamed(system.factory.abi, receipt.logs, "EditionCreated")).toHaveLength(0);
    const edition = await editionAt(await system.factory.read.predictAddress([system.author.account.address, params]));
    expect(await edition.read.totalSupply()).toBe(2n);
  });

  it("creates nothing when the purchase in the same call fails", async () => {
    const params = editionParams(system, { limit: 2n });
    const auth = await signEdition(system, params);
    const predicted = await system.factory.read.predictAddress([auth.author, params]);
    await expectRevert(collect(params, auth, { quantity: 3n }), "SoldOut", [2n]);
    await expectRevert(collect(params, auth, { quantity: 2n, value: PRICE }), "IncorrectPayment", [2n * PRICE, PRICE]);
    const asAlice = await factoryAs(system, system.alice);
    await expectRevert(
      asAlice.write.createWithSignature([params, auth, zeroAddress, 1n, zeroAddress, ""], { value: PRICE }),
      "ERC721InvalidReceiver",
      [zeroAddress]
    );
    expect(await system.publicClient.getCode({ address: predicted })).toBeUndefined();
    // The signature is still good.
    await receiptOf(await collect(params, auth, { quantity: 2n }));
    expect(await (await editionAt(predicted)).read.totalSupply()).toBe(2n);
  });

  it("rejects signed terms with a fee above 5% or a referral share above 50%", async () => {
    const tooHigh = editionParams(system, { feeBps: 501 });
    await expectRevert(collect(tooHigh, await signEdition(system, tooHigh)), "FeeTooHigh", [501n]);
    const greedy = editionParams(system, { referralBps: 5_001 });
    await expectRevert(collect(greedy, await signEdition(system, greedy)), "ReferralTooHigh", [5_001n]);
  });

  it("accepts an ERC-1271 wallet as author when the wallet approves the digest, and only then", async () => {
    const wallet = await hre.viem.deployContract("MockERC1271Wallet", [], { client: { wallet: system.author } });
    const params = editionParams(system, { contentId: bytes32(0x33) });
    const deadline = (await latestTimestamp()) + 3600n;
    const auth = { author: wallet.address, salt: salt(9), deadline, signature: "0x" as const };
    await expectRevert(collect(params, auth), "InvalidSignature");

    const digest = await system.factory.read.editionDigest([wallet.address, params, auth.salt, deadline]);
    await wallet.write.approve([digest]);
    await receiptOf(await collect(params, auth));
    const edition = await editionAt(await system.factory.read.predictAddress([wallet.address, params]));
    expect(await edition.read.owner()).toBe(getAddress(wallet.address));
    expect(await edition.read.ownerOf([1n])).toBe(addressOf(system.bob));
  });
});

describe("WritingEditionsFactory: isEdition", () => {
  const loadWithCloner = fixture(async () => {
    const system = await deploySystem();
    const cloner = await hre.viem.deployContract("LookAlikeCloner");
    return { system, cloner };
  });
  let system: System;
  let cloner: Awaited<ReturnType<typeof loadWithCloner>>["cloner"];

  beforeEach(async () => {
    ({ system, cloner } = await loadWithCloner());
  });

  /** Deploys a clone of the factory's implementation carrying `args`, outside the factory. */
  async function lookAlike(args: `0x${string}`, saltValue: `0x${string}` = salt(0)) {
    const implementation = await system.factory.read.implementation();
    const receipt = await receiptOf(await cloner.write.clone([implementation, args, saltValue]));
    const [event] = eventsNamed(cloner.abi, receipt.logs, "Cloned");
    return event!.args.clone as `0x${string}`;
  }

  it("recognises editions the factory created, directly or with a signature", async () => {
    const direct = await createEdition(system);
    expect(await system.factory.read.isEdition([direct.address])).toBe(true);

    const params = editionParams(system, { contentId: bytes32(0x44), referralBps: 100 });
    const auth = await signEdition(system, params);
    const asAlice = await factoryAs(system, system.alice);
    await receiptOf(
      await asAlice.write.createWithSignature([params, auth, system.alice.account.address, 1n, zeroAddress, ""], {
        value: PRICE,
      })
    );
    const lazy = await system.factory.read.predictAddress([auth.author, params]);
    expect(await system.factory.read.isEdition([lazy])).toBe(true);

    // One whose fee the factory lowered at creation, too (its code is the same terms).
    const lowered = await createEdition(system, { feeBps: 500 });
    expect(await system.factory.read.isEdition([lowered.address])).toBe(true);
  });

  it("rejects a look-alike clone of the implementation with the same terms, though it names the factory", async () => {
    const params = editionParams(system);
    const args = packedArgs(system.author.account.address, params);
    const impostor = await lookAlike(args);
    const fake = await editionAt(impostor);
    // Everything a marketplace would read says "edition of this factory"...
    expect(await fake.read.factory()).toBe(getAddress(system.factory.address));
    expect(await fake.read.owner()).toBe(addressOf(system.author));
    expect(await fake.read.name()).toBe(params.name);
    expect(await fake.read.contentId()).toBe(params.contentId);
    expect((await system.publicClient.getCode({ address: impostor }))?.slice(2 + 90)).toBe(args.slice(2));
    // ...except the factory.
    expect(await system.factory.read.isEdition([impostor])).toBe(false);

    // The genuine edition can still be created, at its own address, and only it is recognised.
    const genuine = await createEdition(system);
    expect(genuine.address).not.toBe(getAddress(impostor));
    expect(await system.factory.read.isEdition([genuine.address])).toBe(true);
    expect(await system.factory.read.isEdition([impostor])).toBe(false);

    // Another salt, or no arguments at all, does not help.
    expect(await system.factory.read.isEdition([await lookAlike(args, salt(1))])).toBe(false);
    expect(await system.factory.read.isEdition([await lookAlike("0x")])).toBe(false);
  });

  it("rejects accounts, the implementation, the factory and another factory's editions", async () => {
    const { factory } = system;
    for (const wallet of [system.author, system.alice]) {
      expect(await factory.read.isEdition([wallet.account.address])).toBe(false);
    }
    expect(await factory.read.isEdition([zeroAddress])).toBe(false);
    expect(await factory.read.isEdition([await factory.read.implementation()])).toBe(false);
    expect(await factory.read.isEdition([factory.address])).toBe(false);
    expect(await factory.read.isEdition([cloner.address])).toBe(false);
    // An address where an edition will be, before it exists.
    const future = await factory.read.predictAddress([system.author.account.address, editionParams(system)]);
    expect(await factory.read.isEdition([future])).toBe(false);

    const other = await hre.viem.deployContract("WritingEditionsFactory", [
      system.platform.account.address,
      FEE_BPS,
      system.treasury.account.address,
    ]);
    const asAuthor = await hre.viem.getContractAt("WritingEditionsFactory", other.address, {
      client: { wallet: system.author },
    });
    const params = editionParams(system);
    await receiptOf(await asAuthor.write.create([params]));
    const foreign = await other.read.predictAddress([system.author.account.address, params]);
    expect(await other.read.isEdition([foreign])).toBe(true);
    expect(await factory.read.isEdition([foreign])).toBe(false);
  });
});
