// Property tests: random sequences of purchases, owner mints, limit changes, freezes and withdrawals
// (to a funding recipient that may refuse payment for a while) against a small model of the edition.
// After every step the supply respects the limit, ids are consecutive and unique, and every wei paid
// in is either still in the edition or was paid to the right recipient.
import hre from "hardhat";
import fc from "fast-check";
import { type Address, zeroAddress } from "viem";
import { describe, expect, it } from "vitest";
import {
  MESSAGE,
  addressOf,
  balanceOf,
  createEdition,
  deploySystem,
  editionAt,
  eventsNamed,
  expectRevert,
  fixture,
  receiptOf,
} from "./fixtures";

const NUM_RUNS = 50;

type Action =
  | { kind: "purchase"; buyer: number; to: number; exact: boolean }
  | { kind: "ownerMint"; to: number; byAuthor: boolean }
  | { kind: "setLimit"; limit: number }
  | { kind: "freezeLimit" }
  | { kind: "withdraw"; caller: number }
  | { kind: "setAccepting"; accepting: boolean };

const person = fc.integer({ min: 0, max: 2 });
const action: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({ kind: fc.constant("purchase" as const), buyer: person, to: person, exact: fc.boolean() }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("ownerMint" as const), to: person, byAuthor: fc.boolean() }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant("setLimit" as const), limit: fc.integer({ min: 0, max: 12 }) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("freezeLimit" as const) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("withdraw" as const), caller: person }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("setAccepting" as const), accepting: fc.boolean() }) }
);
const scenario = fc.record({
  price: fc.constantFrom(0n, 1n, 3_333n, 10n ** 16n),
  feeBps: fc.constantFrom(0, 1, 250, 500),
  initialLimit: fc.integer({ min: 0, max: 8 }),
  // Whether the funding recipient is a contract that refuses payment until told to accept.
  refusingRecipient: fc.boolean(),
  actions: fc.array(action, { minLength: 1, maxLength: 20 }),
});

const loadSystem = fixture(async () => {
  const system = await deploySystem();
  const refusing = await hre.viem.deployContract("RevertingRecipient");
  return { system, refusing };
});

describe("WritingEditions: properties", () => {
  it("keeps supply within the limit, ids consecutive and unique, and every wei accounted for", async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ price, feeBps, initialLimit, refusingRecipient, actions }) => {
        const { system, refusing } = await loadSystem();
        await system.factory.write.setFee([feeBps, system.treasury.account.address]);
        const fundingRecipient = refusingRecipient ? refusing.address : system.funding.account.address;
        const { address } = await createEdition(system, {
          price,
          feeBps,
          limit: BigInt(initialLimit),
          fundingRecipient,
        });
        const people = [system.alice, system.bob, system.carol];
        const fundingStart = await balanceOf(fundingRecipient);
        const treasuryStart = await balanceOf(system.treasury.account.address);

        const model = {
          minted: 0,
          limit: initialLimit,
          frozen: false,
          accepting: !refusingRecipient,
          held: 0n,
          credited: 0n,
          paidIn: 0n,
          toFunding: 0n,
          toPlatform: 0n,
        };
        const owners: Address[] = [];
        const soldOut = () => model.limit !== 0 && model.minted >= model.limit;

        const expectMint = async (hash: `0x${string}`, to: Address) => {
          const receipt = await receiptOf(hash);
          const transfers = eventsNamed((await editionAt(address)).abi, receipt.logs, "Transfer");
          expect(transfers.map((e) => e.args)).toEqual([{ from: zeroAddress, to, tokenId: BigInt(model.minted + 1) }]);
          owners.push(to);
          model.minted += 1;
        };

        for (const step of actions) {
          switch (step.kind) {
            case "purchase": {
              const edition = await editionAt(address, people[step.buyer]);
              const to = addressOf(people[step.to]!);
              const value = step.exact ? price : price + 1n;
              const call = edition.write.purchase([to, MESSAGE], { value });
              if (!step.exact) await expectRevert(call, "IncorrectPayment", [price, value]);
              else if (soldOut()) await expectRevert(call, "SoldOut", [BigInt(model.limit)]);
              else {
                await expectMint(await call, to);
                model.held += price;
                model.paidIn += price;
              }
              break;
            }
            case "ownerMint": {
              const sender = step.byAuthor ? system.author : people[step.to]!;
              const edition = await editionAt(address, sender);
              const to = addressOf(people[step.to]!);
              const call = edition.write.ownerMint([to]);
              if (!step.byAuthor) await expectRevert(call, "Unauthorized", [addressOf(sender)]);
              else if (soldOut()) await expectRevert(call, "SoldOut", [BigInt(model.limit)]);
              else await expectMint(await call, to);
              break;
            }
            case "setLimit": {
              const edition = await editionAt(address, system.author);
              const call = edition.write.setLimit([BigInt(step.limit)]);
              const lowers =
                step.limit !== 0 && step.limit >= model.minted && (model.limit === 0 || step.limit < model.limit);
              if (model.frozen) await expectRevert(call, "LimitIsFrozen");
              else if (!lowers) {
                await expectRevert(call, "InvalidLimit", [
                  BigInt(model.limit),
                  BigInt(step.limit),
                  BigInt(model.minted),
                ]);
              } else {
                await receiptOf(await call);
                model.limit = step.limit;
              }
              break;
            }
            case "freezeLimit": {
              const call = (await editionAt(address, system.author)).write.freezeLimit();
              if (model.frozen) await expectRevert(call, "LimitIsFrozen");
              else {
                await receiptOf(await call);
                model.frozen = true;
              }
              break;
            }
            case "withdraw": {
              const call = (await editionAt(address, people[step.caller])).write.withdraw();
              if (model.held === 0n) await expectRevert(call, "NothingToWithdraw");
              else {
                await receiptOf(await call);
                // Credits were already split; only new proceeds pay the fee.
                const proceeds = model.held - model.credited;
                const fee = (proceeds * BigInt(feeBps)) / 10_000n;
                const due = model.credited + proceeds - fee;
                model.toPlatform += fee;
                if (model.accepting) model.toFunding += due;
                model.credited = model.accepting ? 0n : due;
                model.held = model.credited;
              }
              break;
            }
            case "setAccepting": {
              if (!refusingRecipient) break;
              await receiptOf(await refusing.write.setAccepting([step.accepting]));
              model.accepting = step.accepting;
              break;
            }
          }

          const edition = await editionAt(address);
          const supply = await edition.read.totalSupply();
          const limit = await edition.read.limit();
          expect(supply).toBe(BigInt(model.minted));
          expect(limit).toBe(BigInt(model.limit));
          if (limit !== 0n) expect(supply).toBeLessThanOrEqual(limit);
          expect(await edition.read.limitFrozen()).toBe(model.frozen);

          const held = await balanceOf(address);
          const toFunding = (await balanceOf(fundingRecipient)) - fundingStart;
          const toPlatform = (await balanceOf(system.treasury.account.address)) - treasuryStart;
          expect(held + toFunding + toPlatform).toBe(model.paidIn);
          expect([held, toFunding, toPlatform]).toEqual([model.held, model.toFunding, model.toPlatform]);
          expect(await edition.read.pendingPayments()).toEqual([model.credited, 0n]);
        }

        const edition = await editionAt(address);
        for (const [index, owner] of owners.entries()) {
          expect(await edition.read.ownerOf([BigInt(index + 1)])).toBe(owner);
        }
        await expectRevert(edition.read.ownerOf([BigInt(owners.length + 1)]), "ERC721NonexistentToken");
        for (const holder of people) {
          const held = owners.filter((owner) => owner === addressOf(holder)).length;
          expect(await edition.read.balanceOf([holder.account.address])).toBe(BigInt(held));
        }
      }),
      { numRuns: NUM_RUNS }
    );
  });
});
