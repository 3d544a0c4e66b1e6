import {
  type Abi,
  type Hex,
  encodeAbiParameters,
  hexToBytes,
  parseAbiParameters,
  toEventSelector,
  zeroAddress,
} from "viem";
import { beforeEach, describe, expect, it } from "vitest";
import {
  MESSAGE,
  PRICE,
  type System,
  type Wallet,
  addressOf,
  balanceOf,
  bytes32,
  createEdition,
  deploySystem,
  editionAt,
  eventsNamed,
  expectRevert,
  fixture,
  receiptOf,
  salt,
} from "./fixtures";

const eventTopic = (abi: Abi, name: string) => {
  const item = abi.find((entry) => entry.type === "event" && entry.name === name);
  if (!item || item.type !== "event") throw new Error(`no event ${name}`);
  return toEventSelector(item);
};
const arweaveUri = (id: Hex) => `ar://${Buffer.from(hexToBytes(id)).toString("base64url")}`;

const loadOpenEdition = fixture(async () => {
  const system = await deploySystem();
  const created = await createEdition(system);
  return { system, ...created };
});

describe("WritingEditions: purchase", () => {
  let system: System;
  let address: `0x${string}`;
  const as = (wallet: Wallet) => editionAt(address, wallet);

  beforeEach(async () => {
    ({ system, address } = await loadOpenEdition());
  });

  it("mints consecutive ids to the recipient and emits Transfer and Purchased", async () => {
    const edition = await as(system.alice);
    const first = await receiptOf(
      await edition.write.purchase([system.alice.account.address, MESSAGE], { value: PRICE })
    );
    const second = await receiptOf(await edition.write.purchase([system.bob.account.address, ""], { value: PRICE }));

    expect(await edition.read.ownerOf([1n])).toBe(addressOf(system.alice));
    expect(await edition.read.ownerOf([2n])).toBe(addressOf(system.bob));
    expect(await edition.read.balanceOf([system.alice.account.address])).toBe(1n);
    expect(await edition.read.balanceOf([system.bob.account.address])).toBe(1n);
    expect(await edition.read.totalSupply()).toBe(2n);
    expect(await balanceOf(address)).toBe(2n * PRICE);

    expect(eventsNamed(edition.abi, first.logs, "Transfer").map((e) => e.args)).toEqual([
      { from: zeroAddress, to: addressOf(system.alice), tokenId: 1n },
    ]);
    expect(eventsNamed(edition.abi, first.logs, "Purchased").map((e) => e.args)).toEqual([
      { tokenId: 1n, recipient: addressOf(system.alice), price: PRICE, message: MESSAGE },
    ]);
    expect(eventsNamed(edition.abi, second.logs, "Purchased").map((e) => e.args)).toEqual([
      { tokenId: 2n, recipient: addressOf(system.bob), price: PRICE, message: "" },
    ]);
  });

  it("encodes messages of any length and script in Purchased", async () => {
    const edition = await as(system.alice);
    for (const message of ["x".repeat(31), "y".repeat(32), "z".repeat(33), "Merci 🙏 — ありがとう ".repeat(12)]) {
      const receipt = await receiptOf(
        await edition.write.purchase([system.alice.account.address, message], { value: PRICE })
      );
      const [event] = eventsNamed(edition.abi, receipt.logs, "Purchased");
      expect(event?.args.message).toBe(message);
      // Byte-exact standard ABI encoding, zero padding included (strict decoders check it).
      const log = receipt.logs.find((l) => l.topics[0] === eventTopic(edition.abi, "Purchased"));
      expect(log?.data).toBe(encodeAbiParameters(parseAbiParameters("uint256, string"), [PRICE, message]));
    }
  });

  it("takes exactly the price", async () => {
    const edition = await as(system.alice);
    const to = system.alice.account.address;
    await expectRevert(edition.write.purchase([to, MESSAGE], { value: PRICE - 1n }), "IncorrectPayment", [
      PRICE,
      PRICE - 1n,
    ]);
    await expectRevert(edition.write.purchase([to, MESSAGE], { value: PRICE + 1n }), "IncorrectPayment", [
      PRICE,
      PRICE + 1n,
    ]);
    await expectRevert(edition.write.purchase([to, MESSAGE]), "IncorrectPayment", [PRICE, 0n]);
    expect(await edition.read.totalSupply()).toBe(0n);
  });

  it("refuses the zero address as recipient", async () => {
    const edition = await as(system.alice);
    await expectRevert(edition.write.purchase([zeroAddress, MESSAGE], { value: PRICE }), "ERC721InvalidReceiver", [
      zeroAddress,
    ]);
  });

  it("sells free editions for nothing, and nothing else", async () => {
    const free = await createEdition(system, { price: 0n }, salt(2));
    const edition = await editionAt(free.address, system.alice);
    await receiptOf(await edition.write.purchase([system.alice.account.address, MESSAGE]));
    expect(await edition.read.ownerOf([1n])).toBe(addressOf(system.alice));
    await expectRevert(
      edition.write.purchase([system.alice.account.address, MESSAGE], { value: 1n }),
      "IncorrectPayment",
      [0n, 1n]
    );
  });

  it("stops at the initial limit", async () => {
    const limited = await createEdition(system, { limit: 2n }, salt(2));
    const edition = await editionAt(limited.address, system.alice);
    const to = system.alice.account.address;
    await edition.write.purchase([to, MESSAGE], { value: PRICE });
    await edition.write.purchase([to, MESSAGE], { value: PRICE });
    await expectRevert(edition.write.purchase([to, MESSAGE], { value: PRICE }), "SoldOut", [2n]);
    expect(await edition.read.totalSupply()).toBe(2n);
  });
});

describe("WritingEditions: author functions", () => {
  let system: System;
  let address: `0x${string}`;
  const as = (wallet: Wallet) => editionAt(address, wallet);

  beforeEach(async () => {
    ({ system, address } = await loadOpenEdition());
  });

  it("lets the author mint for free, counted in the supply", async () => {
    const edition = await as(system.author);
    const receipt = await receiptOf(await edition.write.ownerMint([system.carol.account.address]));
    expect(await edition.read.ownerOf([1n])).toBe(addressOf(system.carol));
    expect(await edition.read.totalSupply()).toBe(1n);
    expect(eventsNamed(edition.abi, receipt.logs, "Transfer").map((e) => e.args)).toEqual([
      { from: zeroAddress, to: addressOf(system.carol), tokenId: 1n },
    ]);
    await expectRevert(edition.write.ownerMint([zeroAddress]), "ERC721InvalidReceiver", [zeroAddress]);
  });

  it("keeps owner mints, limits and freezing to the author", async () => {
    const edition = await as(system.alice);
    const alice = addressOf(system.alice);
    await expectRevert(edition.write.ownerMint([alice]), "Unauthorized", [alice]);
    await expectRevert(edition.write.setLimit([5n]), "Unauthorized", [alice]);
    await expectRevert(edition.write.freezeLimit(), "Unauthorized", [alice]);
    // The funding recipient is not the author either.
    await expectRevert((await as(system.funding)).write.setLimit([5n]), "Unauthorized", [addressOf(system.funding)]);
  });

  it("lets the limit only go down, never below the supply, never to 0", async () => {
    const edition = await as(system.author);
    const buyer = await as(system.alice);
    for (let i = 0; i < 3; i++) await buyer.write.purchase([system.alice.account.address, MESSAGE], { value: PRICE });

    let receipt = await receiptOf(await edition.write.setLimit([10n]));
    expect(eventsNamed(edition.abi, receipt.logs, "LimitChanged").map((e) => e.args)).toEqual([
      { previousLimit: 0n, newLimit: 10n },
    ]);
    await expectRevert(edition.write.setLimit([10n]), "InvalidLimit", [10n, 10n, 3n]);
    await expectRevert(edition.write.setLimit([11n]), "InvalidLimit", [10n, 11n, 3n]);
    await expectRevert(edition.write.setLimit([0n]), "InvalidLimit", [10n, 0n, 3n]);
    await expectRevert(edition.write.setLimit([2n]), "InvalidLimit", [10n, 2n, 3n]);

    receipt = await receiptOf(await edition.write.setLimit([3n]));
    expect(eventsNamed(edition.abi, receipt.logs, "LimitChanged").map((e) => e.args)).toEqual([
      { previousLimit: 10n, newLimit: 3n },
    ]);
    expect(await edition.read.limit()).toBe(3n);
    await expectRevert(buyer.write.purchase([system.alice.account.address, MESSAGE], { value: PRICE }), "SoldOut", [
      3n,
    ]);
    await expectRevert(edition.write.ownerMint([system.alice.account.address]), "SoldOut", [3n]);
  });

  it("lowers an initial limit from the clone's arguments", async () => {
    const limited = await createEdition(system, { limit: 50n }, salt(2));
    const edition = await editionAt(limited.address, system.author);
    await expectRevert(edition.write.setLimit([50n]), "InvalidLimit", [50n, 50n, 0n]);
    const receipt = await receiptOf(await edition.write.setLimit([20n]));
    expect(eventsNamed(edition.abi, receipt.logs, "LimitChanged").map((e) => e.args)).toEqual([
      { previousLimit: 50n, newLimit: 20n },
    ]);
    expect(await edition.read.limit()).toBe(20n);
  });

  it("freezes the limit for good", async () => {
    const edition = await as(system.author);
    await edition.write.setLimit([2n]);
    expect(await edition.read.limitFrozen()).toBe(false);
    const receipt = await receiptOf(await edition.write.freezeLimit());
    expect(eventsNamed(edition.abi, receipt.logs, "LimitFrozen").map((e) => e.args)).toEqual([{ limit: 2n }]);
    expect(await edition.read.limitFrozen()).toBe(true);
    await expectRevert(edition.write.setLimit([1n]), "LimitIsFrozen");
    await expectRevert(edition.write.freezeLimit(), "LimitIsFrozen");
    await (await as(system.alice)).write.purchase([system.alice.account.address, MESSAGE], { value: PRICE });
    expect(await edition.read.limit()).toBe(2n);
  });

  it("can freeze an open edition open", async () => {
    const edition = await as(system.author);
    const receipt = await receiptOf(await edition.write.freezeLimit());
    expect(eventsNamed(edition.abi, receipt.logs, "LimitFrozen").map((e) => e.args)).toEqual([{ limit: 0n }]);
    await expectRevert(edition.write.setLimit([5n]), "LimitIsFrozen");
    expect(await edition.read.limit()).toBe(0n);
  });
});

describe("WritingEditions: metadata, royalties and interfaces", () => {
  let system: System;
  let address: `0x${string}`;

  beforeEach(async () => {
    ({ system, address } = await loadOpenEdition());
  });

  it("resolves token and contract metadata to the Arweave document", async () => {
    const edition = await editionAt(address, system.alice);
    await expectRevert(edition.read.tokenURI([1n]), "ERC721NonexistentToken", [1n]);
    await edition.write.purchase([system.alice.account.address, MESSAGE], { value: PRICE });
    const expected = arweaveUri(bytes32(0x12));
    expect(expected).toBe("ar://EhISEhISEhISEhISEhISEhISEhISEhISEhISEhISEhI");
    expect(await edition.read.tokenURI([1n])).toBe(expected);
    expect(await edition.read.contractURI()).toBe(expected);

    const other = await createEdition(system, { metadataId: `0x${"fb".repeat(31)}ff` }, salt(2));
    // base64url, not base64: no '+', '/' or padding.
    expect(await other.edition.read.contractURI()).toBe(`ar://${"-_v7".repeat(10)}-_8`);
  });

  it("reports EIP-2981 royalties to the funding recipient, rounding down", async () => {
    const edition = await editionAt(address);
    const funding = addressOf(system.funding);
    expect(await edition.read.royaltyInfo([1n, 10_000n])).toEqual([funding, 1_000n]);
    expect(await edition.read.royaltyInfo([99n, 1n * 10n ** 18n])).toEqual([funding, 10n ** 17n]);
    expect(await edition.read.royaltyInfo([1n, 9n])).toEqual([funding, 0n]);

    const none = await createEdition(system, { royaltyBps: 0 }, salt(2));
    expect(await none.edition.read.royaltyInfo([1n, 10_000n])).toEqual([funding, 0n]);
    const all = await createEdition(system, { royaltyBps: 10_000 }, salt(3));
    expect(await all.edition.read.royaltyInfo([1n, 12_345n])).toEqual([funding, 12_345n]);
  });

  it("declares ERC-165, ERC-721, ERC-721 Metadata and EIP-2981, and nothing else", async () => {
    const edition = await editionAt(address);
    for (const id of ["0x01ffc9a7", "0x80ac58cd", "0x5b5e139f", "0x2a55205a"] as const) {
      expect(await edition.read.supportsInterface([id]), id).toBe(true);
    }
    for (const id of ["0xffffffff", "0x780e9d63", "0x49064906", "0x00000000"] as const) {
      expect(await edition.read.supportsInterface([id]), id).toBe(false);
    }
  });

  it("leaves the implementation itself unusable", async () => {
    const implementation = await editionAt(await system.factory.read.implementation(), system.alice);
    await expectRevert(implementation.write.withdraw(), "NotAClone");
    await expectRevert(implementation.write.ownerMint([system.alice.account.address]), "Unauthorized");
    const price = await implementation.read.price();
    await expectRevert(
      implementation.write.purchase([system.alice.account.address, MESSAGE], { value: 0n }),
      price === 0n ? "SoldOut" : "IncorrectPayment"
    );
    await expectRevert(implementation.write.setLimit([1n]), "Unauthorized");
  });
});
