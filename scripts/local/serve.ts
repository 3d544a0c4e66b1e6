/**
 * The local stand-ins (chain, Arweave gateway and Irys endpoint, SMTP catcher) in a process of
 * their own, started by `npm start` so they never share the web process. Tells its parent each
 * part it started, then that all are up; stops them all on SIGTERM, SIGINT or when the parent goes.
 */
import "../../app/server/runtime";
import { EnvError, parseEnv } from "../../app/env.server";
import { loadDotEnv } from "../../app/server/dotenv.server";
import { startLocalStack, type LocalPart, type LocalStack } from "./stack";

export type StandInMessage =
  | { started: LocalPart; url: string; ms: number }
  | { ready: LocalPart[] }
  | { failed: string };

const tell = (message: StandInMessage) => process.send?.(message);

async function main() {
  process.title = "press-stand-ins";
  loadDotEnv();
  let stack: LocalStack | undefined;
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await stack?.stop();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop());
  process.on("SIGINT", () => void stop());
  process.on("disconnect", () => void stop());
  try {
    const env = parseEnv(process.env);
    stack = await startLocalStack(env, { persist: true, onStarted: (part, service, ms) => tell({ started: part, url: service.url, ms }) });
    tell({ ready: Object.keys(stack.services) as LocalPart[] });
  } catch (error) {
    tell({ failed: error instanceof EnvError ? error.message : (error as Error).message });
    await stack?.stop();
    process.exit(1);
  }
}

void main();
