// A model of the editions system for the property test (properties.test.ts): the factory's fee and its
// history, every edition's tokens, approvals, limit and payments, and the ether of every account. Each
// `predict*` method says what the contracts must do for one call (a revert with its custom error and
// arguments, or a success whose effects `apply` writes into the model); the test sends the call and
// compares. Written from the contracts' documented behaviour, not from their code paths.
import { type Address, type Hex, zeroAddress } from "viem";
import type { EditionParams } from "../../contracts/typed-data";

export const BPS = 10_000n;
export const MAX_FEE_BPS = 500;
export const MAX_REFERRAL_BPS = 5_000;
export const MAX_SPLIT_BPS = 10_000;
export const MAX_ROYALTY_BPS = 10_000;
export const MAX_QUANTITY = 50;
export const SIGNATURE_LIFETIME = 366n * 24n * 3600n;

export type Outcome = { revert: string; args: readonly unknown[] } | { apply: () => void };
const revert = (error: string, ...args: unknown[]): Outcome => ({ revert: error, args });

/** How an address takes ether. */
export type Payee =
  | { kind: "eoa" }
  /** RevertingRecipient: takes ether only while accepting. */
  | { kind: "refusing"; accepting: boolean }
  /**
   * ReenteringRecipient, armed on the paying edition before every payment: the first payment it gets
   * makes it try to re-enter, which must fail; `swallow` hides the failure and keeps the payment (and
   * it never tries again), otherwise it refuses the payment (and the attempt is rolled back with it).
   */
  | { kind: "reentering"; swallow: boolean; attempts: number }
  /** A contract without `receive` (MockERC721Receiver). */
  | { kind: "none" };

/** MockERC721Receiver's modes, in its enum order. */
export const RECEIVER_MODES = ["Accept", "WrongValue", "RevertWithReason", "RevertEmpty"] as const;

export type Offer = {
  params: EditionParams;
  author: Address;
  salt: Hex;
  deadline: bigint;
  signature: Hex;
  /** Signed by someone other than `author`. */
  forged: boolean;
  /** `predictAddress(author, params)`. */
  address: Address;
};

export class EditionModel {
  minted = 0;
  /** The author's limit; 0 until set, when the terms' applies. */
  limitSet = 0;
  frozen = false;
  owners: Address[] = [];
  approved: Address[] = [];
  operators = new Set<string>();
  movedFunding: Address | undefined;
  /** Sale proceeds not yet split by a withdrawal. */
  proceeds = 0n;
  fundingCredit = 0n;
  platformCredit = 0n;
  /** The split recipient's payments that could not be sent. */
  splitCredit = 0n;
  referral = new Map<Address, bigint>();
  /** For coverage notes: the first id of each mint, and ids transferred since. */
  runStarts = new Set<number>();
  moved = new Set<number>();

  constructor(
    readonly address: Address,
    readonly author: Address,
    readonly params: EditionParams,
    readonly feeBps: number
  ) {}

  get price() {
    return this.params.price;
  }
  get limit() {
    return this.limitSet !== 0 ? this.limitSet : Number(this.params.limit);
  }
  get fundingRecipient(): Address {
    return this.movedFunding ?? this.params.fundingRecipient;
  }
  get referralTotal() {
    let total = 0n;
    for (const credit of this.referral.values()) total += credit;
    return total;
  }
  /** The ether the edition must hold: every wei paid in and not yet paid out. */
  get balance() {
    return this.proceeds + this.fundingCredit + this.platformCredit + this.splitCredit + this.referralTotal;
  }
  ownerOf(id: number): Address {
    return this.owners[id - 1]!;
  }
  exists(id: number) {
    return id >= 1 && id <= this.minted;
  }
  isOperator(owner: Address, operator: Address) {
    return this.operators.has(`${owner}|${operator}`);
  }
  balanceOf(holder: Address) {
    return BigInt(this.owners.filter((owner) => owner === holder).length);
  }
}

export class World {
  clock: bigint;
  feeBps: number;
  feeRecipient: Address;
  /** Every fee ever set, oldest first. */
  feeHistory: { at: bigint; fee: number }[];
  /** Ether each watched account gained (negative: spent) since the run began. */
  ether = new Map<Address, bigint>();
  payees = new Map<Address, Payee>();
  receiverMode = 0;
  receiver: Address;
  editions: EditionModel[] = [];
  byAddress = new Map<Address, EditionModel>();
  cancelled = new Set<string>();
  offers: Offer[] = [];

  constructor(args: {
    clock: bigint;
    feeBps: number;
    feeRecipient: Address;
    feeHistory: { at: bigint; fee: number }[];
    payees: Map<Address, Payee>;
    receiver: Address;
  }) {
    this.clock = args.clock;
    this.feeBps = args.feeBps;
    this.feeRecipient = args.feeRecipient;
    this.feeHistory = [...args.feeHistory];
    this.payees = args.payees;
    this.receiver = args.receiver;
  }

  /** The timestamp of the next transaction: every transaction gets its own second. */
  tick() {
    this.clock += 1n;
    return this.clock;
  }

  private credit(account: Address, amount: bigint) {
    this.ether.set(account, (this.ether.get(account) ?? 0n) + amount);
  }

  isContract(account: Address) {
    const payee = this.payees.get(account);
    return payee !== undefined && payee.kind !== "eoa";
  }

  /** Whether `account` would take a payment now (without changing anything). */
  accepts(account: Address): boolean {
    const payee = this.payees.get(account) ?? { kind: "eoa" };
    switch (payee.kind) {
      case "eoa":
        return true;
      case "refusing":
        return payee.accepting;
      case "reentering":
        return payee.attempts !== 0 || payee.swallow;
      case "none":
        return false;
    }
  }

  /** Records a payment that `accepts` said would be taken. */
  private deliver(account: Address, amount: bigint) {
    this.credit(account, amount);
    const payee = this.payees.get(account);
    if (payee?.kind === "reentering" && payee.attempts === 0) payee.attempts = 1;
  }

  /** `factory.lowestFeeSince(since)`: the lowest fee in effect at any time from `since` until now. */
  lowestFeeSince(since: bigint) {
    let lowest = Number.MAX_SAFE_INTEGER;
    for (let i = this.feeHistory.length - 1; i >= 0; i--) {
      const entry = this.feeHistory[i]!;
      lowest = Math.min(lowest, entry.fee);
      if (entry.at <= since) break;
    }
    return lowest;
  }

  // ----- factory -----

  predictSetFee(caller: Address, owner: Address, fee: number, recipient: Address, now: bigint): Outcome {
    if (caller !== owner) return revert("OwnableUnauthorizedAccount", caller);
    if (fee > MAX_FEE_BPS) return revert("FeeTooHigh", BigInt(fee));
    if (recipient === zeroAddress) return revert("ZeroAddress");
    return {
      apply: () => {
        this.feeBps = fee;
        this.feeRecipient = recipient;
        this.feeHistory.push({ at: now, fee });
      },
    };
  }

  /**
   * The checks of an edition's creation; `deadline` is the signature's for a lazy creation, undefined
   * for the author's own. Returns the fee the edition takes, or the revert.
   */
  private creation(params: EditionParams, address: Address, deadline?: bigint): { fee: number } | Outcome {
    let fee = this.feeBps;
    if (params.feeBps < fee) {
      let required = fee;
      if (deadline !== undefined) {
        required = this.lowestFeeSince(deadline > SIGNATURE_LIFETIME ? deadline - SIGNATURE_LIFETIME : 0n);
      }
      if (params.feeBps < required) return revert("FeeNotAccepted", BigInt(required), BigInt(params.feeBps));
      fee = params.feeBps;
    }
    if (params.feeBps > MAX_FEE_BPS) return revert("FeeTooHigh", BigInt(params.feeBps));
    if (params.referralBps > MAX_REFERRAL_BPS) return revert("ReferralTooHigh", BigInt(params.referralBps));
    if (params.royaltyBps > MAX_ROYALTY_BPS) return revert("RoyaltyTooHigh", BigInt(params.royaltyBps));
    if (params.fundingRecipient === zeroAddress) return revert("ZeroAddress");
    if (this.byAddress.has(address)) return revert("FailedDeployment");
    return { fee };
  }

  private addEdition(address: Address, author: Address, params: EditionParams, fee: number) {
    const edition = new EditionModel(address, author, params, fee);
    this.editions.push(edition);
    this.byAddress.set(address, edition);
    return edition;
  }

  /** The factory packs the terms before anything else, refusing a malformed split as it does. */
  private splitCheck(params: EditionParams): Outcome | undefined {
    if ((params.splitBps === 0) !== (params.splitRecipient === zeroAddress) || params.splitBps > MAX_SPLIT_BPS) {
      return revert("InvalidSplit", params.splitRecipient, BigInt(params.splitBps));
    }
    return undefined;
  }

  predictCreate(author: Address, params: EditionParams, address: Address): Outcome {
    const split = this.splitCheck(params);
    if (split) return split;
    const checked = this.creation(params, address);
    if ("revert" in checked || "apply" in checked) return checked;
    return { apply: () => void this.addEdition(address, author, params, checked.fee) };
  }

  predictCancel(author: Address, salt: Hex): Outcome {
    return { apply: () => void this.cancelled.add(`${author}|${salt}`) };
  }

  /** `createWithSignature`: creates the edition if it does not exist yet, then collects. */
  predictCreateWithSignature(
    offer: Offer,
    buyer: Address,
    to: Address,
    quantity: number,
    referrer: Address,
    value: bigint,
    now: bigint
  ): Outcome {
    const split = this.splitCheck(offer.params);
    if (split) return split;
    const existing = this.byAddress.get(offer.address);
    if (existing) return this.predictCollect(existing, buyer, to, quantity, referrer, value);
    if (now > offer.deadline) return revert("SignatureExpired", offer.deadline);
    if (this.cancelled.has(`${offer.author}|${offer.salt}`))
      return revert("SignatureWasCancelled", offer.author, offer.salt);
    if (offer.forged) return revert("InvalidSignature");
    const checked = this.creation(offer.params, offer.address, offer.deadline);
    if ("revert" in checked || "apply" in checked) return checked;
    // The sale runs on the new edition; a revert there undoes the creation too.
    const edition = new EditionModel(offer.address, offer.author, offer.params, checked.fee);
    const sale = this.predictCollect(edition, buyer, to, quantity, referrer, value);
    if ("revert" in sale) return sale;
    return {
      apply: () => {
        this.editions.push(edition);
        this.byAddress.set(edition.address, edition);
        sale.apply();
      },
    };
  }

  // ----- sales -----

  private mint(edition: EditionModel, to: Address, quantity: number): Outcome | undefined {
    const limit = edition.limit;
    if (limit !== 0 && edition.minted + quantity > limit) return revert("SoldOut", BigInt(limit));
    if (to === zeroAddress) return revert("ERC721InvalidReceiver", zeroAddress);
    return undefined;
  }

  private recordMint(edition: EditionModel, to: Address, quantity: number) {
    edition.runStarts.add(edition.minted + 1);
    for (let i = 0; i < quantity; i++) {
      edition.owners.push(to);
      edition.approved.push(zeroAddress);
    }
    edition.minted += quantity;
  }

  predictPurchase(edition: EditionModel, buyer: Address, to: Address, value: bigint): Outcome {
    if (value !== edition.price) return revert("IncorrectPayment", edition.price, value);
    const failed = this.mint(edition, to, 1);
    if (failed) return failed;
    return {
      apply: () => {
        this.recordMint(edition, to, 1);
        edition.proceeds += value;
        this.credit(buyer, -value);
      },
    };
  }

  predictCollect(
    edition: EditionModel,
    buyer: Address,
    to: Address,
    quantity: number,
    referrer: Address,
    value: bigint
  ): Outcome {
    if (quantity === 0 || quantity > MAX_QUANTITY) return revert("InvalidQuantity", BigInt(quantity));
    const total = edition.price * BigInt(quantity);
    if (value !== total) return revert("IncorrectPayment", total, value);
    const failed = this.mint(edition, to, quantity);
    if (failed) return failed;
    const reward = referrer === zeroAddress ? 0n : (total * BigInt(edition.params.referralBps)) / BPS;
    return {
      apply: () => {
        this.recordMint(edition, to, quantity);
        edition.proceeds += total - reward;
        if (reward !== 0n) edition.referral.set(referrer, (edition.referral.get(referrer) ?? 0n) + reward);
        this.credit(buyer, -total);
      },
    };
  }

  predictOwnerMint(edition: EditionModel, caller: Address, to: Address): Outcome {
    if (caller !== edition.author) return revert("Unauthorized", caller);
    const failed = this.mint(edition, to, 1);
    if (failed) return failed;
    return { apply: () => this.recordMint(edition, to, 1) };
  }

  // ----- the author's settings -----

  predictSetLimit(edition: EditionModel, caller: Address, limit: number): Outcome {
    if (caller !== edition.author) return revert("Unauthorized", caller);
    if (edition.frozen) return revert("LimitIsFrozen");
    const current = edition.limit;
    if (limit === 0 || limit < edition.minted || (current !== 0 && limit >= current)) {
      return revert("InvalidLimit", BigInt(current), BigInt(limit), BigInt(edition.minted));
    }
    return { apply: () => void (edition.limitSet = limit) };
  }

  predictFreezeLimit(edition: EditionModel, caller: Address): Outcome {
    if (caller !== edition.author) return revert("Unauthorized", caller);
    if (edition.frozen) return revert("LimitIsFrozen");
    return { apply: () => void (edition.frozen = true) };
  }

  predictSetFundingRecipient(edition: EditionModel, caller: Address, recipient: Address): Outcome {
    if (caller !== edition.author) return revert("Unauthorized", caller);
    if (recipient === zeroAddress) return revert("ZeroAddress");
    return { apply: () => void (edition.movedFunding = recipient) };
  }

  // ----- payments -----

  predictWithdraw(edition: EditionModel): Outcome {
    const fee = (edition.proceeds * BigInt(edition.feeBps)) / BPS;
    // The split recipient's share of what the fee leaves, rounded down; the writer takes the rest.
    const share = ((edition.proceeds - fee) * BigInt(edition.params.splitBps)) / BPS;
    const funding = edition.fundingCredit + edition.proceeds - fee - share;
    const platform = edition.platformCredit + fee;
    const split = edition.splitCredit + share;
    if (funding === 0n && platform === 0n && split === 0n) return revert("NothingToWithdraw");
    return {
      apply: () => {
        edition.proceeds = 0n;
        edition.fundingCredit = 0n;
        edition.platformCredit = 0n;
        edition.splitCredit = 0n;
        const fundingTo = edition.fundingRecipient;
        if (funding !== 0n) {
          if (this.accepts(fundingTo)) this.deliver(fundingTo, funding);
          else edition.fundingCredit = funding;
        }
        // The platform's share goes to the factory's fee recipient of the moment.
        if (platform !== 0n) {
          if (this.accepts(this.feeRecipient)) this.deliver(this.feeRecipient, platform);
          else edition.platformCredit = platform;
        }
        if (split !== 0n) {
          if (this.accepts(edition.params.splitRecipient)) this.deliver(edition.params.splitRecipient, split);
          else edition.splitCredit = split;
        }
      },
    };
  }

  predictClaim(edition: EditionModel, claimant: Address, to: Address): Outcome {
    let amount = 0n;
    const funding = edition.fundingCredit !== 0n && claimant === edition.fundingRecipient;
    const platform = edition.platformCredit !== 0n && claimant === this.feeRecipient;
    const split = edition.splitCredit !== 0n && claimant === edition.params.splitRecipient;
    if (funding) amount += edition.fundingCredit;
    if (platform) amount += edition.platformCredit;
    if (split) amount += edition.splitCredit;
    const reward = edition.referral.get(claimant) ?? 0n;
    amount += reward;
    if (amount === 0n) return revert("NothingToClaim", claimant);
    if (!this.accepts(to)) return revert("TransferFailed", to, amount);
    return {
      apply: () => {
        if (funding) edition.fundingCredit = 0n;
        if (platform) edition.platformCredit = 0n;
        if (split) edition.splitCredit = 0n;
        edition.referral.delete(claimant);
        this.deliver(to, amount);
      },
    };
  }

  // ----- ERC-721 -----

  predictTransfer(
    edition: EditionModel,
    caller: Address,
    from: Address,
    to: Address,
    id: number,
    safe: boolean
  ): Outcome {
    if (to === zeroAddress) return revert("ERC721InvalidReceiver", zeroAddress);
    if (!edition.exists(id)) return revert("ERC721NonexistentToken", BigInt(id));
    const owner = edition.ownerOf(id);
    if (owner !== from) return revert("ERC721IncorrectOwner", from, BigInt(id), owner);
    if (caller !== owner && edition.approved[id - 1] !== caller && !edition.isOperator(owner, caller)) {
      return revert("ERC721InsufficientApproval", caller, BigInt(id));
    }
    if (safe && this.isContract(to)) {
      const mode = to === this.receiver ? RECEIVER_MODES[this.receiverMode] : "RevertEmpty";
      if (mode === "RevertWithReason") return revert("Refused", BigInt(id));
      if (mode !== "Accept") return revert("ERC721InvalidReceiver", to);
    }
    return {
      apply: () => {
        edition.approved[id - 1] = zeroAddress;
        edition.owners[id - 1] = to;
      },
    };
  }

  predictApprove(edition: EditionModel, caller: Address, spender: Address, id: number): Outcome {
    if (!edition.exists(id)) return revert("ERC721NonexistentToken", BigInt(id));
    const owner = edition.ownerOf(id);
    if (caller !== owner && !edition.isOperator(owner, caller)) return revert("ERC721InvalidApprover", caller);
    return { apply: () => void (edition.approved[id - 1] = spender) };
  }

  predictSetApprovalForAll(edition: EditionModel, caller: Address, operator: Address, approved: boolean): Outcome {
    if (operator === zeroAddress) return revert("ERC721InvalidOperator", zeroAddress);
    return {
      apply: () => {
        if (approved) edition.operators.add(`${caller}|${operator}`);
        else edition.operators.delete(`${caller}|${operator}`);
      },
    };
  }
}
