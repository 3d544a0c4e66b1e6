/**
 * Starts the local chain (with the contracts deployed), the Arweave gateway with its Irys
 * endpoint, and the SMTP catcher once for the whole run, on free ports, with a scratch data
 * folder and a migrated SQLite database. Test workers inherit the settings through the environment and read them with getEnv().
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseEnv } from "../../app/env.server";
import { deployContracts } from "../../scripts/lib/deploy";
import { deployMigrations } from "../../scripts/lib/migrations";
import { freeLocalPorts } from "../../scripts/local/service";
import { startLocalStack } from "../../scripts/local/stack";

export default async function setup() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "press-test-"));
  // The web port stays unset: test files that serve pages pick their own (test/support/web.ts).
  const { PORT: _web, ...localPorts } = (await freeLocalPorts()).settings;
  const settings: Record<string, string> = {
    ...localPorts,
    NODE_ENV: "test",
    DATA_DIR: dataDir,
    DATABASE_URL: `file:${path.join(dataDir, "test.db")}`,
  };
  for (const name of ["CHAIN_RPC_URL", "CHAIN_ID", "FACTORY_ADDRESS", "IRYS_URL", "ARWEAVE_GATEWAY_URL", "SMTP_URL", "PUBLIC_URL", "PORT"]) {
    delete process.env[name];
  }
  Object.assign(process.env, settings);
  const env = parseEnv(process.env);
  const [stack] = await Promise.all([startLocalStack(env, { persist: false }), deployMigrations(env.database.url)]);
  try {
    await deployContracts(env);
  } catch (error) {
    await stack.stop();
    throw error;
  }
  return async () => {
    await stack.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
}
