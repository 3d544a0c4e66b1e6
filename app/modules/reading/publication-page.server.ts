import { getAddress } from "viem";
import type { Database } from "~/db.server";
import { membersAt, ROLES, type MembershipFact, type Role } from "~/modules/publications/records";
import { writerName } from "./listings.server";

export interface PublicationMember {
  role: Role;
  address: string;
  /** How the member is named here; null for a wallet that never signed in. */
  name: string | null;
  /** The member's page, when they have chosen a handle. */
  handle: string | null;
}

/**
 * What a publication's page shows besides its entries: its cover and who writes for it now, as
 * the owner-signed membership records say (`membersAt`): the owner first, then editors, then writers.
 * Null for an account that is not a publication.
 */
export async function publicationPage(db: Database, gatewayUrl: string, accountId: string, now = new Date()) {
  const publication = await db.publication.findUnique({ where: { writerId: accountId }, select: { coverId: true, ownerAddress: true } });
  if (!publication) return null;
  const records = await db.membershipRecord.findMany({ where: { publicationId: accountId }, select: { member: true, role: true, from: true } });
  const at = Math.floor(now.getTime() / 1000);
  const roles = membersAt(records as MembershipFact[], publication.ownerAddress, at);
  const writers = await db.writer.findMany({ where: { address: { in: roles.map((m) => m.address) } }, select: { address: true, handle: true, displayName: true, ensName: true } });
  const byAddress = new Map(writers.map((w) => [w.address.toLowerCase(), w]));
  const members: PublicationMember[] = roles
    .map(({ address, role }) => {
      const writer = byAddress.get(address);
      const named = writer && (writer.handle || writer.displayName || writer.ensName);
      return { role, address: getAddress(address), name: named ? writerName(writer) : null, handle: writer?.handle ?? null };
    })
    .sort((a, b) => ROLES.indexOf(a.role) - ROLES.indexOf(b.role) || (a.name ?? a.address).localeCompare(b.name ?? b.address));
  return { cover: publication.coverId ? `${gatewayUrl}/${publication.coverId}` : null, members };
}
