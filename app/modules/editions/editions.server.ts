import crypto from "node:crypto";
import { encodeFunctionData, formatEther, getAddress, isAddress, isHex, parseEther, toHex, zeroAddress, type Address, type Hex } from "viem";
import { z } from "zod";
import { editionTypedData, PAYEE, type EditionParams } from "../../../contracts/typed-data";
import { writingEditionsAbi, writingEditionsFactoryAbi } from "~/generated/contracts";
import type { Database } from "~/db.server";
import type { Env } from "~/env.server";
import { UserError } from "~/modules/errors.server";
import { queueUpload } from "~/modules/storage/uploads.server";
import { requirePublishable } from "~/modules/text.server";
import { checkSignature, createChainClient } from "./chain.server";
import { editionCover } from "./cover.server";
import { factoryAddress } from "./deployment.server";
import { entryPath, entryUrl } from "~/modules/reading/entry-urls.server";
import { writerName } from "~/modules/subscriptions/subscribers.server";
import { payoutStatement, payoutTermsFor, sharesOf } from "./payouts.server";

/** How long a lazy edition's signature stays usable by a first collector. */
const LAZY_DEADLINE_S = 365 * 24 * 60 * 60;

export const termsSchema = z.object({
  price: z
    .string()
    .trim()
    .regex(/^\d{1,9}(\.\d{1,18})?$/, "The price is an amount of ETH such as 0.01 (or 0 for free).")
    .transform((value) => parseEther(value))
    .refine((wei) => wei < 2n ** 96n, "That price is too high."),
  supply: z
    .string()
    .trim()
    .regex(/^\d{1,7}$/, "The supply is a whole number: 0 for an open edition.")
    .transform(Number),
  royaltyPercent: z
    .string()
    .trim()
    .regex(/^\d{1,2}(\.\d{1,2})?$/, "The royalty is a percentage such as 5 or 7.5.")
    .transform((value) => Math.round(Number(value) * 100))
    .refine((bps) => bps <= 5000, "A royalty can be at most 50%."),
  referralPercent: z
    .string()
    .trim()
    .default("0")
    .refine((value) => /^\d{1,2}(\.\d{1,2})?$/.test(value), "The referral reward is a percentage such as 0 or 10.")
    .transform((value) => Math.round(Number(value) * 100))
    .refine((bps) => bps <= 5000, "A referral reward can be at most 50%."),
  fundingRecipient: z
    .string()
    .trim()
    .refine((value) => value === "" || isAddress(value, { strict: false }), "The funding recipient must be an address.")
    .transform((value) => (value === "" ? undefined : getAddress(value))),
});

export type EditionTerms = z.input<typeof termsSchema>;

const bytes32OfArweaveId = (id: string): Hex => toHex(Buffer.from(id, "base64url"));

/** The most copies one collect buys (`MAX_QUANTITY` in the edition contract). */
export const MAX_COPIES = 50;

function paramsOf(edition: { name: string; symbol: string; contentId: string; metadataId: string; price: string; supplyLimit: number; fundingRecipient: string; royaltyBps: number; feeBps: number; referralBps: number; splitRecipient: string | null; splitBps: number }): EditionParams {
  return {
    name: edition.name,
    symbol: edition.symbol,
    contentId: bytes32OfArweaveId(edition.contentId),
    metadataId: bytes32OfArweaveId(edition.metadataId),
    price: BigInt(edition.price),
    limit: BigInt(edition.supplyLimit),
    fundingRecipient: getAddress(edition.fundingRecipient),
    royaltyBps: edition.royaltyBps,
    feeBps: edition.feeBps,
    referralBps: edition.referralBps,
    splitRecipient: edition.splitRecipient ? getAddress(edition.splitRecipient) : zeroAddress,
    splitBps: edition.splitBps,
  };
}

function requireFactory(env: Env): Address {
  const factory = factoryAddress(env);
  if (!factory) throw new UserError("Editions are not available: no factory is deployed on this chain.", 409);
  return factory;
}

/** The factory's current platform fee in basis points, or null when no factory answers. */
export async function platformFeeBps(env: Env): Promise<number | null> {
  const factory = factoryAddress(env);
  if (!factory) return null;
  const chain = createChainClient(env.chain.rpcUrl, env.chain.id);
  return chain
    .readContract({ address: factory, abi: writingEditionsFactoryAbi, functionName: "feeBps" })
    .then(Number)
    .catch(() => null);
}

/**
 * Step one of making an entry collectible: checks the terms, queues the edition's cover and
 * metadata for Arweave (their ids are fixed now; the worker uploads them), fixes the clone's
 * address (factory.predictAddress) and records the edition as prepared. Returns what the author's
 * wallet needs: the create call (direct) and the typed data (lazy: the first collector deploys),
 * with the cover's and metadata's ids and `status`: `pending` until the gateway serves both.
 */
export async function prepareEdition(db: Database, env: Env, writer: { id: string; address: string; handle: string | null; displayName: string | null }, entryId: string, terms: EditionTerms, now = new Date()) {
  const parsed = termsSchema.safeParse(terms);
  if (!parsed.success) throw new UserError(parsed.error.issues.map((issue) => issue.message).join(" "), 422);
  const entry = await db.entry.findFirst({ where: { id: entryId, writerId: writer.id }, include: { edition: true, publication: { select: { handle: true } } } });
  if (!entry) throw new UserError("There is no such entry of yours.", 404);
  if (entry.edition && entry.edition.status !== "prepared") throw new UserError("This entry is already an edition.", 409);
  const latest = await db.entryVersion.findUniqueOrThrow({ where: { entryId_version: { entryId, version: entry.latestVersion } }, select: { arweaveId: true } });
  const factory = requireFactory(env);
  const chain = createChainClient(env.chain.rpcUrl, env.chain.id);
  const feeBps = Number(await chain.readContract({ address: factory, abi: writingEditionsFactoryAbi, functionName: "feeBps" }));
  // A publication's entry: its share comes from the publication's settings, never from the request.
  const payout = await payoutTermsFor(db, entry);

  const author = getAddress(writer.address);
  const byline = writer.displayName ?? (writer.handle ? `@${writer.handle}` : author);
  const url = entryUrl(env.publicUrl, { ...entry, writer });
  const coverItem = await queueUpload(db, env, writer.id, { data: Buffer.from(editionCover(entry.title, byline)), contentType: "image/svg+xml", kind: "cover", uploader: author });
  const metadata = {
    name: entry.title,
    description: `${entry.excerpt}${entry.excerpt.length >= 280 ? "…" : ""}\n\nRead it at ${url}`,
    image: `ar://${coverItem.id}`,
    external_url: url,
    content: `ar://${latest.arweaveId}`,
    attributes: [
      { trait_type: "Writer", value: byline },
      { trait_type: "Original digest", value: entry.originalDigest },
    ],
  };
  const metadataItem = await queueUpload(db, env, writer.id, { data: Buffer.from(JSON.stringify(metadata)), contentType: "application/json", kind: "metadata", uploader: author });
  const salt = toHex(crypto.randomBytes(32));
  const row = {
    chainId: env.chain.id,
    factory: factory.toLowerCase(),
    author: author.toLowerCase(),
    name: Buffer.from(entry.title).length <= 64 ? entry.title : `${Buffer.from(entry.title).subarray(0, 60).toString("utf8").replace(/\uFFFD$/, "")}…`,
    symbol: "ESSAY",
    price: parsed.data.price.toString(),
    supplyLimit: parsed.data.supply,
    royaltyBps: parsed.data.royaltyPercent,
    // The most the writer accepts: today's fee. A later cut applies when the edition is created.
    feeBps,
    referralBps: parsed.data.referralPercent,
    fundingRecipient: (parsed.data.fundingRecipient ?? author).toLowerCase(),
    splitRecipient: payout.splitBps === 0 ? null : payout.splitRecipient.toLowerCase(),
    splitBps: payout.splitBps,
    contentId: latest.arweaveId,
    metadataId: metadataItem.id,
    salt,
    deadline: Math.floor(now.getTime() / 1000) + LAZY_DEADLINE_S,
  };
  const params = paramsOf(row);
  const address = (await chain.readContract({ address: factory, abi: writingEditionsFactoryAbi, functionName: "predictAddress", args: [author, params] })).toLowerCase();
  const edition = await db.edition.upsert({
    where: { entryId },
    create: { entryId, ...row, address, status: "prepared" },
    update: { ...row, address, status: "prepared", signature: null },
  });
  return {
    editionId: edition.id,
    address: getAddress(address),
    payout: payoutStatement(payout),
    coverId: coverItem.id,
    metadataId: metadataItem.id,
    status: coverItem.status === "confirmed" && metadataItem.status === "confirmed" ? ("confirmed" as const) : ("pending" as const),
    createCall: { to: factory, data: encodeFunctionData({ abi: writingEditionsFactoryAbi, functionName: "create", args: [params] }), value: "0x0" },
    typedData: editionTypedData({ chainId: env.chain.id, factory, author, params, salt, deadline: BigInt(row.deadline) }),
  };
}

/**
 * Step two. Direct: the author sent the create transaction; the edition shows as soon as it is
 * mined and the indexer flips it live. Lazy: the author's EIP-712 signature is checked (plain or
 * contract wallets) and kept; the edition can be collected at once and the first collector deploys it.
 */
export async function confirmEdition(db: Database, env: Env, writer: { id: string; address: string }, editionId: string, input: { mode: "direct"; txHash: string } | { mode: "lazy"; signature: string }) {
  const edition = await db.edition.findFirst({ where: { id: editionId, entry: { writerId: writer.id } } });
  if (!edition) throw new UserError("There is no such edition of yours.", 404);
  if (edition.status === "live") return edition;
  const chain = createChainClient(env.chain.rpcUrl, env.chain.id);
  if (input.mode === "direct") {
    if (!isHex(input.txHash) || input.txHash.length !== 66) throw new UserError("That is not a transaction hash.");
    const receipt = await chain.waitForTransactionReceipt({ hash: input.txHash, timeout: 60_000 }).catch(() => undefined);
    if (!receipt) throw new UserError("The create transaction was not mined in time; the edition will appear once it is.", 409);
    if (receipt.status !== "success") throw new UserError("The create transaction failed on chain.", 422);
    const code = await chain.getCode({ address: getAddress(edition.address) });
    if (!code || code === "0x") throw new UserError("That transaction did not create this edition.", 422);
    return db.edition.update({ where: { id: edition.id }, data: { status: "live", goneAt: null, createdBlock: Number(receipt.blockNumber), createdTx: input.txHash } });
  }
  if (!isHex(input.signature)) throw new UserError("The signature is missing or not hex.");
  const typedData = editionTypedData({ chainId: edition.chainId, factory: getAddress(edition.factory), author: getAddress(writer.address), params: paramsOf(edition), salt: edition.salt as Hex, deadline: BigInt(edition.deadline!) });
  const valid = await checkSignature(chain, { typedData: { address: getAddress(writer.address), signature: input.signature, ...typedData } });
  if (!valid) throw new UserError("The signature does not match these terms and your address.", 401);
  return db.edition.update({ where: { id: edition.id }, data: { status: "signed", signature: input.signature } });
}

/** Why a collect would fail, in words for the reader, from the contracts' custom errors. */
function collectRefusal(error: unknown, quantity: number): string {
  const text = `${(error as { shortMessage?: string }).shortMessage ?? ""} ${(error as Error).message ?? ""}`;
  if (/SoldOut/.test(text)) return quantity === 1 ? "Sold out: every copy of this edition has been collected." : "Fewer copies are left than that: collect fewer, or reload the page.";
  if (/FeeNotAccepted/.test(text)) return "The platform's fee rose above what the writer signed for; this offer can no longer be collected.";
  if (/IncorrectPayment/.test(text)) return "The price of this edition changed; reload the page.";
  if (/SignatureExpired/.test(text)) return "This edition's offer has expired.";
  if (/insufficient funds/i.test(text)) return "Your wallet does not hold enough ETH for the price and gas.";
  return "The chain refused this collect.";
}

/**
 * The transaction a reader's wallet sends to collect, from the collector's own address: `buy` (one
 * copy) or `collect` (several, or through a referral link) on a live edition, or
 * `createWithSignature` on a signed one (deploying it). It is simulated first, so a sold-out
 * edition or a short balance is reported before the wallet opens.
 */
export async function collectCall(db: Database, env: Env, editionId: string, input: { collector: string; message: string; quantity?: number; referrer?: string }) {
  if (!isAddress(input.collector, { strict: false })) throw new UserError("That is not an Ethereum address.");
  const quantity = input.quantity ?? 1;
  if (!Number.isInteger(quantity) || quantity < 1 || quantity > MAX_COPIES) throw new UserError(`Collect from 1 to ${MAX_COPIES} copies at a time.`, 422);
  if (input.referrer && !isAddress(input.referrer, { strict: false })) throw new UserError("The referral link names no Ethereum address.", 422);
  // Stored on-chain on one line: line breaks and tabs become spaces; any other control character is refused.
  const message = requirePublishable(input.message, "The message").replace(/[\t\n\r]/g, " ").trim();
  if (Buffer.byteLength(message) > 280) throw new UserError("A message has at most 280 bytes.", 422);
  const edition = await db.edition.findUnique({ where: { id: editionId } });
  if (!edition || edition.status === "prepared") throw new UserError("There is no such edition.", 404);
  if (edition.supplyLimit > 0 && edition.minted >= edition.supplyLimit) throw new UserError("Sold out: every copy of this edition has been collected.", 409);
  if (edition.supplyLimit > 0 && edition.minted + quantity > edition.supplyLimit) {
    const left = edition.supplyLimit - edition.minted;
    throw new UserError(`Only ${left} ${left === 1 ? "copy is" : "copies are"} left.`, 409);
  }
  const collector = getAddress(input.collector);
  // A reader cannot refer themselves: the link of their own address is dropped, not refused.
  const referrer = input.referrer && getAddress(input.referrer) !== collector ? getAddress(input.referrer) : zeroAddress;
  const value = BigInt(edition.price) * BigInt(quantity);
  // One copy with no referrer takes the edition's cheapest path.
  const simple = quantity === 1 && referrer === zeroAddress;
  const call =
    edition.status === "live"
      ? {
          to: getAddress(edition.address),
          // The collector's own wallet sends the call: `buy` mints to the sender, the cheapest sale.
          data: simple
            ? encodeFunctionData({ abi: writingEditionsAbi, functionName: "buy", args: [message] })
            : encodeFunctionData({ abi: writingEditionsAbi, functionName: "collect", args: [collector, BigInt(quantity), referrer, message] }),
        }
      : {
          to: getAddress(edition.factory),
          data: encodeFunctionData({
            abi: writingEditionsFactoryAbi,
            functionName: "createWithSignature",
            args: [paramsOf(edition), { author: getAddress(edition.author), salt: edition.salt as Hex, deadline: BigInt(edition.deadline!), signature: edition.signature as Hex }, collector, BigInt(quantity), referrer, message],
          }),
        };
  const chain = createChainClient(env.chain.rpcUrl, env.chain.id);
  try {
    await chain.call({ account: collector, to: call.to, data: call.data, value });
  } catch (error) {
    throw new UserError(collectRefusal(error, quantity), 409);
  }
  return { ...call, value: toHex(value), chainId: edition.chainId };
}

/**
 * The withdraw call for an edition: anyone may send it; proceeds go to the recipients. With it, what
 * each payee gets from it (see {@link heldByPayee}).
 */
export async function withdrawCall(db: Database, editionId: string) {
  const shown = await shownEdition(db, { id: editionId });
  if (!shown || shown.status !== "live") throw new UserError("There is no such live edition.", 404);
  return { to: shown.address, data: encodeFunctionData({ abi: writingEditionsAbi, functionName: "withdraw" }), value: "0x0", shares: payeeShares(shown).shares };
}

/**
 * What an edition holds, from the index, and each payee's own share of it: what a withdrawal would pay
 * the writer's recipient and the publication's now, and what each has been paid so far. Null for an
 * edition that does not exist.
 */
export async function heldByPayee(db: Database, editionId: string) {
  const shown = await shownEdition(db, { id: editionId });
  return shown ? payeeShares(shown) : null;
}

function payeeShares(shown: NonNullable<Awaited<ReturnType<typeof shownEdition>>>) {
  const publication = shown.publicationShare;
  return {
    heldEth: shown.heldEth,
    shares: {
      writer: { recipient: shown.fundingRecipient, toEth: shown.toWriterEth, paidEth: shown.paidToWriterEth },
      publication: publication ? { name: publication.name, recipient: publication.recipient, toEth: publication.toPublicationEth, paidEth: publication.paidEth } : null,
    },
  };
}

const isSoldOut = (edition: { supplyLimit: number; minted: number }) => edition.supplyLimit > 0 && edition.minted >= edition.supplyLimit;

/**
 * Whether a reader can collect the edition now: deployed, or signed for the first collector to
 * deploy before its deadline, and not sold out. A prepared edition waits on the writer's own
 * transaction.
 */
export function canBeCollected(edition: { status: string; supplyLimit: number; minted: number; deadline: number | null }, now = new Date()): boolean {
  if (isSoldOut(edition)) return false;
  if (edition.status === "live") return true;
  return edition.status === "signed" && (edition.deadline === null || edition.deadline * 1000 > now.getTime());
}

/** What an entry page shows of its edition, from indexed rows only. */
export function editionForEntry(db: Database, entryId: string) {
  return shownEdition(db, { entryId });
}

async function shownEdition(db: Database, where: { id: string } | { entryId: string }) {
  const edition = await db.edition.findUnique({
    where,
    include: {
      purchases: { orderBy: [{ blockNumber: "desc" }, { logIndex: "desc" }], take: 100 },
      withdrawals: { select: { amount: true, payee: true } },
      entry: { select: { publicationId: true } },
    },
  });
  if (!edition || edition.status === "prepared") return null;
  // Every sale, not only the collectors listed: sales grouped by the price paid.
  const sales = await db.purchase.groupBy({ by: ["price"], where: { editionId: edition.id }, _count: { _all: true } });
  const sold = sales.reduce((sum, group) => sum + BigInt(group.price) * BigInt(group._count._all), 0n);
  // Referral rewards belong to their referrers (they claim them); the contract rounds each purchase's.
  const referred = edition.referralBps > 0 ? await db.purchase.groupBy({ by: ["txHash", "referrer", "price"], where: { editionId: edition.id, referrer: { not: null } }, _count: { _all: true } }) : [];
  const rewards = referred.reduce((sum, group) => sum + (BigInt(group.price) * BigInt(group._count._all) * BigInt(edition.referralBps)) / 10_000n, 0n);
  // A referrer's claim came out of the rewards, not out of the proceeds.
  const paidOut = edition.withdrawals.filter((w) => w.payee !== PAYEE.referrer).reduce((sum, w) => sum + BigInt(w.amount), 0n);
  const held = sold - rewards - paidOut;
  const shares = sharesOf(held, edition);
  // The publication's name for its share: its account alone, not its payout settings (the terms fixed the share).
  const publication = edition.splitBps > 0 && edition.entry.publicationId ? await db.writer.findUnique({ where: { id: edition.entry.publicationId }, select: { address: true, handle: true, displayName: true, ensName: true } }) : null;
  // What each payee has been paid so far, by the payee the contract named in each Withdrawn.
  const paidTo = (payee: number) => edition.withdrawals.filter((w) => w.payee === payee).reduce((sum, w) => sum + BigInt(w.amount), 0n);
  return {
    id: edition.id,
    address: getAddress(edition.address),
    chainId: edition.chainId,
    status: edition.status,
    priceWei: edition.price,
    priceEth: formatEther(BigInt(edition.price)),
    supplyLimit: edition.supplyLimit,
    minted: edition.minted,
    soldOut: isSoldOut(edition),
    // The most copies one collect can buy now.
    maxCopies: edition.supplyLimit > 0 ? Math.max(0, Math.min(MAX_COPIES, edition.supplyLimit - edition.minted)) : MAX_COPIES,
    referralPercent: edition.referralBps / 100,
    heldEth: formatEther(held),
    // What a withdrawal sends the writer: the platform's fee, fixed per edition, comes off first, then
    // the publication's share when the terms split the proceeds.
    toWriterEth: formatEther(shares.writer),
    feePercent: edition.feeBps / 100,
    fundingRecipient: getAddress(edition.fundingRecipient),
    paidToWriterEth: formatEther(paidTo(PAYEE.funding)),
    publicationShare: edition.splitRecipient
      ? {
          name: publication ? writerName(publication) : "the publication",
          percent: edition.splitBps / 100,
          recipient: getAddress(edition.splitRecipient),
          toPublicationEth: formatEther(shares.publication),
          paidEth: formatEther(paidTo(PAYEE.split)),
        }
      : null,
    collectors: collectorsOf(edition.purchases),
  };
}

/**
 * Purchases as readers made them, newest first: the tokens one collect minted for one collector in
 * one transaction are one line, with its referrer and note.
 */
function collectorsOf(purchases: { tokenId: number; collector: string; message: string; referrer: string | null; txHash: string; timestamp: Date }[]) {
  const lines: { tokenId: number; lastTokenId: number; copies: number; collector: Address; referrer: Address | null; message: string; timestamp: string }[] = [];
  let key = "";
  for (const p of purchases) {
    const line = lines.at(-1);
    const same = `${p.txHash}:${p.collector}:${p.referrer ?? ""}`;
    if (line && same === key && p.tokenId === line.tokenId - 1) {
      line.tokenId = p.tokenId;
      line.copies++;
      if (p.message) line.message = p.message;
      continue;
    }
    key = same;
    lines.push({ tokenId: p.tokenId, lastTokenId: p.tokenId, copies: 1, collector: getAddress(p.collector), referrer: p.referrer ? getAddress(p.referrer) : null, message: p.message, timestamp: p.timestamp.toISOString() });
  }
  return lines;
}

/** Everything an address collected, newest first: the copies one collect bought are one item. */
export async function collectedBy(db: Database, address: string) {
  if (!isAddress(address, { strict: false })) return null;
  const purchases = await db.purchase.findMany({
    where: { collector: address.toLowerCase() },
    orderBy: [{ timestamp: "desc" }, { tokenId: "desc" }],
    take: 200,
    include: { edition: { include: { entry: { select: { title: true, slug: true, writer: { select: { handle: true, displayName: true } }, publication: { select: { handle: true } } } } } } },
  });
  const items: { tokenId: number; lastTokenId: number; copies: number; message: string; timestamp: string; title: string; url: string; byline: string }[] = [];
  let key = "";
  for (const p of purchases) {
    const item = items.at(-1);
    const same = `${p.txHash}:${p.editionId}`;
    if (item && same === key && p.tokenId === item.tokenId - 1) {
      item.tokenId = p.tokenId;
      item.copies++;
      if (p.message) item.message = p.message;
      continue;
    }
    key = same;
    items.push({
      tokenId: p.tokenId,
      lastTokenId: p.tokenId,
      copies: 1,
      message: p.message,
      timestamp: p.timestamp.toISOString(),
      title: p.edition.entry.title,
      url: entryPath(p.edition.entry),
      byline: p.edition.entry.writer.displayName ?? `@${p.edition.entry.writer.handle}`,
    });
  }
  return items;
}
