/**
 * `npm run demo`: fills the press that `npm start` runs on this machine with writers, signed
 * essays, an edition partly collected, subscribers and a sent newsletter, through the same requests
 * a browser makes (scripts/lib/demo/run.ts). Refuses (exit 2) a press that is not on the local
 * chain, or a PostgreSQL database not named as scratch; exits 1 when the press does not answer.
 */
import "../app/server/runtime";
import { EnvError, parseEnv } from "../app/env.server";
import { loadDotEnv } from "../app/server/dotenv.server";
import { demoRefusal } from "./lib/demo/guard";
import { runDemoOn } from "./lib/demo/run";

async function main(): Promise<number> {
  loadDotEnv();
  let env;
  try {
    env = parseEnv(process.env);
  } catch (error) {
    if (error instanceof EnvError) {
      console.error(error.message);
      return 2;
    }
    throw error;
  }
  const refusal = demoRefusal(env);
  if (refusal) {
    console.error(`npm run demo: ${refusal}`);
    return 2;
  }
  const health = await fetch(`${env.publicUrl}/healthz`).catch(() => null);
  if (!health) {
    console.error(`npm run demo: no press answers at ${env.publicUrl}; start it first with \`npm start\` (in another terminal), or run \`npm start -- --demo\``);
    return 1;
  }
  await runDemoOn(env);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : "";
    console.error(`npm run demo failed: ${error instanceof Error ? error.message : String(error)}${cause}`);
    process.exit(1);
  },
);
