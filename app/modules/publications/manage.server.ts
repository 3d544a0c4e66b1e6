/**
 * The settings of a publication as its members see them: who belongs and since when, its images
 * and how editions pay out. Every change is checked against the changer's role now.
 */
import { getAddress, isAddress } from "viem";
import { z } from "zod";
import type { Database } from "~/db.server";
import type { Env } from "~/env.server";
import { UserError } from "~/modules/errors.server";
import { pendingImageUrls, uploadImage } from "~/modules/storage/uploads.server";
import { publicationOfAccount, requireMember, requireRole } from "./publications.server";
import { can, membersAt, PAYOUTS, type MembershipFact } from "./records";

interface Signer {
  id: string;
  address: string;
}

/** Everyone who holds a role now (membersAt), the owner first, then the members in the order they joined. */
async function currentMembers(db: Database, accountId: string, ownerAddress: string, now = new Date()) {
  const nowS = Math.floor(now.getTime() / 1000);
  const records = await db.membershipRecord.findMany({ where: { publicationId: accountId, from: { lte: nowS } }, select: { member: true, role: true, from: true } });
  return membersAt(records as MembershipFact[], ownerAddress, nowS)
    .map((member) => ({ ...member, address: getAddress(member.address) }))
    .sort((a, b) => (a.from ?? -1) - (b.from ?? -1));
}

/** What the settings page of a publication shows `viewer` (any member); 403 for anyone else. */
export async function publicationSettings(db: Database, env: Env, viewer: Signer, accountId: string, now = new Date()) {
  const role = await requireMember(db, accountId, viewer.address, now);
  const publication = (await publicationOfAccount(db, accountId))!;
  const images = [publication.account.avatarId, publication.coverId].filter((id): id is string => Boolean(id));
  // Images the gateway does not serve yet are shown from the press's own copy.
  const pending = await pendingImageUrls(db, publication.ownerId, images);
  const imageUrl = (id: string | null) => (id ? (pending[id] ?? `${env.storage.gatewayUrl}/${id}`) : null);
  return {
    role,
    may: { manageProfile: can(role, "manage-profile"), manageMembers: can(role, "manage-members"), managePayouts: can(role, "manage-payouts") },
    publication: {
      accountId,
      id: publication.account.address,
      handle: publication.account.handle ?? "",
      name: publication.account.displayName ?? "",
      description: publication.account.bio ?? "",
      owner: getAddress(publication.ownerAddress),
      avatarUrl: imageUrl(publication.account.avatarId),
      coverUrl: imageUrl(publication.coverId),
      payout: publication.payout,
      splitBps: publication.splitBps,
      payoutAddress: publication.payoutAddress ? getAddress(publication.payoutAddress) : "",
    },
    members: await currentMembers(db, accountId, publication.ownerAddress, now),
  };
}

/** The publication's avatar (its account's) and cover: stored on Arweave like any image; owner only. */
export async function updatePublicationImages(
  db: Database,
  env: Env,
  writer: Signer,
  accountId: string,
  images: { avatar?: { bytes: Buffer; declaredType: string }; cover?: { bytes: Buffer; declaredType: string } },
  now = new Date(),
) {
  await requireRole(db, accountId, writer.address, "manage-profile", now);
  if (!images.avatar && !images.cover) throw new UserError("Choose an avatar or a cover image to upload.");
  const avatarId = images.avatar ? (await uploadImage(db, env, writer, images.avatar)).id : undefined;
  const coverId = images.cover ? (await uploadImage(db, env, writer, images.cover)).id : undefined;
  await db.$transaction([
    ...(avatarId ? [db.writer.update({ where: { id: accountId }, data: { avatarId } })] : []),
    ...(coverId ? [db.publication.update({ where: { writerId: accountId }, data: { coverId } })] : []),
  ]);
  return { avatarId, coverId };
}

const payoutSchema = z.object({
  payout: z.enum(PAYOUTS, { error: `Payouts go to one of: ${PAYOUTS.join(", ")}.` }),
  splitBps: z.coerce
    .number({ error: "The publication's share must be a whole number of basis points." })
    .int("The publication's share must be a whole number of basis points.")
    .min(0, "The publication's share is between 0 and 10000 basis points.")
    .max(10_000, "The publication's share is between 0 and 10000 basis points."),
  payoutAddress: z
    .string()
    .trim()
    .refine((value) => value === "" || isAddress(value, { strict: false }), "The payout address must be a wallet address (0x followed by 40 hex digits), or empty for the owner's."),
});

/**
 * How editions of the publication's entries pay: the writer, the publication, or split by
 * `splitBps` (the publication's share); the publication's share goes to `payoutAddress`, the
 * owner's wallet when empty. Owner only.
 */
export async function updatePayouts(db: Database, writer: Signer, accountId: string, input: { payout: unknown; splitBps: unknown; payoutAddress: unknown }, now = new Date()) {
  await requireRole(db, accountId, writer.address, "manage-payouts", now);
  const parsed = payoutSchema.safeParse(input);
  if (!parsed.success) throw new UserError(parsed.error.issues.map((issue) => issue.message).join(" "), 422);
  const { payout, splitBps, payoutAddress } = parsed.data;
  return db.publication.update({
    where: { writerId: accountId },
    data: { payout, splitBps, payoutAddress: payoutAddress ? payoutAddress.toLowerCase() : null },
    select: { payout: true, splitBps: true, payoutAddress: true },
  });
}
