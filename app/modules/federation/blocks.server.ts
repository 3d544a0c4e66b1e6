import type { Database } from "~/db.server";

/** Whether a writer blocked this actor, or its whole server. */
export async function isBlocked(db: Database, writerId: string, actorId: URL | string): Promise<boolean> {
  const url = new URL(String(actorId));
  const found = await db.fediBlock.findFirst({ where: { writerId, OR: [{ kind: "actor", value: url.href }, { kind: "instance", value: url.host.toLowerCase() }] }, select: { id: true } });
  return found !== null;
}
