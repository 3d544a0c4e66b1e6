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
