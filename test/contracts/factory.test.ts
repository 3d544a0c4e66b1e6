import hre from "hardhat";
import { getAddress, hashTypedData, zeroAddress } from "viem";
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

  it("transfers ownership in two steps", async () => {
    await system.factory.write.transferOwnership([system.alice.account.address]);
    expect(await system.factory.read.owner()).toBe(addressOf(system.platform));
    await (await factoryAs(system, system.alice)).write.acceptOwnership();
    expect(await system.factory.read.owner()).toBe(addressOf(system.alice));
    await expectRevert(system.factory.write.setFee([0, system.treasury.account.address]), "OwnableUnauthorizedAccount");
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
    // EIP-1167 proxy (45 bytes) + packed arguments (128 bytes + name + symbol with length bytes).
    expect((code!.length - 2) / 2).toBe(45 + 128 + 2 + params.name.length + params.symbol.length);
    expect(code!.slice(2, 22)).toBe("363d3d373d3d3d363d73");

    const [event] = eventsNamed(system.factory.abi, receipt.logs, "EditionCreated");
    expect(event?.args).toEqual({
      edition: address,
      author: addressOf(system.author),
      contentId: params.contentId,
      params: { ...params, fundingRecipient: getAddress(params.fundingRecipient) },
      salt: salt(1),
    });

    expect(await edition.read.owner()).toBe(addressOf(system.author));
    expect(await edition.read.name()).toBe(params.name);
    expect(await edition.read.symbol()).toBe(params.symbol);
    expect(await edition.read.contentId()).toBe(params.contentId);
    expect(await edition.read.metadataId()).toBe(params.metadataId);
    expect(await edition.read.price()).toBe(PRICE);
    expect(await edition.read.limit()).toBe(100n);
    expect(await edition.read.fundingRecipient()).toBe(addressOf(system.funding));
    expect(await edition.read.feeBps()).toBe(BigInt(FEE_BPS));
    expect(await edition.read.factory()).toBe(getAddress(system.factory.address));
    expect(await edition.read.totalSupply()).toBe(0n);
  });

  it("binds the address to the author, the terms and the salt", async () => {
    const params = editionParams(system);
    const author = system.author.account.address;
    const predict = (who: `0x${string}`, p: typeof params, s: `0x${string}`) =>
      system.factory.read.predictAddress([who, p, s]);
    const base = await predict(author, params, salt(1));
    expect(await predict(author, params, salt(1))).toBe(base);
    expect(await predict(system.alice.account.address, params, salt(1))).not.toBe(base);
    expect(await predict(author, params, salt(2))).not.toBe(base);
    expect(await predict(author, { ...params, price: PRICE + 1n }, salt(1))).not.toBe(base);

    // The same terms and salt from another author give that author their own edition.
    await createEdition(system);
    const asAlice = await factoryAs(system, system.alice);
    await receiptOf(await asAlice.write.create([params, salt(1)]));
    const alicesEdition = await predict(system.alice.account.address, params, salt(1));
    expect(await (await editionAt(alicesEdition)).read.owner()).toBe(addressOf(system.alice));
  });

  it("cannot create the same edition twice", async () => {
    await createEdition(system);
    await expectRevert(createEdition(system), "FailedDeployment");
  });

  it("requires the author to accept the current fee", async () => {
    await expectRevert(createEdition(system, { feeBps: 0 }), "FeeMismatch", [BigInt(FEE_BPS), 0n]);
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
    const later = await createEdition(system, { feeBps: 100 }, salt(2));
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
    options: { value?: bigint; factory?: `0x${string}` } = {}
  ) {
    const factory = await hre.viem.getContractAt("WritingEditionsFactory", options.factory ?? system.factory.address, {
      client: { wallet: system.alice },
    });
    return factory.write.createWithSignature([params, auth, system.bob.account.address, MESSAGE], {
      value: options.value ?? params.price,
    });
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
      "1",
      31337n,
      getAddress(system.factory.address),
    ]);
  });

  it("deploys the signed edition and sells token 1 in one transaction", async () => {
    const params = editionParams(system);
    const auth = await signEdition(system, params);
    const predicted = await system.factory.read.predictAddress([auth.author, params, auth.salt]);
    const receipt = await receiptOf(await collect(params, auth));

    const edition = await editionAt(predicted);
    const [created] = eventsNamed(system.factory.abi, receipt.logs, "EditionCreated");
    expect(created?.args.edition).toBe(predicted);
    expect(created?.args.author).toBe(addressOf(system.author));
    const [purchased] = eventsNamed(edition.abi, receipt.logs, "Purchased");
    expect(purchased?.args).toEqual({ tokenId: 1n, recipient: addressOf(system.bob), price: PRICE, message: MESSAGE });
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
    const edition = await editionAt(await system.factory.read.predictAddress([auth.author, params, auth.salt]));
    expect(await edition.read.totalSupply()).toBe(2n);
    expect(await edition.read.ownerOf([2n])).toBe(addressOf(system.bob));
  });

  it("reverts when the value is not the price, creating nothing", async () => {
    const params = editionParams(system);
    const auth = await signEdition(system, params);
    await expectRevert(collect(params, auth, { value: PRICE - 1n }), "IncorrectPayment", [PRICE, PRICE - 1n]);
    const predicted = await system.factory.read.predictAddress([auth.author, params, auth.salt]);
    expect(await system.publicClient.getCode({ address: predicted })).toBeUndefined();
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

  it("rejects a signature made under a fee the platform has since changed", async () => {
    const params = editionParams(system);
    const auth = await signEdition(system, params);
    await system.factory.write.setFee([300, system.treasury.account.address]);
    await expectRevert(collect(params, auth), "FeeMismatch", [300n, BigInt(FEE_BPS)]);
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
    const edition = await editionAt(await system.factory.read.predictAddress([wallet.address, params, auth.salt]));
    expect(await edition.read.owner()).toBe(getAddress(wallet.address));
    expect(await edition.read.ownerOf([1n])).toBe(addressOf(system.bob));
  });
});
