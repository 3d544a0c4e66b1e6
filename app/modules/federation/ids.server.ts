/**
 * Names of the press's ActivityPub documents, without Fedify: what the publish path and the web
 * server need at every request, while Fedify itself is loaded on first use (it weighs ~55 MB).
 */
/** Where the press's ActivityPub documents live. Ids use the writer's and entry's database ids, so a new handle never changes them. */
export const PATHS = {
  actor: "/ap/users/{identifier}",
  inbox: "/ap/users/{identifier}/inbox",
  sharedInbox: "/ap/inbox",
  outbox: "/ap/users/{identifier}/outbox",
  followers: "/ap/users/{identifier}/followers",
  article: "/ap/entries/{id}",
  /** A writer's reply to a post elsewhere on the social web. */
  note: "/ap/users/{identifier}/notes/{id}",
  nodeInfo: "/nodeinfo/2.1",
} as const;

/** Entries readers may see: not an import still waiting for its writer's review. */
export const VISIBLE = { importReview: { not: "pending" } } as const;

export interface Site {
  publicUrl: string;
  gatewayUrl: string;
}

/** The id of the activity that carries version `version` of an entry to followers. */
export const entryActivityId = (publicUrl: string, entryId: string, version: number) => `${publicUrl}/ap/entries/${entryId}/versions/${version}/activity`;

/** The version an entry's activity carries, read back from its id; null for any other activity. */
export function entryActivityVersion(activityId: string): number | null {
  const version = Number(/\/versions\/(\d+)\/activity$/.exec(activityId)?.[1] ?? Number.NaN);
  return Number.isSafeInteger(version) ? version : null;
}
