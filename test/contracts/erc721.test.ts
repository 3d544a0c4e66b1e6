// ERC-721 compliance of the edition's own ERC-721 core (EditionERC721): transfers, the receiver check
// of safeTransferFrom, approvals and operators, with OpenZeppelin's (ERC-6093) errors.
import hre from "hardhat";
import { getAddress, zeroAddress } from "viem";
import { beforeEach, describe, expect, it } from "vitest";
import {
  MESSAGE,
  PRICE,
  type System,
  type Wallet,
  addressOf,
  createEdition,
  deploySystem,
  editionAt,
  eventsNamed,
  expectRevert,
  fixture,
  receiptOf,
} from "./fixtures";

// Alice holds tokens 1 and 2, Bob token 3.
const loadMinted = fixture(async () => {
  const system = await deploySystem();
  const { address } = await createEdition(system);
  const edition = await editionAt(address, system.carol);
  for (const to of [system.alice, system.alice, system.bob]) {
    await edition.write.purchase([to.account.address, MESSAGE], { value: PRICE });
  }
  const receiver = await hre.viem.deployContract("MockERC721Receiver");
  return { system, address, receiver };
});

describe("EditionERC721", () => {
  let system: System;
  let address: `0x${string}`;
  let receiver: Awaited<ReturnType<typeof loadMinted>>["receiver"];
  const as = (wallet: Wallet) => editionAt(address, wallet);

  beforeEach(async () => {
    ({ system, address, receiver } = await loadMinted());
  });

  it("reports balances and owners, and rejects the zero owner and unknown tokens", async () => {
    const edition = await as(system.alice);
    expect(await edition.read.balanceOf([system.alice.account.address])).toBe(2n);
    expect(await edition.read.balanceOf([system.carol.account.address])).toBe(0n);
    await expectRevert(edition.read.balanceOf([zeroAddress]), "ERC721InvalidOwner", [zeroAddress]);
    await expectRevert(edition.read.ownerOf([4n]), "ERC721NonexistentToken", [4n]);
    await expectRevert(edition.read.ownerOf([0n]), "ERC721NonexistentToken", [0n]);
  });

  it("transfers by the owner, moving balance and emitting Transfer", async () => {
    const edition = await as(system.alice);
    const receipt = await receiptOf(
      await edition.write.transferFrom([system.alice.account.address, system.carol.account.address, 1n])
    );
    expect(await edition.read.ownerOf([1n])).toBe(addressOf(system.carol));
    expect(await edition.read.balanceOf([system.alice.account.address])).toBe(1n);
    expect(await edition.read.balanceOf([system.carol.account.address])).toBe(1n);
    expect(eventsNamed(edition.abi, receipt.logs, "Transfer").map((e) => e.args)).toEqual([
      { from: addressOf(system.alice), to: addressOf(system.carol), tokenId: 1n },
    ]);
  });

  it("lets an owner transfer to itself without changing its balance", async () => {
    const edition = await as(system.alice);
    await edition.write.transferFrom([system.alice.account.address, system.alice.account.address, 1n]);
    expect(await edition.read.balanceOf([system.alice.account.address])).toBe(2n);
    expect(await edition.read.ownerOf([1n])).toBe(addressOf(system.alice));
  });

  it("rejects transfers by strangers, from the wrong owner, to zero, and of unknown tokens", async () => {
    const asCarol = await as(system.carol);
    const asAlice = await as(system.alice);
    const [alice, bob, carol] = [addressOf(system.alice), addressOf(system.bob), addressOf(system.carol)];
    await expectRevert(asCarol.write.transferFrom([alice, carol, 1n]), "ERC721InsufficientApproval", [carol, 1n]);
    await expectRevert(asAlice.write.transferFrom([bob, alice, 1n]), "ERC721IncorrectOwner", [bob, 1n, alice]);
    await expectRevert(asAlice.write.transferFrom([alice, zeroAddress, 1n]), "ERC721InvalidReceiver", [zeroAddress]);
    await expectRevert(asAlice.write.transferFrom([alice, carol, 9n]), "ERC721NonexistentToken", [9n]);
    // Owning one token gives no right over another.
    await expectRevert(asAlice.write.transferFrom([bob, alice, 3n]), "ERC721InsufficientApproval", [alice, 3n]);
  });

  it("approves one token: the approved address may transfer it once, and the approval is cleared", async () => {
    const asAlice = await as(system.alice);
    const asCarol = await as(system.carol);
    const receipt = await receiptOf(await asAlice.write.approve([system.carol.account.address, 1n]));
    expect(eventsNamed(asAlice.abi, receipt.logs, "Approval").map((e) => e.args)).toEqual([
      { owner: addressOf(system.alice), approved: addressOf(system.carol), tokenId: 1n },
    ]);
    expect(await asAlice.read.getApproved([1n])).toBe(addressOf(system.carol));
    await expectRevert(
      asCarol.write.transferFrom([system.alice.account.address, system.carol.account.address, 2n]),
      "ERC721InsufficientApproval"
    );
    await asCarol.write.transferFrom([system.alice.account.address, system.bob.account.address, 1n]);
    expect(await asAlice.read.ownerOf([1n])).toBe(addressOf(system.bob));
    expect(await asAlice.read.getApproved([1n])).toBe(zeroAddress);
    await expectRevert(
      asCarol.write.transferFrom([system.bob.account.address, system.carol.account.address, 1n]),
      "ERC721InsufficientApproval"
    );
  });

  it("rejects approvals by non-owners and of unknown tokens, and clears with the zero address", async () => {
    const asCarol = await as(system.carol);
    const asAlice = await as(system.alice);
    await expectRevert(asCarol.write.approve([system.carol.account.address, 1n]), "ERC721InvalidApprover", [
      addressOf(system.carol),
    ]);
    await expectRevert(asAlice.write.approve([system.carol.account.address, 9n]), "ERC721NonexistentToken", [9n]);
    await expectRevert(asAlice.read.getApproved([9n]), "ERC721NonexistentToken", [9n]);
    await asAlice.write.approve([system.carol.account.address, 1n]);
    await asAlice.write.approve([zeroAddress, 1n]);
    expect(await asAlice.read.getApproved([1n])).toBe(zeroAddress);
  });

  it("lets an operator transfer and approve all of the owner's tokens until revoked", async () => {
    const asAlice = await as(system.alice);
    const asCarol = await as(system.carol);
    const receipt = await receiptOf(await asAlice.write.setApprovalForAll([system.carol.account.address, true]));
    expect(eventsNamed(asAlice.abi, receipt.logs, "ApprovalForAll").map((e) => e.args)).toEqual([
      { owner: addressOf(system.alice), operator: addressOf(system.carol), approved: true },
    ]);
    expect(await asAlice.read.isApprovedForAll([system.alice.account.address, system.carol.account.address])).toBe(
      true
    );

    await asCarol.write.approve([system.bob.account.address, 2n]);
    expect(await asCarol.read.getApproved([2n])).toBe(addressOf(system.bob));
    await asCarol.write.transferFrom([system.alice.account.address, system.carol.account.address, 1n]);
    expect(await asCarol.read.ownerOf([1n])).toBe(addressOf(system.carol));
    // Operators act for one owner only.
    await expectRevert(
      asCarol.write.transferFrom([system.bob.account.address, system.carol.account.address, 3n]),
      "ERC721InsufficientApproval"
    );

    await asAlice.write.setApprovalForAll([system.carol.account.address, false]);
    expect(await asAlice.read.isApprovedForAll([system.alice.account.address, system.carol.account.address])).toBe(
      false
    );
    await expectRevert(
      asCarol.write.transferFrom([system.alice.account.address, system.carol.account.address, 2n]),
      "ERC721InsufficientApproval"
    );
    await expectRevert(asAlice.write.setApprovalForAll([zeroAddress, true]), "ERC721InvalidOperator", [zeroAddress]);
  });

  it("safeTransferFrom delivers to accounts and to contracts that accept, passing the data", async () => {
    const asAlice = await as(system.alice);
    await asAlice.write.safeTransferFrom([system.alice.account.address, system.carol.account.address, 1n]);
    expect(await asAlice.read.ownerOf([1n])).toBe(addressOf(system.carol));

    const receipt = await receiptOf(
      await asAlice.write.safeTransferFrom([system.alice.account.address, receiver.address, 2n, "0xc0ffee"])
    );
    expect(await asAlice.read.ownerOf([2n])).toBe(getAddress(receiver.address));
    expect(eventsNamed(receiver.abi, receipt.logs, "Received").map((e) => e.args)).toEqual([
      { operator: addressOf(system.alice), from: addressOf(system.alice), tokenId: 2n, data: "0xc0ffee" },
    ]);
  });

  it("safeTransferFrom reverts for contracts that refuse, answer wrongly or lack the hook", async () => {
    const asBob = await as(system.bob);
    const bob = system.bob.account.address;
    const transfer = () => asBob.write.safeTransferFrom([bob, receiver.address, 3n]);

    await receiver.write.setMode([1]); // WrongValue
    await expectRevert(transfer(), "ERC721InvalidReceiver", [getAddress(receiver.address)]);
    await receiver.write.setMode([2]); // RevertWithReason: bubbled up
    await expectRevert(transfer(), "Refused", [3n]);
    await receiver.write.setMode([3]); // RevertEmpty
    await expectRevert(transfer(), "ERC721InvalidReceiver", [getAddress(receiver.address)]);
    // A contract without the hook at all (the factory).
    await expectRevert(asBob.write.safeTransferFrom([bob, system.factory.address, 3n, "0x"]), "ERC721InvalidReceiver", [
      getAddress(system.factory.address),
    ]);
    expect(await asBob.read.ownerOf([3n])).toBe(addressOf(system.bob));

    // transferFrom does not ask.
    await asBob.write.transferFrom([bob, receiver.address, 3n]);
    expect(await asBob.read.balanceOf([receiver.address])).toBe(1n);
  });
});

// Batch ownership: Alice collects tokens 1-5 in one purchase (one owner record, at 1), Bob buys 6, and
// Alice collects 7-8.
const loadRun = fixture(async () => {
  const system = await deploySystem();
  const { address } = await createEdition(system);
  const edition = await editionAt(address, system.carol);
  const run = (to: `0x${string}`, quantity: bigint) =>
    edition.write.collect([to, quantity, zeroAddress, ""], { value: quantity * PRICE });
  await run(system.alice.account.address, 5n);
  await run(system.bob.account.address, 1n);
  await run(system.alice.account.address, 2n);
  const receiver = await hre.viem.deployContract("MockERC721Receiver");
  return { system, address, receiver };
});

describe("EditionERC721: batch ownership", () => {
  let system: System;
  let address: `0x${string}`;
  let receiver: Awaited<ReturnType<typeof loadRun>>["receiver"];
  const as = (wallet: Wallet) => editionAt(address, wallet);

  /** Owners of tokens 1-8 in order, as the contract reports them. */
  async function owners() {
    const edition = await editionAt(address);
    return Promise.all([1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n].map((id) => edition.read.ownerOf([id])));
  }
  async function balances() {
    const edition = await editionAt(address);
    return Promise.all(
      [system.alice, system.bob, system.carol].map((w) => edition.read.balanceOf([w.account.address]))
    );
  }

  beforeEach(async () => {
    ({ system, address, receiver } = await loadRun());
  });

  it("gives every id of a run its buyer, and none beyond the minted supply", async () => {
    const [A, B] = [addressOf(system.alice), addressOf(system.bob)];
    expect(await owners()).toEqual([A, A, A, A, A, B, A, A]);
    expect(await balances()).toEqual([7n, 1n, 0n]);
    const edition = await as(system.alice);
    await expectRevert(edition.read.ownerOf([0n]), "ERC721NonexistentToken", [0n]);
    await expectRevert(edition.read.ownerOf([9n]), "ERC721NonexistentToken", [9n]);
    await expectRevert(edition.read.getApproved([9n]), "ERC721NonexistentToken", [9n]);
    await expectRevert(edition.write.transferFrom([A, B, 9n]), "ERC721NonexistentToken", [9n]);
  });

  it("leaves the rest of the run with its owner when a token leaves from the middle", async () => {
    const [A, B, C] = [addressOf(system.alice), addressOf(system.bob), addressOf(system.carol)];
    const edition = await as(system.alice);
    const receipt = await receiptOf(await edition.write.transferFrom([A, C, 3n]));
    expect(eventsNamed(edition.abi, receipt.logs, "Transfer").map((e) => e.args)).toEqual([
      { from: A, to: C, tokenId: 3n },
    ]);
    expect(await owners()).toEqual([A, A, C, A, A, B, A, A]);
    expect(await balances()).toEqual([6n, 1n, 1n]);

    // The token after it, and then the one before it.
    await edition.write.transferFrom([A, B, 4n]);
    expect(await owners()).toEqual([A, A, C, B, A, B, A, A]);
    await edition.write.transferFrom([A, B, 2n]);
    expect(await owners()).toEqual([A, B, C, B, A, B, A, A]);
    expect(await balances()).toEqual([4n, 3n, 1n]);

    // The moved token moves on; its neighbours stay.
    await (await as(system.carol)).write.transferFrom([C, A, 3n]);
    expect(await owners()).toEqual([A, B, A, B, A, B, A, A]);
    expect(await balances()).toEqual([5n, 3n, 0n]);
  });

  it("moves the last token of a run without touching the next run", async () => {
    const [A, B, C] = [addressOf(system.alice), addressOf(system.bob), addressOf(system.carol)];
    await (await as(system.alice)).write.transferFrom([A, C, 5n]);
    expect(await owners()).toEqual([A, A, A, A, C, B, A, A]);
    // The last minted token: nothing follows it.
    await (await as(system.alice)).write.transferFrom([A, C, 8n]);
    expect(await owners()).toEqual([A, A, A, A, C, B, A, C]);
    expect(await balances()).toEqual([5n, 1n, 2n]);

    // A later run starts its own record after the moved last token.
    await (
      await as(system.carol)
    ).write.collect([system.bob.account.address, 2n, zeroAddress, ""], {
      value: 2n * PRICE,
    });
    const edition = await editionAt(address);
    expect(await edition.read.ownerOf([9n])).toBe(B);
    expect(await edition.read.ownerOf([10n])).toBe(B);
    expect(await edition.read.ownerOf([8n])).toBe(C);
  });

  it("moves the first token of a run, the rest keeping their owner", async () => {
    const [A, B, C] = [addressOf(system.alice), addressOf(system.bob), addressOf(system.carol)];
    await (await as(system.alice)).write.transferFrom([A, C, 1n]);
    expect(await owners()).toEqual([C, A, A, A, A, B, A, A]);
    await (await as(system.alice)).write.transferFrom([A, B, 7n]);
    expect(await owners()).toEqual([C, A, A, A, A, B, B, A]);
    expect(await balances()).toEqual([5n, 2n, 1n]);
  });

  it("agrees with a plain model of ownership through a sequence of transfers", async () => {
    const wallets = { A: system.alice, B: system.bob, C: system.carol };
    const model: (keyof typeof wallets)[] = ["A", "A", "A", "A", "A", "B", "A", "A"];
    const moves: [number, keyof typeof wallets][] = [
      [4, "C"],
      [2, "B"],
      [5, "C"],
      [3, "C"],
      [1, "B"],
      [4, "A"],
      [8, "B"],
      [7, "C"],
      [2, "A"],
      [6, "A"],
      [3, "B"],
    ];
    for (const [id, to] of moves) {
      const from = wallets[model[id - 1]!];
      await (await as(from)).write.transferFrom([from.account.address, wallets[to].account.address, BigInt(id)]);
      model[id - 1] = to;
      expect(await owners(), `after moving ${id} to ${to}`).toEqual(model.map((k) => addressOf(wallets[k])));
    }
    const count = (k: string) => BigInt(model.filter((m) => m === k).length);
    expect(await balances()).toEqual([count("A"), count("B"), count("C")]);
  });

  it("approves tokens inside a run one at a time", async () => {
    const [A, B, C] = [addressOf(system.alice), addressOf(system.bob), addressOf(system.carol)];
    const asAlice = await as(system.alice);
    const asCarol = await as(system.carol);
    // Token 3 has no owner record of its own; the approval is still Alice's to give.
    const receipt = await receiptOf(await asAlice.write.approve([C, 3n]));
    expect(eventsNamed(asAlice.abi, receipt.logs, "Approval").map((e) => e.args)).toEqual([
      { owner: A, approved: C, tokenId: 3n },
    ]);
    expect(await asAlice.read.getApproved([3n])).toBe(C);
    expect(await asAlice.read.getApproved([2n])).toBe(zeroAddress);
    expect(await asAlice.read.getApproved([4n])).toBe(zeroAddress);
    await expectRevert(asCarol.write.transferFrom([A, C, 2n]), "ERC721InsufficientApproval", [C, 2n]);
    await expectRevert(asCarol.write.transferFrom([A, C, 4n]), "ERC721InsufficientApproval", [C, 4n]);
    await expectRevert(asCarol.write.approve([C, 4n]), "ERC721InvalidApprover", [C]);

    // An approval of the next token survives a transfer that gives that token its own owner record.
    await asAlice.write.approve([B, 4n]);
    await asCarol.write.transferFrom([A, C, 3n]);
    expect(await asAlice.read.getApproved([3n])).toBe(zeroAddress);
    expect(await asAlice.read.getApproved([4n])).toBe(B);
    await (await as(system.bob)).write.transferFrom([A, B, 4n]);
    expect(await owners()).toEqual([A, A, C, B, A, B, A, A]);
    expect(await balances()).toEqual([5n, 2n, 1n]);
  });

  it("lets an operator move tokens out of the middle of a run", async () => {
    const [A, C] = [addressOf(system.alice), addressOf(system.carol)];
    await (await as(system.alice)).write.setApprovalForAll([C, true]);
    const asCarol = await as(system.carol);
    await asCarol.write.transferFrom([A, C, 2n]);
    await (await as(system.carol)).write.safeTransferFrom([A, receiver.address, 4n]);
    expect(await owners()).toEqual([A, C, A, getAddress(receiver.address), A, addressOf(system.bob), A, A]);
    expect(await asCarol.read.balanceOf([receiver.address])).toBe(1n);
    expect(await balances()).toEqual([5n, 1n, 1n]);
  });

  it("refuses a transfer out of a run from anyone named as owner but the owner", async () => {
    const [A, B] = [addressOf(system.alice), addressOf(system.bob)];
    const asBob = await as(system.bob);
    await expectRevert(asBob.write.transferFrom([B, B, 4n]), "ERC721IncorrectOwner", [B, 4n, A]);
    await expectRevert(asBob.write.transferFrom([A, B, 4n]), "ERC721InsufficientApproval", [B, 4n]);
    expect(await owners()).toEqual([A, A, A, A, A, B, A, A]);
  });
});
