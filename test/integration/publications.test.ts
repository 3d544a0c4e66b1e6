import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { describe, expect, it } from "vitest";
import type { Database } from "~/db.server";
import { getEnv } from "~/env.server";
import { UserError } from "~/modules/errors.server";
import { prepareMembership, publicationsOf, roleIn, saveMembership, savePublicationRecord, preparePublicationRecord } from "~/modules/publications/publications.server";
import { publicationId } from "~/modules/publications/records";
import { runOutboxOnce } from "~/modules/storage/outbox.server";
import { fetchData } from "~/modules/storage/gateway.server";
import { databaseProviders, useMigratedDatabase } from "../support/databases";
import { writerOf } from "../support/entries";
import { createPublication, signMembership } from "../support/publications";

const account = () => privateKeyToAccount(generatePrivateKey());

describe.each(databaseProviders())("publications on %s", (provider) => {
  let db: Database;
  useMigratedDatabase(provider, (database) => (db = database));
  const env = getEnv();

  it("creates a publication whose id is bound to its owner, with its signed record on Arweave", async () => {
    const owner = account();
    const created = await createPublication(db, env, owner, { name: "Field Notes" });
    const details = await db.publication.findUniqueOrThrow({ where: { writerId: created.id }, include: { account: true } });
    expect(details.account.kind).toBe("publication");
    expect(details.account.displayName).toBe("Field Notes");
    expect(created.publicationId).toBe(publicationId(owner.address, details.salt as `0x${string}`));
    await runOutboxOnce(db, env);
    const stored = JSON.parse((await fetchData(created.recordId, env.storage.gatewayUrl))!.toString("utf8"));
    expect(stored).toMatchObject({ type: "publication", id: created.publicationId, owner: owner.address, name: "Field Notes" });
  });

  it("renames a publication within the second it was made, its new record coming after the first", async () => {
    const owner = account();
    const now = new Date();
    const created = await createPublication(db, env, owner, { name: "First Name" }, now);
    const writer = await writerOf(db, owner);
    const input = { handle: created.handle, name: "Second Name", description: "", publicationId: created.id };
    const prepared = await preparePublicationRecord(db, writer, input, now);
    const signature = await owner.signTypedData(prepared.typedData);
    await savePublicationRecord(db, env, writer, { ...input, salt: prepared.fields.salt, timestamp: prepared.fields.timestamp, signature }, now);
    const details = await db.publication.findUniqueOrThrow({ where: { writerId: created.id }, include: { account: true } });
    expect(details.account.displayName).toBe("Second Name");
    expect(details.recordTimestamp).toBe(Math.floor(now.getTime() / 1000) + 1);
  });

  it("refuses a record signed by anyone but the owner, and a handle a writer holds", async () => {
    const owner = account();
    const writer = await writerOf(db, owner);
    const input = { handle: `pub-${Date.now().toString(36)}`, name: "Forged", description: "" };
    const prepared = await preparePublicationRecord(db, writer, input);
    const forged = await account().signTypedData(prepared.typedData);
    await expect(savePublicationRecord(db, env, writer, { ...input, salt: prepared.fields.salt, timestamp: prepared.fields.timestamp, signature: forged })).rejects.toMatchObject({ status: 401 });
    const other = await writerOf(db, account());
    await db.writer.update({ where: { id: other.id }, data: { handle: "taken-by-writer" } });
    await expect(preparePublicationRecord(db, writer, { ...input, handle: "taken-by-writer" })).rejects.toMatchObject({ status: 409 });
    await expect(preparePublicationRecord(db, writer, { ...input, handle: "settings" })).rejects.toMatchObject({ status: 422 });
  });

  it("grants and revokes roles with the owner's signature, each role holding from its time", async () => {
    const owner = account();
    const member = account();
    const { id } = await createPublication(db, env, owner);
    const t0 = Math.floor(Date.now() / 1000);
    await signMembership(db, env, owner, id, member.address, "writer", t0 - 3600);
    expect(await roleIn(db, id, member.address, t0 - 7200)).toBeNull();
    expect(await roleIn(db, id, member.address, t0)).toBe("writer");
    expect(await roleIn(db, id, owner.address, 0)).toBe("owner");
    const memberWriter = await writerOf(db, member);
    expect((await publicationsOf(db, memberWriter)).map((p) => p.role)).toEqual(["writer"]);
    await signMembership(db, env, owner, id, member.address, "revoked");
    expect(await roleIn(db, id, member.address, t0 + 10)).toBeNull();
    expect(await roleIn(db, id, member.address, t0 - 60)).toBe("writer");
    await expect(signMembership(db, env, owner, id, member.address, "revoked", t0 - 86400)).rejects.toBeInstanceOf(UserError);
  });

  it("refuses a membership signed by someone else, and one asked for by a non-owner", async () => {
    const owner = account();
    const { id } = await createPublication(db, env, owner);
    const ownerWriter = await writerOf(db, owner);
    const prepared = await prepareMembership(db, ownerWriter, id, { member: account().address, role: "editor" });
    const forged = await account().signTypedData(prepared.typedData);
    await expect(saveMembership(db, env, ownerWriter, id, { ...prepared.fields, signature: forged })).rejects.toMatchObject({ status: 401 });
    const outsider = await writerOf(db, account());
    await expect(prepareMembership(db, outsider, id, { member: outsider.address, role: "editor" })).rejects.toMatchObject({ status: 403 });
  });
});
