import { createPublicClient, getAddress, http } from "viem";
import { z } from "zod";
import type { Database } from "~/db.server";
import type { Env } from "~/env.server";
import { UserError } from "~/modules/errors.server";
import { unpublishableProblem } from "~/modules/text.server";

// Paths the app uses itself can never be a writer's URL.
const RESERVED = new Set([
  "about", "admin", "api", "app", "assets", "auth", "build", "collector", "dev", "drafts", "editions", "editor", "entries", "explore",
  "feed", "feeds", "following", "healthz", "help", "home", "login", "logout", "media", "new", "nodeinfo", "inbox", "outbox", "followers", "responses", "press", "rss", "settings", "signin",
  "signout", "sitemap", "static", "subscribe", "subscriptions", "unsubscribe", "uploads", "verify", "www",
]);

export const handleSchema = z
  .string()
  .trim()
  .toLowerCase()
  .min(3, "A handle has at least 3 characters.")
  .max(30, "A handle has at most 30 characters.")
  .regex(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/, "A handle uses letters, digits and inner hyphens only.")
  .refine((handle) => !RESERVED.has(handle), "That handle is reserved.");

/** A profile field that can be published: it names the writer in their feeds, pages and letters. */
const publishable = (what: string) => (value: string, context: z.RefinementCtx) => {
  const problem = unpublishableProblem(value, what);
  if (problem) context.addIssue({ code: "custom", message: problem });
};

export const profileSchema = z.object({
  handle: handleSchema,
  displayName: z.string().superRefine(publishable("The display name")).trim().max(80, "A display name has at most 80 characters.").transform((v) => v || null),
  bio: z.string().superRefine(publishable("The bio")).trim().max(500, "A bio has at most 500 characters.").transform((v) => v || null),
});

export type ProfileInput = z.input<typeof profileSchema>;

/** The writer for an address, created on first sign-in. */
export async function writerForAddress(db: Database, address: string) {
  const lower = address.toLowerCase();
  return db.writer.upsert({ where: { address: lower }, create: { address: lower }, update: {} });
}

/** Updates a writer's profile; a taken handle is refused with 409 and nothing is changed. */
export async function updateProfile(db: Database, writerId: string, input: ProfileInput, avatarId?: string | null) {
  const parsed = profileSchema.safeParse(input);
  if (!parsed.success) throw new UserError(parsed.error.issues.map((issue) => issue.message).join(" "), 422);
  const taken = await db.writer.findFirst({ where: { handle: parsed.data.handle, NOT: { id: writerId } }, select: { id: true } });
  if (taken) throw new UserError(`The handle “${parsed.data.handle}” is taken.`, 409);
  try {
    return await db.writer.update({
      where: { id: writerId },
      data: { ...parsed.data, ...(avatarId === undefined ? {} : { avatarId }) },
    });
  } catch (error) {
    if ((error as { code?: string }).code === "P2002") throw new UserError(`The handle “${parsed.data.handle}” is taken.`, 409);
    throw error;
  }
}

export async function writerByHandle(db: Database, handle: string) {
  const parsed = handleSchema.safeParse(handle);
  if (!parsed.success) return null;
  // A publication's domain, if it has one, is where its pages and feeds say they are.
  return db.writer.findUnique({ where: { handle: parsed.data }, include: { publication: { select: { domain: true } } } });
}

const ENS_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * Looks up a writer's ENS name and avatar on mainnet, at most once a day, when an ENS RPC is
 * configured. A failed lookup keeps what was known; it never blocks sign-in.
 */
export async function refreshEns(db: Database, env: Env, writer: { id: string; address: string; ensCheckedAt: Date | null }, now = new Date()): Promise<void> {
  if (!env.ensRpcUrl) return;
  if (writer.ensCheckedAt && now.getTime() - writer.ensCheckedAt.getTime() < ENS_TTL_MS) return;
  try {
    // Loaded on the first lookup: every chain viem knows and ENS's normalisation tables (about
    // 40 MB resident), which a process that never signs anyone in does not need.
    const [{ mainnet }, { normalize }] = await Promise.all([import("viem/chains"), import("viem/ens")]);
    const client = createPublicClient({ chain: mainnet, transport: http(env.ensRpcUrl, { timeout: 10_000 }) });
    const ensName = await client.getEnsName({ address: getAddress(writer.address) });
    const ensAvatar = ensName ? await client.getEnsAvatar({ name: normalize(ensName) }) : null;
    await db.writer.update({ where: { id: writer.id }, data: { ensName, ensAvatar, ensCheckedAt: now } });
  } catch (error) {
    console.warn(`ENS lookup for ${writer.address} failed: ${(error as Error).message}`);
  }
}
