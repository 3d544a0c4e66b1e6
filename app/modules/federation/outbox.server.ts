import type { Context } from "@fedify/fedify";
import type { Activity } from "@fedify/vocab";
import type { Database } from "~/db.server";
import { entryActivityId } from "./ids.server";

type Tx = Pick<Database, "fediActivity">;

/**
 * Queues the activity that brings a published version to the followers of the account it is read
 * under (`writerId`: its publication's, else its writer's; that account signs and sends it), in the publish's own
 * transaction: Create for version 1, Update for a new version. The worker builds it and plans one
 * delivery per inbox. Queuing the same version twice does nothing.
 */
export async function enqueueEntryActivity(tx: Tx, opts: { publicUrl: string; writerId: string; entryId: string; version: number }): Promise<void> {
  const id = entryActivityId(opts.publicUrl, opts.entryId, opts.version);
  const existing = await tx.fediActivity.findUnique({ where: { id }, select: { id: true } });
  if (existing) return;
  await tx.fediActivity.create({
    data: { id, writerId: opts.writerId, type: opts.version === 1 ? "Create" : "Update", json: "", entryId: opts.entryId, audience: "followers" },
  });
}

/**
 * Queues an activity for one inbox (an Accept, a Reject, a Follow, a Like, a reply): stored as the
 * JSON it is sent as, delivered by the worker with retries like everything else. `db` may be a
 * transaction, so that the change it announces and the announcement are saved together.
 */
export async function enqueueDirect(db: Tx, ctx: Context<void>, opts: { writerId: string; activity: Activity; inbox: URL | string; objectId?: string; entryId?: string }): Promise<string> {
  const id = opts.activity.id?.href;
  if (!id) throw new TypeError("An activity to send needs an id.");
  const json = await opts.activity.toJsonLd({ format: "compact", contextLoader: ctx.contextLoader });
  const type = opts.activity.constructor.name.replace(/^_+/, "");
  await db.fediActivity.upsert({
    where: { id },
    create: { id, writerId: opts.writerId, type, json: JSON.stringify(json), audience: String(opts.inbox), objectId: opts.objectId ?? null, entryId: opts.entryId ?? null },
    update: {},
  });
  return id;
}
