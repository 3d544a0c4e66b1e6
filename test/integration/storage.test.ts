import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { getEnv } from "~/env.server";
import { createSignedDataItem } from "~/modules/storage/data-item.server";
import { fetchData, findByTags } from "~/modules/storage/gateway.server";
import { bundlerTarget, UploadError, uploadDataItem } from "~/modules/storage/irys.server";

describe("permanent storage through the Irys protocol", () => {
  const { storage } = getEnv();
  const target = bundlerTarget(getEnv());

  it("uploads a signed data item, serves it by id and finds it by tag", async () => {
    const marker = crypto.randomUUID();
    const body = JSON.stringify({ title: "On permanence", marker });
    const item = await createSignedDataItem(body, [
      { name: "Content-Type", value: "application/json" },
      { name: "App-Name", value: "PermanentPress-Test" },
      { name: "Marker", value: marker },
    ], storage.platformKey);

    const receipt = await uploadDataItem(item, target);
    expect(receipt).toMatchObject({ id: item.id, alreadyStored: false });

    expect((await fetchData(item.id, storage.gatewayUrl))?.toString("utf8")).toBe(body);
    const found = await findByTags([{ name: "Marker", values: [marker] }], storage.gatewayUrl);
    expect(found.map((tx) => tx.id)).toEqual([item.id]);
    expect(found[0]!.tags).toContainEqual({ name: "App-Name", value: "PermanentPress-Test" });
  });

  it("treats a retried upload as the same item, never a second copy", async () => {
    const marker = crypto.randomUUID();
    const item = await createSignedDataItem(marker, [{ name: "Marker", value: marker }], storage.platformKey);
    const again = await createSignedDataItem(marker, [{ name: "Marker", value: marker }], storage.platformKey);
    expect(again.id).toBe(item.id);
    await uploadDataItem(item, target);
    expect(await uploadDataItem(again, target)).toMatchObject({ id: item.id, alreadyStored: true });
    expect(await findByTags([{ name: "Marker", values: [marker] }], storage.gatewayUrl)).toHaveLength(1);
  });

  it("refuses a data item whose bytes were altered after signing", async () => {
    const item = await createSignedDataItem(crypto.randomUUID(), [], storage.platformKey);
    const tampered = Buffer.from(item.bytes);
    tampered[tampered.length - 1]! ^= 0xff;
    const error = await uploadDataItem({ id: item.id, bytes: tampered }, target).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UploadError);
    expect((error as Error).message).toMatch(/did not take data item .*: .*400.*invalid data item/);
    expect(await fetchData(item.id, storage.gatewayUrl)).toBeUndefined();
  });
});
