import { describe, expect, it } from "vitest";
import { decidingRecord, membersAt, roleAt, type MembershipFact } from "./records";

const owner = "0x00000000000000000000000000000000000000aa";
const ann = "0x00000000000000000000000000000000000000Bb";
const bob = "0x00000000000000000000000000000000000000cc";

describe("a publication's roles from its membership records", () => {
  const records: MembershipFact[] = [
    { member: ann.toLowerCase(), role: "writer", from: 100 },
    { member: ann.toLowerCase(), role: "writer", from: 150 },
    { member: ann.toLowerCase(), role: "editor", from: 200 },
    { member: ann.toLowerCase(), role: "editor", from: 250 },
    { member: bob, role: "writer", from: 100 },
    { member: bob, role: "revoked", from: 300 },
    { member: bob, role: "writer", from: 300 },
  ];

  it("holds what the latest record at or before the moment says, a revocation winning a tie, the owner always", () => {
    expect(roleAt(records, owner, ann, 99)).toBeNull();
    expect(roleAt(records, owner, ann, 199)).toBe("writer");
    expect(roleAt(records, owner, ann.toUpperCase().replace("0X", "0x"), 200)).toBe("editor");
    expect(roleAt(records, owner, bob, 299)).toBe("writer");
    expect(roleAt(records, owner, bob, 300)).toBeNull();
    expect(roleAt([], owner.toUpperCase().replace("0X", "0x"), owner, 0)).toBe("owner");
    expect(decidingRecord(records, ann, 220)).toEqual({ member: ann.toLowerCase(), role: "editor", from: 200 });
    expect(decidingRecord(records, bob, 300)).toEqual({ member: bob, role: "revoked", from: 300 });
  });

  it("lists who holds a role, the owner first and once, each since the start of their role's unbroken run", () => {
    const withOwner = [...records, { member: owner, role: "writer" as const, from: 100 }];
    expect(membersAt(withOwner, owner, 260)).toEqual([
      { address: owner, role: "owner", from: null },
      { address: ann.toLowerCase(), role: "editor", from: 200 },
      { address: bob, role: "writer", from: 100 },
    ]);
    expect(membersAt(withOwner, owner, 180)).toContainEqual({ address: ann.toLowerCase(), role: "writer", from: 100 });
    expect(membersAt(withOwner, owner, 300).map((member) => member.address)).toEqual([owner, ann.toLowerCase()]);
  });
});
