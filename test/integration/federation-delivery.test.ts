import crypto from "node:crypto";
import { Follow } from "@fedify/vocab";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, type Database } from "~/db.server";
import { parseEnv, type Env } from "~/env.server";
import { parseDocument } from "~/modules/entries/document.server";
import { planFederation, runFederationOnce, SEND_LOCK_MS, sendFederation, startFederationWorker } from "~/modules/federation/delivery.server";
import { entryActivityId } from "~/modules/federation/objects.server";
import { pruneExpired } from "~/modules/jobs/prune.server";
import { updateProfile } from "~/modules/writers/profile.server";
import { freePort } from "../../scripts/local/service";
import { databaseProviders, useMigratedDatabase } from "../support/databases";
import { publishEntry, publishRevision, writerOf } from "../support/entries";
import { startInboxServer, type InboxServer } from "../support/inbox-server";
import { startChildServer } from "../support/web";

const essay = (title: string, word: string) => ({
  title,
  document: parseDocument({
    type: "doc",
    content: [
      { type: "heading", attrs: { level: 2 }, content: [{ type: "text", text: "First principles" }] },
      { type: "paragraph", content: [{ type: "text", text: "Words that stay where they are put, " }, { type: "text", text: word, marks: [{ type: "bold" }] }, { type: "text", text: "." }] },
    ],
  }),
});

const after = (date: Date, ms: number) => new Date(date.getTime() + ms);
const HOUR = 60 * 60_000;

describe.each(databaseProviders())("deliveries to the social web on %s", (provider) => {
  let db: Database;
  let databaseUrl: string;
  useMigratedDatabase(provider, (client, url) => {
    db = client;
    databaseUrl = url;
  });

  /** A Mastodon-like server (RFC 9421 and draft-cavage), and an older one that knows draft-cavage only. */
  let a: InboxServer;
  let b: InboxServer;
  let press: { url: string; stop(): Promise<void> };
  let env: Env;
  const account = privateKeyToAccount(generatePrivateKey());
  let writer: { id: string; actor: string };
  let draftId: string;
  let entryId: string;
  const started = new Date();

  const paths = {
    shared: "/inbox",
    solo: "/users/solo/inbox",
    flaky: "/users/flaky/inbox",
    dying: "/users/dying/inbox",
    gone: "/users/gone/inbox",
    blocked: "/users/blocked/inbox",
  };
  const privateInbox = "http://10.20.30.40/users/p/inbox";

  beforeAll(async () => {
    [a, b] = await Promise.all([startInboxServer(), startInboxServer({ specs: ["draft-cavage-http-signatures-12"] })]);
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    // The press under test serves its writers' actors and keys (the inbox servers fetch them to verify) from this database.
    const settings = { DATABASE_URL: databaseUrl, PORT: String(port), PUBLIC_URL: publicUrl, FEDERATION_TEST_ORIGINS: [a.origin, b.origin, publicUrl].join(",") };
    press = await startChildServer(settings);
    env = parseEnv({ ...process.env, ...settings, FEDERATION_DEAD_AFTER_HOURS: "1", FEDERATION_CONCURRENCY: "4" });

    const { id } = await writerOf(db, account);
    await updateProfile(db, id, { handle: `fedi-${crypto.randomBytes(3).toString("hex")}`, displayName: "Ada Fedi", bio: "" });
    writer = { id, actor: `${publicUrl}/ap/users/${id}` };
    const follower = (server: InboxServer | string, name: string, inbox: string, sharedInbox: string | null = null) => {
      const actorId = typeof server === "string" ? `${server}/users/${name}` : server.url(`/users/${name}`);
      return { writerId: id, actorId, handle: `@${name}@${new URL(actorId).host}`, inbox, sharedInbox, followId: `${actorId}#follows/${crypto.randomUUID()}` };
    };
    // Three people on A share its inbox, one has only their own; two on B share B's.
    await db.follower.createMany({
      data: [
        ...["a1", "a2", "a3"].map((name) => follower(a, name, a.url(`/users/${name}/inbox`), a.url(paths.shared))),
        follower(a, "solo", a.url(paths.solo)),
        ...["b1", "b2"].map((name) => follower(b, name, b.url(`/users/${name}/inbox`), b.url(paths.shared))),
        follower(a, "flaky", a.url(paths.flaky)),
        follower(a, "dying", a.url(paths.dying)),
        follower(a, "gone", a.url(paths.gone)),
        follower("http://10.20.30.40", "p", privateInbox),
        follower(a, "blocked", a.url(paths.blocked)),
        follower("https://blocked.example", "x", "https://blocked.example/users/x/inbox"),
      ],
    });
    await db.fediBlock.createMany({
      data: [
        { writerId: id, kind: "actor", value: a.url("/users/blocked") },
        { writerId: id, kind: "instance", value: "blocked.example" },
      ],
    });
    a.answer(paths.flaky, 500);
    a.answer(paths.dying, 503);
    a.answer(paths.gone, 410);
  });
  afterAll(async () => {
    await press?.stop();
    await Promise.all([a?.stop(), b?.stop()]);
  });

  const deliveriesOf = (version: number) => db.fediDelivery.findMany({ where: { activityId: entryActivityId(env.publicUrl, entryId, version) } });
  const deliveryTo = async (version: number, inbox: string) => (await deliveriesOf(version)).find((d) => d.inbox === inbox)!;
  /** What arrived of version `version`'s activity at `path` of `server`. */
  const arrived = (server: InboxServer, path: string, version: number) => server.at(path).filter((arrival) => arrival.activityId === entryActivityId(env.publicUrl, entryId, version));

  it("delivers Create(Article) once to each inbox, a shared inbox once for all its followers, signed by the writer", async () => {
    const published = await publishEntry(db, env, account, essay("On permanence", "forever"));
    ({ draftId, entryId } = published);
    const id = entryActivityId(env.publicUrl, entryId, 1);
    expect(await db.fediActivity.findUniqueOrThrow({ where: { id } })).toMatchObject({ type: "Create", status: "queued", audience: "followers", json: "" });

    const pass = await runFederationOnce(db, env, { now: started });
    expect(pass).toMatchObject({ planned: 1, claimed: 7, sent: 3 });
    expect((await db.fediActivity.findUniqueOrThrow({ where: { id } })).status).toBe("planned");

    // One delivery per inbox; the blocked actor and the blocked server get none.
    const deliveries = await deliveriesOf(1);
    expect(Object.fromEntries(deliveries.map((d) => [d.inbox, d.recipients]))).toEqual({
      [a.url(paths.shared)]: 3,
      [a.url(paths.solo)]: 1,
      [b.url(paths.shared)]: 2,
      [a.url(paths.flaky)]: 1,
      [a.url(paths.dying)]: 1,
      [a.url(paths.gone)]: 1,
      [privateInbox]: 1,
    });

    for (const [server, path] of [[a, paths.shared], [a, paths.solo], [b, paths.shared]] as const) {
      const [create, ...more] = arrived(server, path, 1);
      expect(more, path).toEqual([]);
      expect(create).toMatchObject({ type: "Create", keyOwner: writer.actor });
      const object = create!.json!.object as Record<string, unknown>;
      expect(object).toMatchObject({ type: "Article", id: `${env.publicUrl}/ap/entries/${entryId}`, name: "On permanence", attributedTo: writer.actor });
      expect(object.content).toContain("<h2>First principles</h2><p>Words that stay where they are put, <strong>forever</strong>.</p>");
      expect(object.content).toContain(`/verify/${published.arweaveId}`);
    }
    // RFC 9421 first; the older server refused it (401) and got draft-cavage, as Fedify double-knocks.
    expect(arrived(a, paths.shared, 1)[0]!.spec).toBe("rfc9421");
    expect(arrived(b, paths.shared, 1)[0]!.spec).toBe("draft-cavage-http-signatures-12");
    expect(b.refusals).toContainEqual({ path: paths.shared, status: 401, reason: "rfc9421 not accepted", keyId: `${writer.actor}#main-key` });
    expect(a.at(paths.blocked)).toEqual([]);
    expect(a.refusals.filter((r) => r.path === paths.blocked)).toEqual([]);

    const sent = deliveries.filter((d) => d.status === "sent").map((d) => d.inbox).sort();
    expect(sent).toEqual([a.url(paths.shared), a.url(paths.solo), b.url(paths.shared)].sort());
    // A 500 is tried again later, with the backoff (two seconds for a first failure, with jitter).
    const flaky = await deliveryTo(1, a.url(paths.flaky));
    expect(flaky).toMatchObject({ status: "pending", attempts: 1 });
    expect(flaky.lastError).toMatch(/^500 from the inbox/);
    expect(flaky.nextAttemptAt.getTime() - started.getTime()).toBeGreaterThanOrEqual(1_500);
    expect(flaky.nextAttemptAt.getTime() - started.getTime()).toBeLessThanOrEqual(2_500);
    expect(await db.remoteInbox.findUniqueOrThrow({ where: { url: a.url(paths.flaky) } })).toMatchObject({ failingSince: started, deadAt: null, host: new URL(a.origin).host });
    // 410 Gone: the account is gone, and so is its follower row.
    const gone = await deliveryTo(1, a.url(paths.gone));
    expect(gone.status).toBe("failed");
    expect(gone.lastError).toMatch(/^410 from the inbox.*1 follower\(s\) at this inbox removed$/s);
    expect(await db.follower.count({ where: { writerId: writer.id, inbox: a.url(paths.gone) } })).toBe(0);
    // An inbox on a private address is never asked.
    const refused = await deliveryTo(1, privateInbox);
    expect(refused).toMatchObject({ status: "failed" });
    expect(refused.lastError).toMatch(/^not sent: 10\.20\.30\.40 is not a public address/);
  });

  it("tries a failing inbox again once its backoff has passed, and not before", async () => {
    const before = a.refusals.filter((r) => r.path === paths.flaky).length;
    expect(await runFederationOnce(db, env, { now: after(started, 1_000) })).toMatchObject({ claimed: 0 });
    expect(a.refusals.filter((r) => r.path === paths.flaky).length).toBe(before);

    a.answer(paths.flaky, undefined);
    const due = (await deliveryTo(1, a.url(paths.flaky))).nextAttemptAt;
    await runFederationOnce(db, env, { now: due });
    expect(arrived(a, paths.flaky, 1).map((arrival) => arrival.type)).toEqual(["Create"]);
    expect(await deliveryTo(1, a.url(paths.flaky))).toMatchObject({ status: "sent", attempts: 2, lastError: null, sentAt: due });
    expect(await db.remoteInbox.findUniqueOrThrow({ where: { url: a.url(paths.flaky) } })).toMatchObject({ failingSince: null, lastError: null, lastOkAt: due });
  });

  it("delivers Update(Article) for a new version, once to each inbox", async () => {
    await publishRevision(db, env, account, draftId, essay("On permanence, revised", "for good"));
    const pass = await runFederationOnce(db, env, { now: after(started, 60_000) });
    expect(pass).toMatchObject({ planned: 1 });
    for (const [server, path] of [[a, paths.shared], [a, paths.solo], [b, paths.shared], [a, paths.flaky]] as const) {
      const updates = arrived(server, path, 2);
      expect(updates.map((u) => u.type), path).toEqual(["Update"]);
      expect(updates[0]!.json!.object).toMatchObject({ type: "Article", name: "On permanence, revised" });
      expect((updates[0]!.json!.object as { content: string }).content).toContain("<strong>for good</strong>");
      expect(arrived(server, path, 1).length, path).toBe(1);
    }
    // The follower whose account was gone is no longer one.
    expect((await deliveriesOf(2)).map((d) => d.inbox)).not.toContain(a.url(paths.gone));
  });

  it("gives up an inbox that failed for longer than allowed, then tries it again when its server is heard from", async () => {
    const inbox = a.url(paths.dying);
    // Still failing an hour and a minute after its first failure: dead, with everything waiting for it.
    await runFederationOnce(db, env, { now: after(started, HOUR + 60_000) });
    const dead = await db.remoteInbox.findUniqueOrThrow({ where: { url: inbox } });
    expect(dead.deadAt).toEqual(after(started, HOUR + 60_000));
    expect((await db.fediDelivery.findMany({ where: { inbox } })).map((d) => d.status)).toEqual(["dead", "dead"]);

    // Not tried any more, and what comes next for it is recorded as not tried.
    const tried = a.refusals.filter((r) => r.path === paths.dying).length;
    await publishRevision(db, env, account, draftId, essay("On permanence, third", "for ever more"));
    await runFederationOnce(db, env, { now: after(started, 3 * HOUR) });
    await runFederationOnce(db, env, { now: after(started, 30 * HOUR) });
    expect(a.refusals.filter((r) => r.path === paths.dying).length).toBe(tried);
    const third = await deliveryTo(3, inbox);
    expect(third.status).toBe("dead");
    expect(third.lastError).toMatch(/^not tried: the inbox failed for too long/);
    expect(arrived(a, paths.shared, 3).length).toBe(1);

    // Its server comes back and posts to the press (a signed Follow): the press verifies it, and the inbox is tried again.
    a.answer(paths.dying, undefined);
    const pressActor = new URL(writer.actor);
    await a.post("reader", { id: pressActor, inboxId: new URL(`${press.url}/ap/inbox`) }, new Follow({ id: new URL(`${a.origin}/follows/${crypto.randomUUID()}`), actor: a.actorUri("reader"), object: pressActor }));
    expect(await db.remoteInbox.findUniqueOrThrow({ where: { url: inbox } })).toMatchObject({ deadAt: null, failingSince: null });
    expect((await db.fediDelivery.findMany({ where: { inbox } })).map((d) => d.status)).toEqual(["pending", "pending", "pending"]);
    for (let i = 0; i < 3 && (await runFederationOnce(db, env)).busy; i++);
    expect(a.at(paths.dying).map((arrival) => arrival.type).sort()).toEqual(["Create", "Update", "Update"]);
    expect(new Set(a.at(paths.dying).map((arrival) => arrival.activityId)).size).toBe(3);
    // The Follow was taken, and its Accept delivered to the new follower's own inbox.
    expect(a.at("/users/reader/inbox")).toMatchObject([{ type: "Accept", keyOwner: writer.actor }]);
  });

  it("resumes without loss after a planner or a sender died half-way", async () => {
    await publishRevision(db, env, account, draftId, essay("On permanence, fourth", "for now"));
    const now = new Date();
    const id = entryActivityId(env.publicUrl, entryId, 4);
    expect(await planFederation(db, env, now)).toMatchObject({ activities: 1 });
    const planned = (await deliveriesOf(4)).length;
    // A planner that died before marking it planned: planned again by the next, with no second delivery.
    await db.fediActivity.update({ where: { id }, data: { status: "queued", lockedUntil: after(now, -1) } });
    expect(await planFederation(db, env, now)).toMatchObject({ activities: 1, deliveries: 0 });
    expect((await deliveriesOf(4)).length).toBe(planned);

    // A sender that claimed the shared inbox's delivery and died before recording the answer.
    const shared = await deliveryTo(4, a.url(paths.shared));
    await db.fediDelivery.update({ where: { id: shared.id }, data: { status: "sending", attempts: 1, lockedUntil: after(now, SEND_LOCK_MS) } });
    await sendFederation(db, env, now);
    expect(arrived(a, paths.shared, 4)).toEqual([]);
    expect(arrived(a, paths.solo, 4).length).toBe(1);
    // Its claim runs out: another worker sends it.
    await sendFederation(db, env, after(now, SEND_LOCK_MS + 1));
    expect(arrived(a, paths.shared, 4).length).toBe(1);
    expect(await deliveryTo(4, a.url(paths.shared))).toMatchObject({ status: "sent", attempts: 2 });
  });

  it("runs as the worker role's loop, and every inbox has each activity exactly once", async () => {
    const worker = startFederationWorker(db, env, { intervalMs: 20 });
    try {
      await publishRevision(db, env, account, draftId, essay("On permanence, fifth", "for a while"));
      const id = entryActivityId(env.publicUrl, entryId, 5);
      for (let i = 0; i < 200; i++) {
        const left = await db.fediDelivery.count({ where: { activityId: id, status: { in: ["pending", "sending"] } } });
        const activity = await db.fediActivity.findUniqueOrThrow({ where: { id } });
        if (activity.status === "planned" && left === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    } finally {
      await worker.stop();
    }
    for (const [server, path] of [[a, paths.shared], [a, paths.solo], [b, paths.shared], [a, paths.flaky], [a, paths.dying]] as const) {
      expect(arrived(server, path, 5).map((arrival) => arrival.type), path).toEqual(["Update"]);
    }
    // (Counted for this press only: another test's server may have had these ports before.)
    expect(a.duplicates(env.publicUrl)).toBe(0);
    expect(b.duplicates(env.publicUrl)).toBe(0);
    expect(a.refusals.filter((r) => r.keyId?.startsWith(env.publicUrl) && r.reason !== "told to fail")).toEqual([]);
  });

  it("lets two workers share the deliveries of one activity, and each inbox gets it once", async () => {
    const many = Array.from({ length: 80 }, (_, i) => `/users/m${i}/inbox`);
    await db.follower.createMany({
      data: many.map((path, i) => ({ writerId: writer.id, actorId: a.url(`/users/m${i}`), handle: `@m${i}@${new URL(a.origin).host}`, inbox: a.url(path), followId: a.url(`/follows/m${i}`) })),
    });
    await publishRevision(db, env, account, draftId, essay("On permanence, sixth", "for all"));
    const second = createDatabase(databaseUrl);
    try {
      // Planned first, so both find deliveries; then both send at the same time, pass after pass,
      // each pass claiming at most one batch (4 lanes of 8), so both get rows of their own.
      await planFederation(db, env);
      const sent = [0, 0];
      for (let round = 0; round < 20; round++) {
        const passes = await Promise.all([sendFederation(db, env), sendFederation(second, env)]);
        passes.forEach((pass, i) => (sent[i]! += pass.sent));
        if (passes.every((pass) => pass.claimed === 0)) break;
      }
      expect(sent[0]).toBeGreaterThan(0);
      expect(sent[1]).toBeGreaterThan(0);
      for (const path of [...many, paths.shared, paths.solo, paths.flaky, paths.dying]) {
        expect(arrived(a, path, 6).map((arrival) => arrival.type), path).toEqual(["Update"]);
      }
      expect(arrived(b, paths.shared, 6).length).toBe(1);
      expect(sent[0]! + sent[1]!).toBe(many.length + 5);
      expect(a.duplicates(env.publicUrl)).toBe(0);
    } finally {
      await second.$disconnect();
    }
  });

  it("prunes expired federation cache entries with the hourly pruner", async () => {
    await db.federationKv.createMany({
      data: [
        { key: `expired-${crypto.randomUUID()}`, value: "1", expiresAt: after(new Date(), -1_000) },
        { key: `live-${crypto.randomUUID()}`, value: "1", expiresAt: after(new Date(), HOUR) },
      ],
    });
    const before = await db.federationKv.count();
    expect((await pruneExpired(db)).federationKv).toBeGreaterThanOrEqual(1);
    expect(await db.federationKv.count({ where: { expiresAt: { lte: new Date() } } })).toBe(0);
    expect(await db.federationKv.count()).toBeLessThan(before);
  });
});
