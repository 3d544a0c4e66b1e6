import type { Database } from "~/db.server";
import { EnvError, parseEnv, type Env } from "~/env.server";
import { loadDotEnv } from "./dotenv.server";
import { logLine } from "./log.server";
import { assertSchemaCurrent, SchemaBehindError } from "./schema.server";

export type Role = "web" | "worker";

/** What a role's `start` returns: a line for the log, and how to stop after the work in hand. */
export interface RunningRole {
  ready: string;
  stop(): Promise<void>;
}

/** What a role tells the process that started it (`npm start`), when there is one. */
export type RoleMessage = { role: Role; ready: true; pid: number } | { role: Role; failed: string };

/**
 * Runs one role in this process: names the process after it (`press-web`, `press-worker` in `ps`),
 * settles the configuration, refuses a database whose migrations are behind, starts the role, and
 * on SIGTERM or SIGINT (or when the `npm start` that launched it goes away) stops taking new work,
 * finishes what is in hand and exits 0. A bad setting or a database that is behind exits 1 with a
 * message that says what to do.
 */
export async function runRole(role: Role, start: (env: Env) => Promise<RunningRole>, opts: { db?: () => Database } = {}): Promise<void> {
  process.title = `press-${role}`;
  process.env.PRESS_ROLE = role;
  const fail = (message: string) => {
    console.error(message);
    process.send?.({ role, failed: message } satisfies RoleMessage);
    process.exit(1);
  };
  loadDotEnv();
  let env: Env;
  try {
    env = parseEnv(process.env);
  } catch (error) {
    if (error instanceof EnvError) return fail(error.message);
    throw error;
  }
  // The role's own database client: the web role's is the app build's, so the process keeps one.
  const getDb = opts.db ?? (await import("~/db.server")).getDb;
  let running: RunningRole;
  try {
    await assertSchemaCurrent(getDb(), env.database.provider, role);
    running = await start(env);
  } catch (error) {
    if (error instanceof SchemaBehindError) return fail(error.message);
    return fail(`the ${role} role could not start: ${(error as Error).message}`);
  }
  logLine(role, `pid ${process.pid}, ${running.ready}`);
  let stopping = false;
  const stop = async (why: string) => {
    if (stopping) return;
    stopping = true;
    logLine(role, `stopping (${why}): finishing the work in hand`);
    await running.stop();
    await getDb().$disconnect();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("disconnect", () => void stop("npm start went away"));
  process.send?.({ role, ready: true, pid: process.pid } satisfies RoleMessage);
}
