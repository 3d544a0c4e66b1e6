// Model-based property test of the whole editions system: random, seeded sequences of purchases and
// collects (quantities, referrers, notes), owner mints, transfers and safe transfers (also from the middle
// of a batch-minted run), approvals, limit changes, withdrawals to recipients that accept, refuse or try
// to re-enter, claims, funding recipient moves, platform fee and recipient rotation, and lazy creation
// from the author's signature (with expiry, cancellation, forged signatures and fee rules) are run
// against a TypeScript model of the factory and every edition (model.ts). Every call's outcome must be
// the model's: the same custom error with the same arguments, or success. After every step every
// token's owner and approval, every balance, the limit, the pending payments and the ether of every
// account and edition must equal the model's, and no ether may appear or vanish.
//
// Gas is free on this chain (base fee 0, priority fee 0), so every account's ether moves only by what
// the contracts pay and are paid, and the model tracks it to the wei. Each transaction gets its own
// timestamp from the model's clock, so a run is reproducible from its seed.
//
// PROPERTY_RUNS, PROPERTY_STEPS and PROPERTY_SEED override the run count, the longest run, and the seed
// (`npm run test:contracts:deep` runs thousands, and prints how often each call succeeded or failed with
// each error). fast-check prints the seed and path of a failure; PROPERTY_SEED and PROPERTY_PATH (with
// the same PROPERTY_RUNS and PROPERTY_STEPS) replay it.
import hre from "hardhat";
import fc from "fast-check";
import { type Address, type Hex, encodeFunctionData, getAddress, toHex, zeroAddress } from "viem";
import { describe, expect, it } from "vitest";
import { type EditionParams, editionTypedData } from "../../contracts/typed-data";
import { MESSAGE, bytes32, expectRevert, fixture } from "./fixtures";
import { EditionModel, type Offer, type Outcome, type Payee, World } from "./model";

const NUM_RUNS = Number(process.env.PROPERTY_RUNS ?? 40);
const MAX_STEPS = Number(process.env.PROPERTY_STEPS ?? 25);
const SEED = Number(process.env.PROPERTY_SEED ?? 20_260_517);
// After each step: every edition in full ("all", the default), or only the one a successful step
// concerned ("touched": faster for long runs; the ether of every account and edition is still checked
// after every step, and every edition in full at the end of each run).
const CHECK_ALL = (process.env.PROPERTY_CHECK ?? "all") === "all";
const RESET_EVERY = 200;
const GAS = toHex(5_000_000);
const DAY = 24n * 3600n;

// ----- the chain -----

const load = fixture(async () => {
  const wallets = await hre.viem.getWalletClients();
  const [platform, treasury, author, funding, alice, bob, carol, author2, treasury2, dave, erin, stranger, sink] =
    wallets.map((wallet) => getAddress(wallet.account.address));
  if (!sink) throw new Error("the Hardhat network has too few accounts");
  const publicClient = await hre.viem.getPublicClient();
  const factory = await hre.viem.deployContract("WritingEditionsFactory", [platform!, 250, treasury!]);
  const deployedAt = (await publicClient.getBlock()).timestamp;
  const refusingFunding = await hre.viem.deployContract("RevertingRecipient");
  const refusingTreasury = await hre.viem.deployContract("RevertingRecipient");
  const reenterSwallow = await hre.viem.deployContract("ReenteringRecipient");
  const reenterStrict = await hre.viem.deployContract("ReenteringRecipient");
  const receiver = await hre.viem.deployContract("MockERC721Receiver");
  const probe = await hre.viem.deployContract("EditionProbe");
  const edition = await hre.viem.getContractAt("WritingEditions", zeroAddress);
  // Free gas from the next block on: an account's ether moves only by value.
  await hre.network.provider.send("hardhat_setNextBlockBaseFeePerGas", ["0x0"]);
  await hre.network.provider.send("evm_mine");
  const startedAt = (await publicClient.getBlock()).timestamp;
  const chainId = await publicClient.getChainId();
  const signers = new Map(wallets.map((wallet) => [getAddress(wallet.account.address), wallet]));
  const at = (contract: { address: Address }) => getAddress(contract.address);
  return {
    eoa: {
      platform,
      treasury,
      author,
      funding,
      alice,
      bob,
      carol,
      author2,
      treasury2,
      dave,
      erin,
      stranger,
      sink,
    } as Record<string, Address>,
    factory,
    refusingFunding,
    refusingTreasury,
    reenterSwallow,
    reenterStrict,
    receiver,
    probe,
    editionAbi: edition.abi,
    addresses: {
      factory: at(factory),
      refusingFunding: at(refusingFunding),
      refusingTreasury: at(refusingTreasury),
      reenterSwallow: at(reenterSwallow),
      reenterStrict: at(reenterStrict),
      receiver: at(receiver),
      probe: at(probe),
    },
    deployedAt,
    startedAt,
    chainId,
    signers,
  };
});
type Chain = Awaited<ReturnType<typeof load>>;

// ----- actions -----

type Terms = { price: number; limit: number; funding: number; fee: number; referral: number; split: number; badRoyalty: boolean };
type Action =
  | { t: "purchase"; e: number; buyer: number; to: number; exact: boolean; message: boolean }
  | {
      t: "collect";
      e: number;
      buyer: number;
      to: number;
      quantity: number;
      referrer: number;
      exact: boolean;
      message: boolean;
    }
  | { t: "ownerMint"; e: number; byAuthor: boolean; to: number }
  | { t: "transfer"; e: number; token: number; caller: number; wrongFrom: boolean; to: number; safe: boolean }
  | { t: "approve"; e: number; token: number; caller: number; spender: number }
  | { t: "approveAll"; e: number; caller: number; operator: number; approved: boolean }
  | { t: "receiverMode"; mode: number }
  | { t: "setLimit"; e: number; byAuthor: boolean; pick: number }
  | { t: "freezeLimit"; e: number; byAuthor: boolean }
  | { t: "setFundingRecipient"; e: number; byAuthor: boolean; recipient: number }
  | { t: "setAccepting"; which: number; accepting: boolean }
  | { t: "withdraw"; e: number; caller: number; reenterClaim: boolean }
  | { t: "claim"; e: number; claimant: number; to: number; reenterClaim: boolean }
  | { t: "setFee"; byOwner: boolean; fee: number; recipient: number }
  | { t: "create"; author: number; terms: Terms; offer: number; fromOffer: boolean }
  | { t: "sign"; author: number; terms: Terms; salt: number; deadline: number; forged: boolean }
  | {
      t: "lazy";
      offer: number;
      buyer: number;
      to: number;
      quantity: number;
      referrer: number;
      exact: boolean;
      message: boolean;
      reenterClaim: boolean;
    }
  | { t: "cancel"; offer: number }
  | { t: "wait"; delta: number };

const pick = (max: number) => fc.nat({ max });
const terms: fc.Arbitrary<Terms> = fc.record({
  price: pick(4),
  limit: pick(9),
  funding: pick(9),
  fee: pick(9),
  referral: pick(9),
  split: pick(9),
  badRoyalty: fc.oneof({ weight: 15, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
});
const quantity = fc.oneof(
  { weight: 12, arbitrary: fc.integer({ min: 1, max: 5 }) },
  { weight: 1, arbitrary: fc.constantFrom(0, 51) }
);
const action: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      t: fc.constant("purchase" as const),
      e: pick(7),
      buyer: pick(3),
      to: pick(9),
      exact: fc.boolean(),
      message: fc.boolean(),
    }),
  },
  {
    weight: 8,
    arbitrary: fc.record({
      t: fc.constant("collect" as const),
      e: pick(7),
      buyer: pick(3),
      to: pick(9),
      quantity,
      referrer: pick(7),
      exact: fc.oneof({ weight: 5, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
      message: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ t: fc.constant("ownerMint" as const), e: pick(7), byAuthor: fc.boolean(), to: pick(9) }),
  },
  {
    weight: 8,
    arbitrary: fc.record({
      t: fc.constant("transfer" as const),
      e: pick(7),
      token: pick(1000),
      caller: pick(3),
      wrongFrom: fc.oneof({ weight: 6, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
      to: pick(9),
      safe: fc.boolean(),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constant("approve" as const),
      e: pick(7),
      token: pick(1000),
      caller: pick(3),
      spender: pick(4),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant("approveAll" as const),
      e: pick(7),
      caller: pick(3),
      operator: pick(4),
      approved: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("receiverMode" as const), mode: pick(3) }) },
  {
    weight: 2,
    arbitrary: fc.record({ t: fc.constant("setLimit" as const), e: pick(7), byAuthor: fc.boolean(), pick: pick(6) }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("freezeLimit" as const), e: pick(7), byAuthor: fc.boolean() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant("setFundingRecipient" as const),
      e: pick(7),
      byAuthor: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
      recipient: pick(5),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ t: fc.constant("setAccepting" as const), which: pick(1), accepting: fc.boolean() }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      t: fc.constant("withdraw" as const),
      e: pick(7),
      caller: pick(2),
      reenterClaim: fc.boolean(),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      t: fc.constant("claim" as const),
      e: pick(7),
      claimant: pick(7),
      to: pick(4),
      reenterClaim: fc.boolean(),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constant("setFee" as const),
      byOwner: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
      fee: pick(5),
      recipient: pick(3),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant("create" as const),
      author: pick(1),
      terms,
      offer: pick(7),
      fromOffer: fc.boolean(),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constant("sign" as const),
      author: pick(1),
      terms,
      salt: pick(2),
      deadline: pick(4),
      forged: fc.oneof({ weight: 8, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      t: fc.constant("lazy" as const),
      offer: pick(7),
      buyer: pick(3),
      to: pick(9),
      quantity,
      referrer: pick(7),
      exact: fc.oneof({ weight: 8, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
      message: fc.boolean(),
      reenterClaim: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("cancel" as const), offer: pick(7) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant("wait" as const), delta: pick(3) }) }
);
const scenario = fc.record({
  fee: pick(4),
  terms,
  actions: fc.array(action, { minLength: 1, maxLength: MAX_STEPS, size: "max" }),
});

const PRICES = [0n, 1n, 3_333n, 10n ** 16n, 10n ** 16n];
const FEES = [0, 100, 250, 400, 500];
const LIMITS = [0, 0, 0, 0, 1, 3, 5, 8, 12, 20];
// Index 9 of a fee pick is 501 (too high); 5 to 8 are the factory's fee of the moment.
const REFERRALS = [0, 0, 1_000, 1_000, 5_000, 2_500, 3, 1_000, 2_500, 5_001];
// A publication's share: mostly none, some splits (one with awkward rounding), all of it, a wei's worth, too much.
const SPLITS = [0, 0, 0, 0, 3_000, 3_333, 10_000, 1, 5_000, 10_001];
const WAITS = [3600n, 30n * DAY, 200n * DAY, 400n * DAY];
const DEADLINES = [-1n, 3600n, 100n * DAY, 500n * DAY, 900n * DAY];

// ----- one run -----

/** How often each kind of call succeeded or failed with each error, over all runs. */
const coverage = new Map<string, number>();
let current = "setup";

async function run(chain: Chain, initialFee: number, initialTerms: Terms, actions: Action[]) {
  current = "setup";
  const { eoa, addresses: c } = chain;
  const payees = new Map<Address, Payee>([
    [c.refusingFunding, { kind: "refusing", accepting: false }],
    [c.refusingTreasury, { kind: "refusing", accepting: false }],
    [c.reenterSwallow, { kind: "reentering", swallow: true, attempts: 0 }],
    [c.reenterStrict, { kind: "reentering", swallow: false, attempts: 0 }],
    [c.receiver, { kind: "none" }],
  ]);
  const world = new World({
    clock: chain.startedAt,
    feeBps: 250,
    feeRecipient: eoa.treasury!,
    feeHistory: [{ at: chain.deployedAt, fee: 250 }],
    payees,
    receiver: c.receiver,
  });

  const buyers = [eoa.alice!, eoa.bob!, eoa.carol!, eoa.dave!];
  // Where tokens go: mostly people, sometimes a contract (with or without the receiver hook) or nobody.
  const recipients = [
    eoa.alice!,
    eoa.bob!,
    eoa.carol!,
    eoa.alice!,
    eoa.bob!,
    eoa.carol!,
    eoa.dave!,
    c.receiver,
    c.refusingFunding,
    zeroAddress,
  ];
  const holders = [eoa.alice!, eoa.bob!, eoa.carol!, eoa.dave!, c.receiver, c.refusingFunding];
  const spenders = [eoa.alice!, eoa.bob!, eoa.carol!, eoa.dave!, zeroAddress];
  const referrers = [
    zeroAddress,
    zeroAddress,
    eoa.dave!,
    eoa.erin!,
    eoa.alice!,
    c.refusingFunding,
    c.refusingTreasury,
    eoa.carol!,
  ];
  const referrersWatched = [eoa.dave!, eoa.erin!, eoa.alice!, eoa.carol!, c.refusingFunding, c.refusingTreasury];
  const fundingRecipients = [
    eoa.funding!,
    eoa.funding!,
    eoa.funding!,
    c.refusingFunding,
    c.refusingFunding,
    c.reenterSwallow,
    c.reenterStrict,
    c.refusingTreasury,
    eoa.treasury2!,
    eoa.funding!,
  ];
  const feeRecipients = [eoa.treasury!, eoa.treasury2!, c.refusingTreasury, zeroAddress];
  // Claimants: people, the fee recipients, and the refusing contracts (which claim through claimFrom).
  const claimants: Address[] = [
    eoa.dave!,
    eoa.erin!,
    eoa.alice!,
    eoa.funding!,
    c.refusingFunding,
    c.refusingTreasury,
    eoa.treasury!,
    eoa.carol!,
  ];
  const claimTargets = [undefined, eoa.sink!, c.refusingFunding, c.reenterSwallow, c.reenterStrict];
  const watched = [
    ...Object.values(eoa),
    c.refusingFunding,
    c.refusingTreasury,
    c.reenterSwallow,
    c.reenterStrict,
    c.receiver,
  ];
  const authors = [eoa.author!, eoa.author2!];
  const kindOf = (account: Address) => {
    if (account === c.reenterSwallow) return "re-entering, swallowing";
    if (account === c.reenterStrict) return "re-entering, refusing";
    const payee = world.payees.get(account);
    return payee ? payee.kind : "person";
  };
  let contentCounter = 0;

  const etherAtStart = await chain.probe.read.etherBalances([watched]);

  // Sends a transaction at the model's next second; resolves on success, rejects with the revert.
  const send = async (from: Address, to: Address, data: Hex, value = 0n) => {
    await hre.network.provider.send("evm_setNextBlockTimestamp", [toHex(world.tick())]);
    return hre.network.provider.request({
      method: "eth_sendTransaction",
      params: [{ from, to, data, value: toHex(value), gas: GAS, maxFeePerGas: "0x0", maxPriorityFeePerGas: "0x0" }],
    });
  };
  const expectOutcome = async (outcome: Outcome, call: () => Promise<unknown>) => {
    const key = `${current}: ${"revert" in outcome ? outcome.revert : "ok"}`;
    coverage.set(key, (coverage.get(key) ?? 0) + 1);
    if ("revert" in outcome) {
      await expectRevert(call(), outcome.revert, outcome.args.length > 0 ? outcome.args : undefined);
    } else {
      await call();
      outcome.apply();
      succeeded = true;
    }
  };
  let succeeded = false;
  const editionCall =
    (edition: EditionModel, from: Address, data: Hex, value = 0n) =>
    () =>
      send(from, edition.address, data, value);
  const edition = (e: number) => world.editions[e % world.editions.length]!;
  // Mostly a minted token (anywhere in a run), sometimes the next, unminted one.
  const tokenId = (target: EditionModel, token: number) =>
    target.minted === 0 || token % 10 === 0 ? target.minted + 1 : (token % target.minted) + 1;
  const owedBy = (target: EditionModel) =>
    [
      ...target.referral.keys(),
      ...(target.fundingCredit !== 0n ? [target.fundingRecipient] : []),
      ...(target.platformCredit !== 0n ? [world.feeRecipient] : []),
      ...(target.splitCredit !== 0n ? [target.params.splitRecipient] : []),
    ].filter((account) => claimants.includes(account));
  /** Someone the owner let move the token, if anyone (else dave). */
  const delegate = (target: EditionModel, owner: Address, id: number, caller: number) => {
    const approved = target.exists(id) ? target.approved[id - 1]! : zeroAddress;
    if (buyers.includes(approved) && caller % 2 === 1) return approved;
    return buyers.find((operator) => target.isOperator(owner, operator)) ?? buyers[caller]!;
  };
  const note = (key: string) => coverage.set(key, (coverage.get(key) ?? 0) + 1);
  const ed = (functionName: string, args: readonly unknown[]) =>
    encodeFunctionData({ abi: chain.editionAbi, functionName, args } as never);
  const fac = (functionName: string, args: readonly unknown[]) =>
    encodeFunctionData({ abi: chain.factory.abi, functionName, args } as never);

  const paramsOf = (t: Terms): EditionParams => {
    contentCounter += 1;
    const fee = t.fee < FEES.length ? FEES[t.fee]! : t.fee === 9 ? 501 : world.feeBps;
    return {
      name: `Essay ${contentCounter}`,
      symbol: "ESSAY",
      contentId: bytes32(contentCounter),
      metadataId: bytes32(0x12),
      price: PRICES[t.price]!,
      limit: BigInt(LIMITS[t.limit]!),
      fundingRecipient: fundingRecipients[t.funding]!,
      royaltyBps: t.badRoyalty ? 10_001 : 1_000,
      feeBps: fee,
      referralBps: REFERRALS[t.referral]!,
      // A publication's share, paid to one of the funding recipients' kinds (some refuse ether).
      splitRecipient: SPLITS[t.split] === 0 ? zeroAddress : fundingRecipients[(t.funding + 3) % fundingRecipients.length]!,
      splitBps: SPLITS[t.split]!,
    };
  };
  // Terms with too large a split have no address (the factory refuses to pack them): the zero address
  // stands in, and every call with them reverts before it matters.
  const predictAddress = async (author: Address, params: EditionParams) =>
    params.splitBps > 10_000 ? zeroAddress : getAddress(await chain.factory.read.predictAddress([author, params]));

  /** Aims a re-entering contract at `edition` before it may be paid from it. */
  const arm = async (recipient: Address, target: EditionModel, reenterClaim: boolean) => {
    if (recipient !== c.reenterSwallow && recipient !== c.reenterStrict) return;
    const data = encodeFunctionData({
      abi: chain.reenterSwallow.abi,
      functionName: "arm",
      args: [target.address, reenterClaim ? 1 : 0, recipient === c.reenterSwallow],
    });
    await send(eoa.stranger!, recipient, data);
  };

  const createDirect = async (author: Address, params: EditionParams) => {
    const address = await predictAddress(author, params);
    await expectOutcome(world.predictCreate(author, params, address), () =>
      send(author, c.factory, fac("create", [params]))
    );
    return address;
  };

  /** Runs one action; returns the edition it concerned, if any. */
  const step = async (a: Action): Promise<EditionModel | undefined> => {
    switch (a.t) {
      case "purchase": {
        const target = edition(a.e);
        const buyer = buyers[a.buyer]!;
        const to = recipients[a.to]!;
        const value = a.exact ? target.price : target.price + 1n;
        const message = a.message ? MESSAGE : "";
        await expectOutcome(
          world.predictPurchase(target, buyer, to, value),
          // A buyer collecting for itself sends `buy`, as the app does; for someone else, `purchase`.
          editionCall(target, buyer, to.toLowerCase() === buyer.toLowerCase() ? ed("buy", [message]) : ed("purchase", [to, message]), value)
        );
        return target;
      }
      case "collect": {
        const target = edition(a.e);
        const buyer = buyers[a.buyer]!;
        const to = recipients[a.to]!;
        const referrer = referrers[a.referrer]!;
        const value = target.price * BigInt(a.quantity) + (a.exact ? 0n : 1n);
        const message = a.message ? MESSAGE : "";
        await expectOutcome(
          world.predictCollect(target, buyer, to, a.quantity, referrer, value),
          editionCall(target, buyer, ed("collect", [to, BigInt(a.quantity), referrer, message]), value)
        );
        return target;
      }
      case "ownerMint": {
        const target = edition(a.e);
        const caller = a.byAuthor ? target.author : buyers[a.to % buyers.length]!;
        const to = recipients[a.to]!;
        await expectOutcome(
          world.predictOwnerMint(target, caller, to),
          editionCall(target, caller, ed("ownerMint", [to]))
        );
        return target;
      }
      case "transfer": {
        const target = edition(a.e);
        const id = tokenId(target, a.token);
        const owner = target.exists(id) ? target.ownerOf(id) : eoa.alice!;
        // The caller is usually the owner when the owner can send; else someone who may be approved.
        const caller = buyers.includes(owner) && a.caller !== 3 ? owner : delegate(target, owner, id, a.caller);
        const from = a.wrongFrom ? holders[(holders.indexOf(owner) + 1) % holders.length]! : owner;
        const to = recipients[a.to]!;
        const data = a.safe
          ? ed("safeTransferFrom", [from, to, BigInt(id)])
          : ed("transferFrom", [from, to, BigInt(id)]);
        const outcome = world.predictTransfer(target, caller, from, to, id, a.safe);
        // Where in the token's history the transfer happens, for the coverage summary.
        const insideRun = target.exists(id) && !target.runStarts.has(id) && !target.moved.has(id);
        await expectOutcome(outcome, editionCall(target, caller, data));
        if ("apply" in outcome) {
          target.moved.add(id);
          const by = caller === owner ? "owner" : target.isOperator(owner, caller) ? "operator" : "approved";
          note(`transfer: ${a.safe ? "safe " : ""}by ${by}${insideRun ? ", from inside a batch" : ""}`);
        }
        return target;
      }
      case "approve": {
        const target = edition(a.e);
        const id = tokenId(target, a.token);
        const owner = target.exists(id) ? target.ownerOf(id) : eoa.alice!;
        const caller = buyers.includes(owner) && a.caller !== 3 ? owner : buyers[a.caller]!;
        const spender = spenders[a.spender]!;
        await expectOutcome(
          world.predictApprove(target, caller, spender, id),
          editionCall(target, caller, ed("approve", [spender, BigInt(id)]))
        );
        return target;
      }
      case "approveAll": {
        const target = edition(a.e);
        const caller = buyers[a.caller]!;
        const operator = spenders[a.operator]!;
        await expectOutcome(
          world.predictSetApprovalForAll(target, caller, operator, a.approved),
          editionCall(target, caller, ed("setApprovalForAll", [operator, a.approved]))
        );
        return target;
      }
      case "receiverMode": {
        const data = encodeFunctionData({ abi: chain.receiver.abi, functionName: "setMode", args: [a.mode] });
        await send(eoa.stranger!, c.receiver, data);
        world.receiverMode = a.mode;
        break;
      }
      case "setLimit": {
        const target = edition(a.e);
        const caller = a.byAuthor ? target.author : eoa.alice!;
        const candidates = [
          0,
          target.minted - 1,
          target.minted,
          target.minted + 1,
          target.minted + 4,
          target.limit - 1,
          target.limit,
        ];
        const limit = Math.max(0, candidates[a.pick]!);
        await expectOutcome(
          world.predictSetLimit(target, caller, limit),
          editionCall(target, caller, ed("setLimit", [BigInt(limit)]))
        );
        return target;
      }
      case "freezeLimit": {
        const target = edition(a.e);
        const caller = a.byAuthor ? target.author : eoa.bob!;
        await expectOutcome(
          world.predictFreezeLimit(target, caller),
          editionCall(target, caller, ed("freezeLimit", []))
        );
        return target;
      }
      case "setFundingRecipient": {
        const target = edition(a.e);
        const caller = a.byAuthor ? target.author : eoa.funding!;
        const recipient = [
          c.refusingFunding,
          c.reenterSwallow,
          c.reenterStrict,
          c.refusingTreasury,
          eoa.funding!,
          zeroAddress,
        ][a.recipient]!;
        await expectOutcome(
          world.predictSetFundingRecipient(target, caller, recipient),
          editionCall(target, caller, ed("setFundingRecipient", [recipient]))
        );
        return target;
      }
      case "setAccepting": {
        const contract = a.which === 0 ? chain.refusingFunding : chain.refusingTreasury;
        const data = encodeFunctionData({ abi: contract.abi, functionName: "setAccepting", args: [a.accepting] });
        await send(eoa.stranger!, getAddress(contract.address), data);
        const payee = world.payees.get(getAddress(contract.address));
        if (payee?.kind === "refusing") payee.accepting = a.accepting;
        break;
      }
      case "withdraw": {
        const target = edition(a.e);
        await arm(target.fundingRecipient, target, a.reenterClaim);
        if (target.params.splitBps !== 0) await arm(target.params.splitRecipient, target, a.reenterClaim);
        const caller = [eoa.stranger!, target.author, eoa.alice!][a.caller]!;
        const outcome = world.predictWithdraw(target);
        const before = {
          funding: world.ether.get(target.fundingRecipient),
          platform: world.ether.get(world.feeRecipient),
        };
        await expectOutcome(outcome, editionCall(target, caller, ed("withdraw", [])));
        if ("apply" in outcome) {
          const fate = (credit: bigint, paid: boolean) => (credit !== 0n ? "deferred" : paid ? "paid" : "none due");
          const fundingPaid = world.ether.get(target.fundingRecipient) !== before.funding;
          const platformPaid = world.ether.get(world.feeRecipient) !== before.platform;
          note(`withdraw: funding ${fate(target.fundingCredit, fundingPaid)} (${kindOf(target.fundingRecipient)})`);
          note(`withdraw: platform ${fate(target.platformCredit, platformPaid)} (${kindOf(world.feeRecipient)})`);
          if (target.params.splitBps !== 0) note(`withdraw: split of ${target.params.splitBps} bps ${target.splitCredit !== 0n ? "deferred" : "settled"} (${kindOf(target.params.splitRecipient)})`);
        }
        return target;
      }
      case "claim": {
        // Usually an edition that owes someone who can call claim (a person or a refusing recipient).
        const owing = world.editions.filter((model) => owedBy(model).length > 0);
        const target = a.e < 6 && owing.length > 0 ? owing[a.e % owing.length]! : edition(a.e);
        const owed = owedBy(target);
        const claimant = a.claimant < 5 && owed.length > 0 ? owed[a.claimant % owed.length]! : claimants[a.claimant]!;
        const to = claimTargets[a.to] ?? claimant;
        await arm(to, target, a.reenterClaim);
        const outcome = world.predictClaim(target, claimant, to);
        if ("apply" in outcome) {
          const what = [
            target.referral.has(claimant) ? "referral" : "",
            target.fundingCredit !== 0n && claimant === target.fundingRecipient ? "funding" : "",
            target.platformCredit !== 0n && claimant === world.feeRecipient ? "platform" : "",
            target.splitCredit !== 0n && claimant === target.params.splitRecipient ? "split" : "",
          ];
          note(`claim: ${what.filter(Boolean).join("+")} by ${kindOf(claimant)} to ${kindOf(to)}`);
        }
        if (world.isContract(claimant)) {
          // A refusing recipient claims through its own contract.
          const data = encodeFunctionData({
            abi: chain.refusingFunding.abi,
            functionName: "claimFrom",
            args: [target.address, to],
          });
          await expectOutcome(outcome, () => send(eoa.stranger!, claimant, data));
        } else {
          await expectOutcome(outcome, editionCall(target, claimant, ed("claim", [to])));
        }
        return target;
      }
      case "setFee": {
        const caller = a.byOwner ? eoa.platform! : eoa.author!;
        const fee = a.fee < FEES.length ? FEES[a.fee]! : 501;
        const recipient = feeRecipients[a.recipient]!;
        const now = world.clock + 1n;
        await expectOutcome(world.predictSetFee(caller, eoa.platform!, fee, recipient, now), () =>
          send(caller, c.factory, fac("setFee", [fee, recipient]))
        );
        expect(await chain.factory.read.feeBps()).toBe(world.feeBps);
        expect(getAddress(await chain.factory.read.feeRecipient())).toBe(world.feeRecipient);
        break;
      }
      case "create": {
        const offer = world.offers.length > 0 && a.fromOffer ? world.offers[a.offer % world.offers.length] : undefined;
        const author = offer ? offer.author : authors[a.author]!;
        const params = offer ? offer.params : paramsOf(a.terms);
        return world.byAddress.get(await createDirect(author, params));
      }
      case "sign": {
        const author = authors[a.author]!;
        const params = paramsOf(a.terms);
        const salt = toHex(a.salt + 1, { size: 32 });
        const deadline = world.clock + DEADLINES[a.deadline]!;
        const signer = chain.signers.get(a.forged ? authors[1 - a.author]! : author)!;
        const signature = await signer.signTypedData({
          account: signer.account,
          ...editionTypedData({ chainId: chain.chainId, factory: c.factory, author, params, salt, deadline }),
        });
        const offer: Offer = {
          params,
          author,
          salt,
          deadline,
          signature,
          forged: a.forged,
          address: await predictAddress(author, params),
        };
        world.offers.push(offer);
        break;
      }
      case "lazy": {
        if (world.offers.length === 0) break;
        const offer = world.offers[a.offer % world.offers.length]!;
        const buyer = buyers[a.buyer]!;
        const to = recipients[a.to]!;
        const referrer = referrers[a.referrer]!;
        const value = offer.params.price * BigInt(a.quantity) + (a.exact ? 0n : 1n);
        const message = a.message ? MESSAGE : "";
        const auth = { author: offer.author, salt: offer.salt, deadline: offer.deadline, signature: offer.signature };
        const outcome = world.predictCreateWithSignature(
          offer,
          buyer,
          to,
          a.quantity,
          referrer,
          value,
          world.clock + 1n
        );
        const created = !world.byAddress.has(offer.address);
        await expectOutcome(outcome, () =>
          send(
            buyer,
            c.factory,
            fac("createWithSignature", [offer.params, auth, to, BigInt(a.quantity), referrer, message]),
            value
          )
        );
        if (created && "apply" in outcome)
          note(
            `lazy: created at fee ${world.byAddress.get(offer.address)!.feeBps} (signed ${
              offer.params.feeBps
            }, factory ${world.feeBps})`
          );
        if (created && world.byAddress.has(offer.address)) {
          expect(await chain.factory.read.isEdition([offer.address])).toBe(true);
        }
        return world.byAddress.get(offer.address);
      }
      case "cancel": {
        if (world.offers.length === 0) break;
        const offer = world.offers[a.offer % world.offers.length]!;
        await expectOutcome(world.predictCancel(offer.author, offer.salt), () =>
          send(offer.author, c.factory, fac("cancelSignature", [offer.salt]))
        );
        break;
      }
      case "wait": {
        world.clock += WAITS[a.delta]!;
        break;
      }
    }
    return undefined;
  };

  /**
   * Compares `editions` in full, and the ether of every account and every edition, with the model.
   */
  const checkInvariants = async (editions: readonly EditionModel[]) => {
    for (const model of editions) {
      const state = await chain.probe.read.inspect([model.address, holders, buyers, referrersWatched]);
      // The probe predates splits: the split recipient's credit is read from the edition itself.
      const splitCredit = await (await hre.viem.getContractAt("WritingEditions", model.address)).read.pendingSplitPayment();

      const expected = {
        supply: BigInt(model.minted),
        limit: BigInt(model.limit),
        feeBps: BigInt(model.feeBps),
        balance: model.balance,
        fundingCredit: model.fundingCredit,
        platformCredit: model.platformCredit,
        splitCredit: model.splitCredit,
        referralCredits: model.referralTotal,
        fundingRecipient: model.fundingRecipient,
        limitFrozen: model.frozen,
        pastEndIsNonexistent: true,
        owners: model.owners,
        approved: model.approved,
        balances: holders.map((holder) => model.balanceOf(holder)),
        operators: buyers.flatMap((owner) => buyers.map((operator) => model.isOperator(owner, operator))),
        referralCreditOf: referrersWatched.map((referrer) => model.referral.get(referrer) ?? 0n),
      };
      const actual = {
        ...state,
        splitCredit,
        fundingRecipient: getAddress(state.fundingRecipient),
        owners: state.owners.map((owner) => getAddress(owner)),
        approved: state.approved.map((approved) => getAddress(approved)),
      };
      expect(actual, `edition ${model.address}`).toEqual(expected);
      // The limit is never exceeded, and the edition holds exactly what it owes.
      if (state.limit !== 0n) expect(state.supply).toBeLessThanOrEqual(state.limit);
      expect(state.balance).toBe(state.fundingCredit + state.platformCredit + state.referralCredits + splitCredit + model.proceeds);
    }
    const ether = await chain.probe.read.etherBalances([[...watched, ...world.editions.map((model) => model.address)]]);
    let moved = 0n;
    let held = 0n;
    const actual: Record<string, bigint> = {};
    const expected: Record<string, bigint> = {};
    for (const [i, account] of watched.entries()) {
      const delta = ether[i]! - etherAtStart[i]!;
      moved += delta;
      actual[account] = delta;
      expected[account] = world.ether.get(account) ?? 0n;
    }
    for (const [i, model] of world.editions.entries()) {
      const balance = ether[watched.length + i]!;
      held += balance;
      actual[model.address] = balance;
      expected[model.address] = model.balance;
    }
    // Every account and every edition holds exactly what the model says ...
    expect(actual).toEqual(expected);
    // ... and ether is conserved: what buyers paid in is in the editions or was paid out.
    expect(moved + held).toBe(0n);
  };

  const checkReentry = async () => {
    for (const [contract, address] of [
      [chain.reenterSwallow, c.reenterSwallow],
      [chain.reenterStrict, c.reenterStrict],
    ] as const) {
      expect(await contract.read.successes(), "a re-entry succeeded").toBe(0n);
      const payee = world.payees.get(address);
      expect(await contract.read.attempts()).toBe(BigInt(payee?.kind === "reentering" ? payee.attempts : -1));
    }
  };

  // The run's starting fee, and one edition created by its author.
  const fee = FEES[initialFee]!;
  await expectOutcome(world.predictSetFee(eoa.platform!, eoa.platform!, fee, eoa.treasury!, world.clock + 1n), () =>
    send(eoa.platform!, c.factory, fac("setFee", [fee, eoa.treasury!]))
  );
  const first = paramsOf(initialTerms);
  await createDirect(eoa.author!, {
    ...first,
    feeBps: Math.min(500, Math.max(first.feeBps, fee)),
    royaltyBps: 1_000,
    referralBps: Math.min(first.referralBps, 5_000),
    ...(first.splitBps > 10_000 ? { splitRecipient: zeroAddress, splitBps: 0 } : {}),
  });
  expect(world.editions).toHaveLength(1);

  for (const [index, a] of actions.entries()) {
    current = a.t;
    try {
      succeeded = false;
      const touched = await step(a);
      await checkInvariants(CHECK_ALL ? world.editions : touched && succeeded ? [touched] : []);
      if (a.t === "withdraw" || a.t === "claim") await checkReentry();
    } catch (error) {
      throw new Error(`step ${index} ${JSON.stringify(a)}: ${(error as Error).message}`, { cause: error });
    }
  }
  await checkReentry();
  await checkInvariants(world.editions);
  expect(await chain.factory.read.feeBps()).toBe(world.feeBps);
  expect(getAddress(await chain.factory.read.feeRecipient())).toBe(world.feeRecipient);
  for (const model of world.editions) expect(await chain.factory.read.isEdition([model.address])).toBe(true);
  for (const offer of world.offers) {
    expect(await chain.factory.read.isEdition([offer.address])).toBe(world.byAddress.has(offer.address));
  }
  return world;
}

describe("editions v2: model-based properties", () => {
  it(
    `keeps tokens, limits and every wei as the model says (${NUM_RUNS} runs of up to ${MAX_STEPS} steps, seed ${SEED})`,
    async () => {
      const started = performance.now();
      let steps = 0;
      let runs = 0;
      await fc.assert(
        fc.asyncProperty(scenario, async ({ fee, terms: initial, actions }) => {
          // The in-process chain keeps every state it ever had (snapshots included) and slows down as
          // it grows: a long run starts afresh now and then (the fixture then deploys again).
          if (runs > 0 && runs % RESET_EVERY === 0) await hre.network.provider.send("hardhat_reset");
          runs += 1;
          const chain = await load();
          await run(chain, fee, initial, actions);
          steps += actions.length;
        }),
        { numRuns: NUM_RUNS, seed: SEED, path: process.env.PROPERTY_PATH }
      );
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      console.log(`properties: ${NUM_RUNS} runs, ${steps} steps in ${seconds} s (seed ${SEED})`);
      // The summary of outcomes shows what the runs reached (printed for the deep run).
      if (process.env.PROPERTY_RUNS)
        console.log(
          [...coverage]
            .sort()
            .map(([key, count]) => `${key} ${count}`)
            .join("\n")
        );
    },
    Math.max(120_000, NUM_RUNS * 2_000)
  );
});
