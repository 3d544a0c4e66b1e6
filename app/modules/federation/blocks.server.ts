import type { Database } from "~/db.server";

/** Whether a writer blocked this actor, or its whole server. */
export async function isBlocked(db: Database, writerId: string, actorId: URL | string): Promise<boolean> {
  const url = new URL(String(actorId));
  const found = await db.fediBlock.findFirst({ where: { writerId, OR: [{ kind: "actor", value: url.href }, { kind: "instance", value: url.host.toLowerCase() }] }, select: { id: true } });
  return found !== null;
}

/** A writer's block list, read once per plan: the same rule as `isBlocked` (the actor, or its whole server). */
export async function blockList(db: Database, writerId: string): Promise<(actorId: string) => boolean> {
  const blocks = await db.fediBlock.findMany({ where: { writerId }, select: { kind: true, value: true } });
  const actors = new Set(blocks.filter((b) => b.kind === "actor").map((b) => b.value));
  const hosts = new Set(blocks.filter((b) => b.kind === "instance").map((b) => b.value));
  if (actors.size === 0 && hosts.size === 0) return () => false;
  return (actorId) => {
    if (!URL.canParse(actorId)) return true;
    const url = new URL(actorId);
    return actors.has(url.href) || hosts.has(url.host.toLowerCase());
  };
}
