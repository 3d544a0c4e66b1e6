/**
 * Whose list the subscribers page and its CSV manage: the signed-in writer's own, or a
 * publication's (`?publication=<account id>`). A publication's readers (their addresses, the CSV of
 * them, its followers on the social web) are its owner's alone to manage: editors and writers get a 403.
 */
import { z } from "zod";
import { getDb, type Database } from "~/db.server";
import { requireWriter } from "~/modules/auth/session.server";
import { errorHeaders, UserError } from "~/modules/errors.server";
import { ownedPublication } from "~/modules/publications/publications.server";
import { writerName, type ListRef } from "./subscribers.server";

/** The list `publicationId` names, if the writer owns it; the writer's own without one. */
async function managedList(db: Database, writer: ListRef, publicationId: string | undefined): Promise<ListRef> {
  if (!publicationId) return writer;
  return (await ownedPublication(db, writer, publicationId)).account;
}

/** The publications whose lists a writer manages (those they own), for the page's choice of list. */
export async function managedPublications(db: Database, writer: { id: string }) {
  const owned = await db.publication.findMany({ where: { ownerId: writer.id }, include: { account: true } });
  return owned.map(({ writerId, account }) => ({ id: writerId, name: writerName(account), handle: account.handle }));
}

const listQuery = z.object({ publication: z.string().max(64).regex(/^[A-Za-z0-9_-]+$/).optional() });

/**
 * The signed-in writer and the list a settings request is about; a page that says why (403, 404)
 * for a publication they may not manage. `query` is what links back to the same list carry.
 */
export async function requireList(request: Request) {
  const writer = await requireWriter(request);
  const query = listQuery.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  try {
    if (!query.success) throw new UserError("There is no such publication.", 404);
    const list = await managedList(getDb(), writer, query.data.publication);
    return { writer, list, query: list.id === writer.id ? {} : { publication: list.id } };
  } catch (error) {
    if (error instanceof UserError) throw new Response(error.message, { status: error.status, headers: errorHeaders(error) });
    throw error;
  }
}
