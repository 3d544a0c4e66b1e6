import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { describe, expect, it } from "vitest";
import type { Database } from "~/db.server";
import { getEnv } from "~/env.server";
import { currentHtml, RENDERER_VERSION } from "~/modules/entries/html.server";
import { databaseProviders, useMigratedDatabase } from "../support/databases";
import { publishEntry } from "../support/entries";

const IMAGE_ID = "a".repeat(43);
const document = {
  type: "doc" as const,
  content: [
    { type: "paragraph", content: [{ type: "text", text: "A picture of the sea:" }] },
    { type: "image", attrs: { src: `ar://${IMAGE_ID}`, alt: "The sea" } },
    { type: "paragraph", content: [{ type: "text", text: "and its ", marks: [] }, { type: "text", text: "source", marks: [{ type: "link", attrs: { href: `ar://${IMAGE_ID}` } }] }] },
  ],
};

describe.each(databaseProviders())("stored HTML on %s", (provider) => {
  let db: Database;
  useMigratedDatabase(provider, (created) => (db = created));

  let titles = 0;
  async function published() {
    const account = privateKeyToAccount(generatePrivateKey());
    await db.writer.create({ data: { address: account.address.toLowerCase(), handle: `h-${account.address.slice(2, 10).toLowerCase()}`, displayName: "Sea" } });
    const { arweaveId } = await publishEntry(db, getEnv(), account, { title: `The Sea, ${++titles}`, document });
    return db.entryVersion.findUniqueOrThrow({ where: { arweaveId }, select: { id: true, html: true, renderer: true } });
  }

  it("names no gateway: the one configured when it is served takes the stand-in's place", async () => {
    const version = await published();
    expect(version.renderer).toBe(RENDERER_VERSION);
    expect(version.html).not.toContain(getEnv().storage.gatewayUrl);
    for (const gateway of ["https://arweave.net", "https://gateway.example.org/"]) {
      const html = await currentHtml(db, gateway, version);
      const base = gateway.replace(/\/$/, "");
      expect(html).toContain(`src="${base}/${IMAGE_ID}" alt="The sea">`);
      expect(html).toContain(`href="${base}/${IMAGE_ID}"`);
      expect(html).not.toContain("gateway.invalid");
    }
  });

  it("made by an older renderer is made again from the entry on first read, and kept", async () => {
    const version = await published();
    // HTML as an old renderer (or an old sanitizer) left it: what a reader must never get again.
    const old = { html: '<p>A picture of the sea:</p><img src="x" onerror="alert(1)">', renderer: 0 };
    await db.entryVersion.update({ where: { id: version.id }, data: old });
    const html = await currentHtml(db, "https://arweave.net", { id: version.id, ...old });
    expect(html).not.toContain("onerror");
    expect(html).toContain(`src="https://arweave.net/${IMAGE_ID}" alt="The sea">`);
    const kept = await db.entryVersion.findUniqueOrThrow({ where: { id: version.id }, select: { html: true, renderer: true } });
    expect(kept).toEqual({ html: version.html, renderer: RENDERER_VERSION });
  });
});
