/**
 * The signed records of a publication (docs/publication-format.md): what the owner's wallet signs,
 * what is stored on Arweave, and how a member's role at a moment follows from them. Isomorphic: the
 * browser builds the same typed data the server and any verifier check.
 *
 * - A publication's id is keccak256(owner ‖ salt): a record naming another owner cannot claim it.
 * - The publication record (EIP-712 `Publication`) names it: id, owner, salt, handle, name,
 *   description, timestamp. A later record (by timestamp) renames it; the owner never changes.
 * - A membership record (EIP-712 `Membership`: publication, member, role, from) grants a role
 *   (`editor`, `writer`) or revokes one (`revoked`) from a moment on, signed by the owner.
 */
import { encodePacked, keccak256 } from "viem";
import { APP_NAME } from "~/modules/entries/entry";

export const PUBLICATION_FORMAT_VERSION = "1";

export const ROLES = ["owner", "editor", "writer"] as const;
export type Role = (typeof ROLES)[number];
/** What a membership record can say: a role granted, or every role taken away. */
export type RecordRole = Exclude<Role, "owner"> | "revoked";
export const RECORD_ROLES: readonly RecordRole[] = ["editor", "writer", "revoked"];

const DOMAIN = { name: "Permanent Press", version: PUBLICATION_FORMAT_VERSION } as const;

/** The publication's id: keccak256 of the owner's address and a 32-byte salt, lower-case hex. */
export function publicationId(owner: `0x${string}`, salt: `0x${string}`): `0x${string}` {
  return keccak256(encodePacked(["address", "bytes32"], [owner, salt])).toLowerCase() as `0x${string}`;
}

export interface PublicationFields {
  id: `0x${string}`;
  owner: `0x${string}`;
  salt: `0x${string}`;
  handle: string;
  name: string;
  description: string;
  /** Seconds since the epoch. */
  timestamp: number;
}

export function publicationTypedData(fields: PublicationFields) {
  return {
    domain: DOMAIN,
    types: {
      Publication: [
        { name: "id", type: "bytes32" },
        { name: "owner", type: "address" },
        { name: "salt", type: "bytes32" },
        { name: "handle", type: "string" },
        { name: "name", type: "string" },
        { name: "description", type: "string" },
        { name: "timestamp", type: "uint64" },
      ],
    },
    primaryType: "Publication" as const,
    message: { ...fields, timestamp: BigInt(fields.timestamp) },
  };
}

export interface MembershipFields {
  publication: `0x${string}`;
  member: `0x${string}`;
  role: RecordRole;
  /** Seconds since the epoch from which the record holds. */
  from: number;
}

export function membershipTypedData(fields: MembershipFields) {
  return {
    domain: DOMAIN,
    types: {
      Membership: [
        { name: "publication", type: "bytes32" },
        { name: "member", type: "address" },
        { name: "role", type: "string" },
        { name: "from", type: "uint64" },
      ],
    },
    primaryType: "Membership" as const,
    message: { ...fields, from: BigInt(fields.from) },
  };
}

/** The publication record as stored on Arweave (canonical JSON). */
export interface PublicationRecord extends PublicationFields {
  format: typeof PUBLICATION_FORMAT_VERSION;
  type: "publication";
  signature: `0x${string}`;
}

/** A membership record as stored on Arweave (canonical JSON). */
export interface MembershipRecordJson extends MembershipFields {
  format: typeof PUBLICATION_FORMAT_VERSION;
  type: "membership";
  /** The owner who signed it, named so a reader need not look the publication up first. */
  owner: `0x${string}`;
  signature: `0x${string}`;
}

/** Arweave tags of a publication record: found by `Type` and `Publication`. */
export function publicationTags(record: PublicationRecord) {
  return [
    { name: "Content-Type", value: "application/json" },
    { name: "App-Name", value: APP_NAME },
    { name: "App-Version", value: PUBLICATION_FORMAT_VERSION },
    { name: "Type", value: "publication" },
    { name: "Publication", value: record.id },
    { name: "Owner", value: record.owner.toLowerCase() },
    { name: "Handle", value: record.handle },
  ];
}

/** Arweave tags of a membership record: found by `Type`, `Publication` and `Member`. */
export function membershipTags(record: MembershipRecordJson) {
  return [
    { name: "Content-Type", value: "application/json" },
    { name: "App-Name", value: APP_NAME },
    { name: "App-Version", value: PUBLICATION_FORMAT_VERSION },
    { name: "Type", value: "membership" },
    { name: "Publication", value: record.publication },
    { name: "Member", value: record.member.toLowerCase() },
    { name: "Role", value: record.role },
  ];
}

/** A membership record reduced to what decides a role: already checked to be the owner's. */
export interface MembershipFact {
  member: string;
  role: RecordRole;
  from: number;
}

/** The record that decides `member`'s role at `at`: the latest `from` at or before it, a revocation winning a tie. */
export function decidingRecord<T extends MembershipFact>(records: readonly T[], member: string, at: number): T | undefined {
  const who = member.toLowerCase();
  let best: T | undefined;
  for (const record of records) {
    if (record.member.toLowerCase() !== who || record.from > at) continue;
    if (!best || record.from > best.from || (record.from === best.from && record.role === "revoked")) best = record;
  }
  return best;
}

/**
 * The role `member` holds at `at` (seconds): the owner always holds "owner"; anyone else holds what
 * their deciding record says. Null when no record covers that moment or the latest one revokes.
 */
export function roleAt(records: readonly MembershipFact[], owner: string, member: string, at: number): Role | null {
  if (member.toLowerCase() === owner.toLowerCase()) return "owner";
  const deciding = decidingRecord(records, member, at);
  return !deciding || deciding.role === "revoked" ? null : deciding.role;
}

/** Someone who holds a role, since the time their role holds from (null for the owner: always). */
export interface CurrentMember {
  /** Lower-case hex. */
  address: string;
  role: Role;
  from: number | null;
}

/**
 * Everyone who holds a role at `at`: the owner first, then each member whose records give them one,
 * since the first of the latest unbroken run of records giving it (granting it again changes nothing).
 */
export function membersAt(records: readonly MembershipFact[], owner: string, at: number): CurrentMember[] {
  const ownerAddress = owner.toLowerCase();
  const members: CurrentMember[] = [{ address: ownerAddress, role: "owner", from: null }];
  for (const member of new Set(records.map((record) => record.member.toLowerCase()))) {
    if (member === ownerAddress) continue;
    // Oldest first; at the same moment a revocation comes last, as it wins there.
    const own = records
      .filter((record) => record.member.toLowerCase() === member && record.from <= at)
      .sort((a, b) => a.from - b.from || Number(a.role === "revoked") - Number(b.role === "revoked"));
    const role = roleAt(own, owner, member, at);
    if (!role) continue;
    let since = own.at(-1)!.from;
    for (let i = own.length - 1; i >= 0 && own[i]!.role === role; i--) since = own[i]!.from;
    members.push({ address: member, role, from: since });
  }
  return members;
}

/** What each role may do in a publication. */
export type PublicationAction =
  | "write" // draft and publish one's own entries into the publication
  | "edit-others" // edit and publish other members' drafts and entries in the publication
  | "manage-members" // grant and revoke roles
  | "manage-payouts" // set how editions pay out
  | "manage-profile"; // name, description, images, host name

const ALLOWED: Record<Role, ReadonlySet<PublicationAction>> = {
  owner: new Set(["write", "edit-others", "manage-members", "manage-payouts", "manage-profile"]),
  editor: new Set(["write", "edit-others"]),
  writer: new Set(["write"]),
};

export const can = (role: Role | null, action: PublicationAction): boolean => role !== null && ALLOWED[role].has(action);

/** Who editions of a publication's entries pay: its writer, the publication, or both by a split. */
export const PAYOUTS = ["writer", "publication", "split"] as const;
