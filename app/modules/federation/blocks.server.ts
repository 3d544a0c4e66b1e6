import type { Database } from "~/db.server";

/**
 * The accounts whose blocks hold for these: each itself and, for a publication, its owner too, who
 * moderates it (decision 022): what the owner blocks is turned away from the publication's entries
 * and followers as from their own.
 */
async function blockers(db: Database, writerIds: Array<string | null>): Promise<string[]> {
  const ids = writerIds.filter((id): id is string => Boolean(id));
  const owners = await db.publication.findMany({ where: { writerId: { in: ids } }, select: { ownerId: true } });
  return [...new Set([...ids, ...owners.map((p) => p.ownerId)])];
}

/** Whether one of these accounts (an entry's writer and its publication, say; see `blockers`) blocked this actor, or its whole server. */
export async function isBlocked(db: Database, writerIds: Array<string | null>, actorId: URL | string): Promise<boolean> {
  const url = new URL(String(actorId));
  const writerId = { in: await blockers(db, writerIds) };
  const found = await db.fediBlock.findFirst({ where: { writerId, OR: [{ kind: "actor", value: url.href }, { kind: "instance", value: url.host.toLowerCase() }] }, select: { id: true } });
  return found !== null;
}

/** A writer's block list, read once per plan: the same rule as `isBlocked` (the actor, or its whole server). */
export async function blockList(db: Database, writerId: string): Promise<(actorId: string) => boolean> {
  const blocks = await db.fediBlock.findMany({ where: { writerId: { in: await blockers(db, [writerId]) } }, select: { kind: true, value: true } });
  const actors = new Set(blocks.filter((b) => b.kind === "actor").map((b) => b.value));
  const hosts = new Set(blocks.filter((b) => b.kind === "instance").map((b) => b.value));
  if (actors.size === 0 && hosts.size === 0) return () => false;
  return (actorId) => {
    if (!URL.canParse(actorId)) return true;
    const url = new URL(actorId);
    return actors.has(url.href) || hosts.has(url.host.toLowerCase());
  };
}
