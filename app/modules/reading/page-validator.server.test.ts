import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { describe, expect, it } from "vitest";
import type { Database } from "~/db.server";
import { getEnv } from "~/env.server";
import { databaseProviders, useMigratedDatabase } from "../../../test/support/databases";
import { essayDocument, publishEntry } from "../../../test/support/entries";
import { setResponseStatus } from "~/modules/federation/responses.server";
import { pageValidator, validationsFor } from "./page-validator.server";

describe.each(databaseProviders())("the page validator on %s", (provider) => {
  let db: Database;
  useMigratedDatabase(provider, (created) => (db = created));

  const at = (path: string) => pageValidator(db, new URL(path, "http://page"));

  it("names entry pages and feeds with an ETag that moves exactly when what they show changes", async () => {
    const account = privateKeyToAccount(generatePrivateKey());
    const writer = await db.writer.create({ data: { address: account.address.toLowerCase(), handle: "validated", displayName: "Val" } });
    const { slug } = await publishEntry(db, getEnv(), account, { title: "Checked Often", document: essayDocument({ words: 50, seed: 3 }) });
    const path = `/validated/${slug}`;

    const entry = await at(path);
    expect(entry).toEqual({ key: path, etag: expect.stringMatching(/^"[\w-]+"$/), owner: writer.id });
    expect(await at(`${path}?utm_source=x`)).toEqual(entry);
    expect((await at(`${path}?version=1`))!.key).toBe(`${path}?version=1`);
    expect((await at(`${path}?version=1`))!.etag).not.toBe(entry!.etag);
    const feeds = await Promise.all(["/validated/rss.xml", "/validated/atom.xml", "/validated/feed.json", "/rss.xml", "/validated", "/validated?page=2", "/", "/?page=3&utm_source=x"].map(at));
    expect(new Set(feeds.map((f) => f!.etag)).size).toBe(8);
    expect(feeds.slice(4).map((f) => f!.key)).toEqual(["/validated", "/validated?page=2", "/", "/?page=3"]);

    // Nothing changed: the same ETags.
    expect(await at(path)).toEqual(entry);
    expect(await at("/validated/rss.xml")).toEqual(feeds[0]);

    // The version moves through the upload: the entry page changes each time, the feeds do not.
    const states: string[] = [];
    for (const status of ["queued", "uploaded", "confirmed"]) {
      await db.entryVersion.updateMany({ where: { entry: { slug } }, data: { status } });
      states.push((await at(path))!.etag);
    }
    expect(new Set(states).size).toBe(3);
    const confirmed = await at(path);
    expect(await at("/validated/rss.xml")).toEqual(feeds[0]);

    // The writer renames themselves: both change.
    await db.writer.update({ where: { id: writer.id }, data: { displayName: "Valerie" } });
    expect((await at(path))!.etag).not.toBe(confirmed!.etag);
    expect((await at("/validated/rss.xml"))!.etag).not.toBe(feeds[0]!.etag);
    expect((await at("/rss.xml"))!.etag).not.toBe(feeds[3]!.etag);
    expect((await at("/validated"))!.etag).not.toBe(feeds[4]!.etag);
    expect((await at("/"))!.etag).not.toBe(feeds[6]!.etag);

    // A new entry changes the listings and feeds, site-wide and the writer's.
    const listed = await Promise.all(["/validated", "/", "/validated/rss.xml"].map(at));
    await publishEntry(db, getEnv(), account, { title: "Checked Again", document: essayDocument({ words: 50, seed: 4 }) });
    const relisted = await Promise.all(["/validated", "/", "/validated/rss.xml"].map(at));
    relisted.forEach((page, i) => expect(page!.etag).not.toBe(listed[i]!.etag));

    // Unknown pages, and pages that are not kept.
    expect(await at("/validated/no-such-entry")).toBeNull();
    expect(await at("/nobody-here/rss.xml")).toBeNull();
    expect(await at("/nobody-here")).toBeNull();
    expect(await at("/drafts")).toBeNull();
    expect(await at("/validated/some-entry/card.png")).toBeNull();
  });
  it("moves an entry page's ETag with the replies its writer approves and its likes and boosts from the social web", async () => {
    const account = privateKeyToAccount(generatePrivateKey());
    const writer = await db.writer.create({ data: { address: account.address.toLowerCase(), handle: "answered", displayName: "Ans" } });
    const { slug, entryId } = await publishEntry(db, getEnv(), account, { title: "Answered", document: essayDocument({ words: 50, seed: 5 }) });
    const etag = async () => (await at(`/answered/${slug}`))!.etag;
    const reply = (n: number, publishedAt: Date) =>
      db.response.create({
        data: { id: `https://social.example/notes/${n}`, entryId, writerId: writer.id, actorId: "https://social.example/users/ren", handle: "@ren@social.example", html: `<p>Reply ${n}</p>`, publishedAt },
      });
    const seen = [await etag()];

    // A reply waiting for the writer shows nowhere: the page is as it was.
    await reply(1, new Date("2026-12-01T10:00:00Z"));
    expect(await etag()).toBe(seen[0]);
    await setResponseStatus(db, writer.id, "https://social.example/notes/1", "approved");
    seen.push(await etag());
    // Approving it again changes nothing.
    await setResponseStatus(db, writer.id, "https://social.example/notes/1", "approved");
    expect(await etag()).toBe(seen[1]);

    // One hidden and an older one approved: as many approved as before, and still another page.
    await reply(2, new Date("2026-11-30T10:00:00Z"));
    await new Promise((resolve) => setTimeout(resolve, 5));
    await setResponseStatus(db, writer.id, "https://social.example/notes/1", "hidden");
    await setResponseStatus(db, writer.id, "https://social.example/notes/2", "approved");
    seen.push(await etag());
    // Both hidden: the page shows what it showed at first.
    await setResponseStatus(db, writer.id, "https://social.example/notes/2", "hidden");
    expect(await etag()).toBe(seen[0]);

    // Likes and boosts are counted on the page: each changes it, and taking them back restores it.
    await db.reaction.create({ data: { id: "https://social.example/likes/1", entryId, actorId: "https://social.example/users/ren", type: "like" } });
    seen.push(await etag());
    await db.reaction.create({ data: { id: "https://social.example/boosts/1", entryId, actorId: "https://social.example/users/ren", type: "announce" } });
    seen.push(await etag());
    await db.reaction.deleteMany({ where: { entryId } });
    expect(await etag()).toBe(seen[0]);
    expect(new Set(seen).size).toBe(seen.length);
  });
  it("are asked of the database once per URL per window, shared by the requests meanwhile, and forgotten on a change", async () => {
    const account = privateKeyToAccount(generatePrivateKey());
    await db.writer.create({ data: { address: account.address.toLowerCase(), handle: "windowed", displayName: "Win" } });
    const { slug } = await publishEntry(db, getEnv(), account, { title: "Asked Once", document: essayDocument({ words: 50, seed: 4 }) });
    let clock = 0;
    let asked = 0;
    const validations = validationsFor(
      () => {
        asked++;
        return db;
      },
      { ms: 1_000, now: () => clock },
    );
    const url = new URL(`/windowed/${slug}`, "http://page");
    const [first, ...others] = await Promise.all([validations.validate(url), validations.validate(url), validations.validate(url)]);
    expect(asked).toBe(1);
    expect(others).toEqual([first, first]);
    // A change made elsewhere: within the window the kept answer stands; after it, the new one.
    await db.writer.update({ where: { handle: "windowed" }, data: { displayName: "Winifred" } });
    clock = 999;
    expect(await validations.validate(url)).toEqual(first);
    expect(asked).toBe(1);
    clock = 1_000;
    const later = await validations.validate(url);
    expect(asked).toBe(2);
    expect(later!.key).toBe(first!.key);
    expect(later!.etag).not.toBe(first!.etag);
    // Another URL is asked on its own; a change made through this process forgets them all.
    await validations.validate(new URL(`/windowed/${slug}?version=1`, "http://page"));
    expect(asked).toBe(3);
    await db.writer.update({ where: { handle: "windowed" }, data: { displayName: "Win" } });
    validations.forget();
    expect((await validations.validate(url))!.etag).not.toBe(later!.etag);
    expect(asked).toBe(4);
  });
});
