import type { Database } from "~/db.server";

/**
 * The blocks that hold for these accounts: each one's own and, for a publication, its owner's, who
 * moderates it (decision 022): what the owner blocks is turned away from the publication's entries
 * and followers as from their own. A filter, so the blocks are read in the same query.
 */
function blocksFor(writerIds: Array<string | null>) {
  const ids = writerIds.filter((id): id is string => Boolean(id));
  return { OR: [{ writerId: { in: ids } }, { writer: { owned: { some: { writerId: { in: ids } } } } }] };
}

/** Whether one of these accounts (an entry's writer and its publication, say; see `blocksFor`) blocked this actor, or its whole server. */
export async function isBlocked(db: Database, writerIds: Array<string | null>, actorId: URL | string): Promise<boolean> {
  const url = new URL(String(actorId));
  const matches = { OR: [{ kind: "actor", value: url.href }, { kind: "instance", value: url.host.toLowerCase() }] };
  const found = await db.fediBlock.findFirst({ where: { AND: [blocksFor(writerIds), matches] }, select: { id: true } });
  return found !== null;
}

/** A writer's block list, read once per plan: the same rule as `isBlocked` (the actor, or its whole server). */
export async function blockList(db: Database, writerId: string): Promise<(actorId: string) => boolean> {
  const blocks = await db.fediBlock.findMany({ where: blocksFor([writerId]), select: { kind: true, value: true } });
  const actors = new Set(blocks.filter((b) => b.kind === "actor").map((b) => b.value));
  const hosts = new Set(blocks.filter((b) => b.kind === "instance").map((b) => b.value));
  if (actors.size === 0 && hosts.size === 0) return () => false;
  return (actorId) => {
    if (!URL.canParse(actorId)) return true;
    const url = new URL(actorId);
    return actors.has(url.href) || hosts.has(url.host.toLowerCase());
  };
}
