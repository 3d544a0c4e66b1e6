import crypto from "node:crypto";
import type { Database } from "~/db.server";
import { remoteText, sanitizeRemoteHtml } from "./sanitize.server";

/*
 * The reading list, read from the database alone: the /following page shows it without loading
 * Fedify, which the web role loads only once someone acts on the social web (see loadRemote).
 */

/** Posts the reading list shows. */
const READING_LIST = 50;

/** Following, liking and replying (remote.server.ts), loaded with Fedify on first use. */
let remote: Promise<typeof import("./remote.server")> | undefined;
export const loadRemote = () => (remote ??= import("./remote.server"));

/** The id of a post's place on the reading list page, to come back to it after acting on it. */
export const postAnchor = (postId: string) => `post-${crypto.createHash("sha256").update(postId).digest("hex").slice(0, 16)}`;

export interface ReadingListPost {
  id: string;
  anchor: string;
  url: string | null;
  title: string;
  /** Whether the post has a title of its own; otherwise `title` is its first words. */
  titled: boolean;
  handle: string;
  authorName: string | null;
  authorUrl: string | null;
  /** Sanitized when received. */
  html: string;
  publishedAt: Date;
  updatedAt: Date;
  liked: boolean;
  replies: Array<{ html: string; at: Date }>;
}

/** The first words of a post, for one without a title. */
function firstWords(html: string): string {
  const words = remoteText(html).split(" ").filter(Boolean);
  return words.length === 0 ? "(no text)" : words.length > 12 ? `${words.slice(0, 12).join(" ")}…` : words.join(" ");
}

/**
 * What the writer follows on the social web and reads from there: each account with where the
 * follow stands, and the newest posts of those who accepted, with whether the writer liked each
 * and what they replied.
 */
export async function readingList(db: Database, writerId: string) {
  const follows = await db.remoteFollow.findMany({ where: { writerId }, orderBy: [{ createdAt: "desc" }, { id: "asc" }] });
  const accepted = follows.filter((follow) => follow.status === "accepted");
  const posts = accepted.length === 0 ? [] : await db.remotePost.findMany({ where: { actorId: { in: accepted.map((follow) => follow.actorId) } }, orderBy: [{ publishedAt: "desc" }, { id: "asc" }], take: READING_LIST });
  const mine = posts.length === 0 ? [] : await db.fediActivity.findMany({ where: { writerId, objectId: { in: posts.map((post) => post.id) }, type: { in: ["Like", "Create"] } }, orderBy: { createdAt: "asc" }, select: { type: true, objectId: true, json: true, createdAt: true } });
  const byActor = new Map(accepted.map((follow) => [follow.actorId, follow]));
  const items: ReadingListPost[] = posts.map((post) => {
    const author = byActor.get(post.actorId)!;
    const own = mine.filter((activity) => activity.objectId === post.id);
    return {
      id: post.id,
      anchor: postAnchor(post.id),
      url: post.url,
      title: post.title?.trim() || firstWords(post.html),
      titled: Boolean(post.title?.trim()),
      handle: author.handle,
      authorName: author.name,
      authorUrl: author.url,
      html: post.html,
      publishedAt: post.publishedAt,
      updatedAt: post.updatedAt,
      liked: own.some((activity) => activity.type === "Like"),
      replies: own.filter((activity) => activity.type === "Create").map((activity) => ({ html: replyHtml(activity.json), at: activity.createdAt })),
    };
  });
  return {
    follows: follows.map((follow) => ({ actorId: follow.actorId, handle: follow.handle, name: follow.name, url: follow.url, status: follow.status as "pending" | "accepted" | "rejected", since: follow.createdAt })),
    posts: items,
  };
}

/** The text of a reply the writer sent, from the activity kept as sent. */
function replyHtml(json: string): string {
  try {
    const content = (JSON.parse(json) as { object?: { content?: unknown } }).object?.content;
    return typeof content === "string" ? sanitizeRemoteHtml(content) : "";
  } catch {
    return "";
  }
}
