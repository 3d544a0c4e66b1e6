import hre from "hardhat";
import {
  type Abi,
  type Hex,
  type Log,
  encodeAbiParameters,
  encodeFunctionData,
  getAddress,
  hexToBytes,
  hexToString,
  parseAbiParameters,
  parseEventLogs,
  stringToHex,
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
} from "./fixtures";

const eventTopic = (abi: Abi, name: string) => {
  const item = abi.find((entry) => entry.type === "event" && entry.name === name);
  if (!item || item.type !== "event") throw new Error(`no event ${name}`);
  return toEventSelector(item);
};
/** Names of the edition's events among `logs`, in the order they were emitted. */
const eventNames = (abi: Abi, logs: Log[]) => parseEventLogs({ abi, logs }).map((log) => log.eventName);
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

  it("mints consecutive ids to the recipient, with Transfer, a note being the Transfer's data", async () => {
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

    expect(eventNames(edition.abi, first.logs)).toEqual(["Transfer"]);
    expect(eventsNamed(edition.abi, first.logs, "Transfer").map((e) => e.args)).toEqual([
      { from: zeroAddress, to: addressOf(system.alice), tokenId: 1n },
    ]);
    expect(first.logs[0]!.data).toBe(stringToHex(MESSAGE));
    // No note, no data; and a purchase names no referrer.
    expect(eventNames(edition.abi, second.logs)).toEqual(["Transfer"]);
    expect(second.logs[0]!.data).toBe("0x");
    expect(eventsNamed(edition.abi, second.logs, "Transfer").map((e) => e.args)).toEqual([
      { from: zeroAddress, to: addressOf(system.bob), tokenId: 2n },
    ]);
  });

  it("carries notes of any length and script as the Transfer's raw UTF-8 data, which ERC-721 decoders ignore", async () => {
    const edition = await as(system.alice);
    for (const message of ["x", "x".repeat(31), "y".repeat(32), "z".repeat(33), "Merci 🙏 — ありがとう ".repeat(12)]) {
      const receipt = await receiptOf(
        await edition.write.purchase([system.alice.account.address, message], { value: PRICE })
      );
      const log = receipt.logs.find((l) => l.topics[0] === eventTopic(edition.abi, "Transfer"));
      // Byte-exact: the note's bytes and nothing else (no padding, no length word).
      expect(log?.topics).toHaveLength(4);
      expect(log?.data).toBe(stringToHex(message));
      expect(hexToString(log!.data)).toBe(message);
      // A strict ERC-721 decoder still reads the Transfer.
      const [transfer] = eventsNamed(edition.abi, receipt.logs, "Transfer");
      expect(transfer?.args).toEqual({ from: zeroAddress, to: addressOf(system.alice), tokenId: expect.any(BigInt) });
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
    const free = await createEdition(system, { price: 0n });
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
    const limited = await createEdition(system, { limit: 2n });
    const edition = await editionAt(limited.address, system.alice);
    const to = system.alice.account.address;
    await edition.write.purchase([to, MESSAGE], { value: PRICE });
    await edition.write.purchase([to, MESSAGE], { value: PRICE });
    await expectRevert(edition.write.purchase([to, MESSAGE], { value: PRICE }), "SoldOut", [2n]);
    expect(await edition.read.totalSupply()).toBe(2n);
  });
});

describe("WritingEditions: buy (one copy for the caller)", () => {
  let system: System;
  let address: `0x${string}`;
  const as = (wallet: Wallet) => editionAt(address, wallet);

  beforeEach(async () => {
    ({ system, address } = await loadOpenEdition());
  });

  it("mints the next id to the caller, with the note as the Transfer's data, and returns it", async () => {
    const edition = await as(system.bob);
    await receiptOf(await edition.write.purchase([system.alice.account.address, ""], { value: PRICE }));
    expect(
      (await system.publicClient.simulateContract({ ...edition, functionName: "buy", args: [MESSAGE], value: PRICE, account: system.bob.account })).result
    ).toBe(2n);
    const receipt = await receiptOf(await edition.write.buy([MESSAGE], { value: PRICE }));
    expect(await edition.read.ownerOf([2n])).toBe(addressOf(system.bob));
    expect(await edition.read.balanceOf([system.bob.account.address])).toBe(1n);
    expect(eventsNamed(edition.abi, receipt.logs, "Transfer").map((e) => e.args)).toEqual([
      { from: zeroAddress, to: addressOf(system.bob), tokenId: 2n },
    ]);
    expect(receipt.logs[0]!.data).toBe(stringToHex(MESSAGE));
    const quiet = await receiptOf(await edition.write.buy([""], { value: PRICE }));
    expect(quiet.logs.map((log) => log.data)).toEqual(["0x"]);
    expect(await edition.read.balanceOf([system.bob.account.address])).toBe(2n);
    expect(await balanceOf(address)).toBe(3n * PRICE);
  });

  it("takes exactly the price, and stops at the limit", async () => {
    const limited = await createEdition(system, { limit: 1n });
    const edition = await editionAt(limited.address, system.carol);
    await expectRevert(edition.write.buy([""], { value: PRICE - 1n }), "IncorrectPayment", [PRICE, PRICE - 1n]);
    await expectRevert(edition.write.buy([""]), "IncorrectPayment", [PRICE, 0n]);
    await receiptOf(await edition.write.buy([""], { value: PRICE }));
    await expectRevert(edition.write.buy([""], { value: PRICE }), "SoldOut", [1n]);
    expect(await edition.read.totalSupply()).toBe(1n);
    expect(await edition.read.ownerOf([1n])).toBe(addressOf(system.carol));
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
    expect(eventNames(edition.abi, receipt.logs)).toEqual(["Transfer", "OwnerMinted"]);
    expect(eventsNamed(edition.abi, receipt.logs, "Transfer").map((e) => e.args)).toEqual([
      { from: zeroAddress, to: addressOf(system.carol), tokenId: 1n },
    ]);
    expect(eventsNamed(edition.abi, receipt.logs, "OwnerMinted").map((e) => e.args)).toEqual([{ tokenId: 1n }]);
    // A free mint takes no payment and credits nothing.
    expect(await balanceOf(address)).toBe(0n);
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
    const limited = await createEdition(system, { limit: 50n });
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

    const other = await createEdition(system, { metadataId: `0x${"fb".repeat(31)}ff` });
    // base64url, not base64: no '+', '/' or padding.
    expect(await other.edition.read.contractURI()).toBe(`ar://${"-_v7".repeat(10)}-_8`);
  });

  it("reports EIP-2981 royalties to the funding recipient, rounding down", async () => {
    const edition = await editionAt(address);
    const funding = addressOf(system.funding);
    expect(await edition.read.royaltyInfo([1n, 10_000n])).toEqual([funding, 1_000n]);
    expect(await edition.read.royaltyInfo([99n, 1n * 10n ** 18n])).toEqual([funding, 10n ** 17n]);
    expect(await edition.read.royaltyInfo([1n, 9n])).toEqual([funding, 0n]);

    const none = await createEdition(system, { royaltyBps: 0 });
    expect(await none.edition.read.royaltyInfo([1n, 10_000n])).toEqual([funding, 0n]);
    const all = await createEdition(system, { royaltyBps: 10_000 });
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

  it("answers for token 1 on the implementation with a revert, not by burning all the gas", async () => {
    // The implementation's storage is sealed as one token minted (see its constructor), so it claims a
    // token 1 that has no owner record; the owner scan must not walk below id 1 looking for one.
    const implementation = await editionAt(await system.factory.read.implementation(), system.alice);
    expect(await implementation.read.totalSupply()).toBe(1n);
    expect(await implementation.read.supportsInterface(["0x80ac58cd"])).toBe(true);
    // What a marketplace's node answers, with 100,000 gas to spare.
    const ownerOf = (tokenId: bigint) =>
      hre.network.provider
        .send("eth_call", [
          {
            to: implementation.address,
            data: encodeFunctionData({ abi: implementation.abi, functionName: "ownerOf", args: [tokenId] }),
            gas: "0x186a0",
          },
          "latest",
        ])
        .then(
          (result: unknown) => `returned ${String(result)}`,
          (error: { message?: string }) => String(error.message)
        );
    expect(await ownerOf(2n)).toMatch(/reverted with custom error 'ERC721NonexistentToken\(2\)'/);
    expect(await ownerOf(1n), "ownerOf(1) on the implementation").toMatch(
      /reverted with custom error '(ERC721NonexistentToken\(1\)|NotAClone\(\))'/
    );
  });
});

describe("WritingEditions: collect (several copies, a referrer)", () => {
  let system: System;
  let address: `0x${string}`;
  const as = (wallet: Wallet) => editionAt(address, wallet);

  beforeEach(async () => {
    ({ system, address } = await loadOpenEdition());
  });

  it("mints a run of consecutive ids for the price of each, returning the first", async () => {
    const edition = await as(system.alice);
    await edition.write.purchase([system.carol.account.address, ""], { value: PRICE });
    const to = system.bob.account.address;
    const { result } = await edition.simulate.collect([to, 4n, zeroAddress, ""], { value: 4n * PRICE });
    expect(result).toBe(2n);
    const receipt = await receiptOf(await edition.write.collect([to, 4n, zeroAddress, ""], { value: 4n * PRICE }));

    expect(eventNames(edition.abi, receipt.logs)).toEqual(["Transfer", "Transfer", "Transfer", "Transfer"]);
    expect(eventsNamed(edition.abi, receipt.logs, "Transfer").map((e) => e.args)).toEqual(
      [2n, 3n, 4n, 5n].map((tokenId) => ({ from: zeroAddress, to: addressOf(system.bob), tokenId }))
    );
    for (const id of [2n, 3n, 4n, 5n]) expect(await edition.read.ownerOf([id])).toBe(addressOf(system.bob));
    expect(await edition.read.ownerOf([1n])).toBe(addressOf(system.carol));
    expect(await edition.read.balanceOf([to])).toBe(4n);
    expect(await edition.read.totalSupply()).toBe(5n);
    expect(await balanceOf(address)).toBe(5n * PRICE);
    await expectRevert(edition.read.ownerOf([6n]), "ERC721NonexistentToken", [6n]);
    await expectRevert(edition.read.tokenURI([6n]), "ERC721NonexistentToken", [6n]);
  });

  it("emits every Transfer, the note in the first one's data, then Referred", async () => {
    const edition = await as(system.alice);
    const receipt = await receiptOf(
      await edition.write.collect([system.alice.account.address, 3n, system.bob.account.address, MESSAGE], {
        value: 3n * PRICE,
      })
    );
    expect(eventNames(edition.abi, receipt.logs)).toEqual(["Transfer", "Transfer", "Transfer", "Referred"]);
    expect(receipt.logs.map((log) => log.data).slice(0, 3)).toEqual([stringToHex(MESSAGE), "0x", "0x"]);
    // The open edition pays no referrals: the referrer is named with a zero reward.
    expect(eventsNamed(edition.abi, receipt.logs, "Referred").map((e) => e.args)).toEqual([
      { referrer: addressOf(system.bob), reward: 0n },
    ]);

    const quiet = await receiptOf(
      await edition.write.collect([system.alice.account.address, 1n, zeroAddress, ""], { value: PRICE })
    );
    expect(eventNames(edition.abi, quiet.logs)).toEqual(["Transfer"]);
    const referredOnly = await receiptOf(
      await edition.write.collect([system.alice.account.address, 1n, system.carol.account.address, ""], {
        value: PRICE,
      })
    );
    expect(eventNames(edition.abi, referredOnly.logs)).toEqual(["Transfer", "Referred"]);
    const noteOnly = await receiptOf(
      await edition.write.collect([system.alice.account.address, 2n, zeroAddress, "hi"], { value: 2n * PRICE })
    );
    expect(eventNames(edition.abi, noteOnly.logs)).toEqual(["Transfer", "Transfer"]);
    expect(noteOnly.logs.map((log) => log.data)).toEqual([stringToHex("hi"), "0x"]);
  });

  it("takes 1 to 50 copies, nothing else", async () => {
    const edition = await as(system.alice);
    const to = system.alice.account.address;
    expect(await edition.read.MAX_QUANTITY()).toBe(50n);
    await expectRevert(edition.write.collect([to, 0n, zeroAddress, ""], { value: 0n }), "InvalidQuantity", [0n]);
    await expectRevert(edition.write.collect([to, 51n, zeroAddress, ""], { value: 51n * PRICE }), "InvalidQuantity", [
      51n,
    ]);
    await expectRevert(edition.write.collect([to, 2n ** 255n, zeroAddress, ""], { value: 0n }), "InvalidQuantity", [
      2n ** 255n,
    ]);
    const receipt = await receiptOf(await edition.write.collect([to, 50n, zeroAddress, ""], { value: 50n * PRICE }));
    expect(eventsNamed(edition.abi, receipt.logs, "Transfer")).toHaveLength(50);
    expect(await edition.read.balanceOf([to])).toBe(50n);
    expect(await edition.read.ownerOf([50n])).toBe(addressOf(system.alice));
    expect(await edition.read.ownerOf([1n])).toBe(addressOf(system.alice));
  });

  it("takes exactly the price times the quantity", async () => {
    const edition = await as(system.alice);
    const to = system.alice.account.address;
    await expectRevert(edition.write.collect([to, 3n, zeroAddress, ""], { value: PRICE }), "IncorrectPayment", [
      3n * PRICE,
      PRICE,
    ]);
    await expectRevert(
      edition.write.collect([to, 3n, zeroAddress, ""], { value: 3n * PRICE + 1n }),
      "IncorrectPayment",
      [3n * PRICE, 3n * PRICE + 1n]
    );
    await expectRevert(edition.write.collect([to, 2n, zeroAddress, ""], { value: 3n * PRICE }), "IncorrectPayment", [
      2n * PRICE,
      3n * PRICE,
    ]);
    expect(await edition.read.totalSupply()).toBe(0n);
    expect(await balanceOf(address)).toBe(0n);
  });

  it("sells out when the limit leaves fewer copies than asked, and sells what is left", async () => {
    const limited = await createEdition(system, { limit: 5n });
    const edition = await editionAt(limited.address, system.alice);
    const to = system.alice.account.address;
    await edition.write.collect([to, 3n, zeroAddress, ""], { value: 3n * PRICE });
    await expectRevert(edition.write.collect([to, 3n, zeroAddress, ""], { value: 3n * PRICE }), "SoldOut", [5n]);
    expect(await edition.read.totalSupply()).toBe(3n);
    await receiptOf(await edition.write.collect([to, 2n, zeroAddress, ""], { value: 2n * PRICE }));
    expect(await edition.read.totalSupply()).toBe(5n);
    await expectRevert(edition.write.collect([to, 1n, zeroAddress, ""], { value: PRICE }), "SoldOut", [5n]);
    await expectRevert(edition.write.purchase([to, ""], { value: PRICE }), "SoldOut", [5n]);

    // A limit the author lowered counts the same way.
    const other = await createEdition(system, { limit: 10n });
    await (await editionAt(other.address, system.author)).write.setLimit([4n]);
    const buyer = await editionAt(other.address, system.alice);
    await expectRevert(buyer.write.collect([to, 5n, zeroAddress, ""], { value: 5n * PRICE }), "SoldOut", [4n]);
    await receiptOf(await buyer.write.collect([to, 4n, zeroAddress, ""], { value: 4n * PRICE }));
    expect(await buyer.read.balanceOf([to])).toBe(4n);
  });

  it("refuses the zero address as recipient", async () => {
    const edition = await as(system.alice);
    await expectRevert(
      edition.write.collect([zeroAddress, 2n, zeroAddress, ""], { value: 2n * PRICE }),
      "ERC721InvalidReceiver",
      [zeroAddress]
    );
  });

  it("collects a free edition for nothing", async () => {
    const free = await createEdition(system, { price: 0n, referralBps: 5_000 });
    const edition = await editionAt(free.address, system.alice);
    const receipt = await receiptOf(
      await edition.write.collect([system.alice.account.address, 3n, system.bob.account.address, ""])
    );
    expect(eventsNamed(edition.abi, receipt.logs, "Referred").map((e) => e.args)).toEqual([
      { referrer: addressOf(system.bob), reward: 0n },
    ]);
    expect(await edition.read.balanceOf([system.alice.account.address])).toBe(3n);
    await expectRevert(
      edition.write.collect([system.alice.account.address, 1n, zeroAddress, ""], { value: 1n }),
      "IncorrectPayment",
      [0n, 1n]
    );
  });
});

describe("WritingEditions: the fee set at creation (initializeFee)", () => {
  let system: System;
  let address: `0x${string}`;

  beforeEach(async () => {
    ({ system, address } = await loadOpenEdition());
  });

  it("refuses everyone but the factory", async () => {
    // Terms accepting 5% while the factory takes 2.5%: the factory lowered this one's fee.
    const lowered = await createEdition(system, { feeBps: 500 });
    expect(await lowered.edition.read.feeBps()).toBe(250n);
    for (const target of [address, lowered.address]) {
      for (const wallet of [system.author, system.alice, system.platform]) {
        await expectRevert((await editionAt(target, wallet)).write.initializeFee([0n]), "Unauthorized", [
          addressOf(wallet),
        ]);
      }
    }
    expect(await lowered.edition.read.feeBps()).toBe(250n);
    expect(await (await editionAt(address)).read.feeBps()).toBe(250n);
  });

  it("refuses the factory itself after creation, and a fee not below the terms'", async () => {
    const lowered = await createEdition(system, { feeBps: 500 });
    const factory = system.factory.address;
    await hre.network.provider.send("hardhat_impersonateAccount", [factory]);
    await hre.network.provider.send("hardhat_setBalance", [factory, "0xde0b6b3a7640000"]);
    try {
      const asFactory = await hre.viem.getContractAt("WritingEditions", lowered.address, {
        client: { wallet: await hre.viem.getWalletClient(factory) },
      });
      // Once: the factory set it at creation.
      await expectRevert(asFactory.write.initializeFee([100n], { account: factory }), "Unauthorized", [
        getAddress(factory),
      ]);
      // Only below the terms': an edition whose terms fee stands cannot be raised or re-set to it.
      const standing = await hre.viem.getContractAt("WritingEditions", address, {
        client: { wallet: await hre.viem.getWalletClient(factory) },
      });
      await expectRevert(standing.write.initializeFee([250n], { account: factory }), "Unauthorized", [
        getAddress(factory),
      ]);
      await expectRevert(standing.write.initializeFee([400n], { account: factory }), "Unauthorized", [
        getAddress(factory),
      ]);
      // After a sale, not even a lower fee.
      await (
        await editionAt(address, system.alice)
      ).write.purchase([system.alice.account.address, ""], {
        value: PRICE,
      });
      await expectRevert(standing.write.initializeFee([100n], { account: factory }), "Unauthorized", [
        getAddress(factory),
      ]);
    } finally {
      await hre.network.provider.send("hardhat_stopImpersonatingAccount", [factory]);
    }
    expect(await lowered.edition.read.feeBps()).toBe(250n);
    expect(await (await editionAt(address)).read.feeBps()).toBe(250n);
  });
});
