import type { Address, Hex } from "viem";

/** `WritingEditions.Payee`: whose share a `Withdrawn` or `PaymentDeferred` names. */
export const PAYEE = { funding: 0, platform: 1, referrer: 2, split: 3 } as const;

/** The terms of one edition, as `WritingEditionsFactory` takes them (`EditionParams` in Solidity). */
export type EditionParams = {
  name: string;
  symbol: string;
  /** Raw 32-byte Arweave transaction id of the essay. */
  contentId: Hex;
  /** Raw 32-byte Arweave transaction id of the JSON metadata every token shares. */
  metadataId: Hex;
  price: bigint;
  /** 0 = open edition. */
  limit: bigint;
  fundingRecipient: Address;
  royaltyBps: number;
  /**
   * The highest platform fee the author accepts: at least the factory's `feeBps()` when signed. The
   * edition takes the factory's fee if it is lower when the edition is created.
   */
  feeBps: number;
  /** Share of each sale credited to the buyer's referrer, 0-5,000 basis points (0: no referral rewards). */
  referralBps: number;
  /**
   * A second payee fixed at creation (a publication's payout address), or the zero address for none.
   * Only it can move its share on chain; the author cannot.
   */
  splitRecipient: Address;
  /** Its share of the proceeds after the platform fee: 0 with no split recipient, else 1-10,000 basis points. */
  splitBps: number;
};

/** EIP-712 types of the message an author signs for lazy creation; mirrors `EDITION_TYPEHASH`. */
export const editionTypes = {
  Edition: [
    { name: "author", type: "address" },
    { name: "name", type: "string" },
    { name: "symbol", type: "string" },
    { name: "contentId", type: "bytes32" },
    { name: "metadataId", type: "bytes32" },
    { name: "price", type: "uint96" },
    { name: "limit", type: "uint64" },
    { name: "fundingRecipient", type: "address" },
    { name: "royaltyBps", type: "uint16" },
    { name: "feeBps", type: "uint16" },
    { name: "referralBps", type: "uint16" },
    { name: "splitRecipient", type: "address" },
    { name: "splitBps", type: "uint16" },
    { name: "salt", type: "bytes32" },
    { name: "deadline", type: "uint256" },
  ],
} as const;

/**
 * Everything viem's `signTypedData` needs (add `account`) for the author to authorise lazy creation of
 * `params` on the factory at `factory` on chain `chainId`.
 */
export function editionTypedData(args: {
  chainId: number;
  factory: Address;
  author: Address;
  params: EditionParams;
  salt: Hex;
  deadline: bigint;
}) {
  const { chainId, factory, author, params, salt, deadline } = args;
  return {
    domain: { name: "WritingEditionsFactory", version: "2", chainId, verifyingContract: factory },
    types: editionTypes,
    primaryType: "Edition",
    message: { author, ...params, salt, deadline },
  } as const;
}
