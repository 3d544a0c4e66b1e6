import { getAddress, zeroAddress, type Address } from "viem";
import type { Database } from "~/db.server";
import { writerName } from "~/modules/subscriptions/subscribers.server";

const BPS = 10_000;

/**
 * Who an edition's proceeds (after the platform fee) go to: the writer alone, or a share fixed for a
 * publication. The share is part of the terms the writer signs, so it cannot change afterwards; only
 * the publication can move its share to another address on chain.
 */
export interface PayoutTerms {
  /** The publication's payout address, or the zero address when the writer takes everything. */
  splitRecipient: Address;
  /** The publication's basis points of the proceeds after the fee: 0 (writer only) to 10,000 (publication only). */
  splitBps: number;
  /** The publication's name, for the statement of the terms; null for an entry outside a publication. */
  publicationName: string | null;
}

/**
 * The terms an entry's edition takes from its publication's payout settings: `writer` pays the writer
 * alone, `publication` the publication alone, `split` the publication its `splitBps`. The publication's
 * share goes to its payout address, or its owner's wallet when none is set.
 */
export async function payoutTermsFor(db: Database, entry: { publicationId: string | null }): Promise<PayoutTerms> {
  if (!entry.publicationId) return { splitRecipient: zeroAddress, splitBps: 0, publicationName: null };
  const publication = await db.publication.findUnique({
    where: { writerId: entry.publicationId },
    select: { payout: true, splitBps: true, payoutAddress: true, ownerAddress: true, account: { select: { address: true, handle: true, displayName: true, ensName: true } } },
  });
  if (!publication) return { splitRecipient: zeroAddress, splitBps: 0, publicationName: null };
  const publicationName = writerName(publication.account);
  // The settings take 0 to 10,000 basis points only (updatePayouts).
  const splitBps = publication.payout === "publication" ? BPS : publication.payout === "split" ? publication.splitBps : 0;
  if (splitBps === 0) return { splitRecipient: zeroAddress, splitBps: 0, publicationName };
  return { splitRecipient: getAddress(publication.payoutAddress ?? publication.ownerAddress), splitBps, publicationName };
}

const percent = (bps: number) => `${bps / 100}%`;

/** How much of the proceeds after the fee the writer keeps under a split of `splitBps`. */
export function writerShare(splitBps: number): "all" | "part" | "none" {
  return splitBps === 0 ? "all" : splitBps < BPS ? "part" : "none";
}

/** The terms in words, as the writer's form states them: "Proceeds: 70% to you, 30% to The Quarterly." */
export function payoutStatement(terms: Pick<PayoutTerms, "splitBps" | "publicationName">): string {
  const name = terms.publicationName ?? "the publication";
  switch (writerShare(terms.splitBps)) {
    case "all":
      return "Proceeds: 100% to you.";
    case "none":
      return `Proceeds: 100% to ${name}.`;
    case "part":
      return `Proceeds: ${percent(BPS - terms.splitBps)} to you, ${percent(terms.splitBps)} to ${name}.`;
  }
}

/**
 * What a withdrawal of `held` wei pays each payee, rounded as the edition rounds: the platform's fee
 * first, then the publication's share rounded down, the writer the rest. The three sum to `held`.
 */
export function sharesOf(held: bigint, edition: { feeBps: number; splitBps: number }) {
  const platform = (held * BigInt(edition.feeBps)) / BigInt(BPS);
  const publication = ((held - platform) * BigInt(edition.splitBps)) / BigInt(BPS);
  return { platform, publication, writer: held - platform - publication };
}
