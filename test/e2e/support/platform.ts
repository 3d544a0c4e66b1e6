/**
 * Global setup of the browser tests: the production build started by the same script users run
 * (`npm start`'s scripts/start.ts), on free ports with a scratch data folder, on SQLite or, when
 * E2E_DATABASE_URL names a PostgreSQL server, on a fresh database there. A port is kept for a
 * server of the social web a test starts (test/support/fediverse.ts): the press accepts its
 * loopback origin as it accepts only public ones otherwise.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createScratchPostgres } from "../../../scripts/lib/scratch-postgres";
import { freeLocalPorts, freePort } from "../../../scripts/local/service";
import { launchPlatform } from "../../support/launch";

export default async function setup() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "press-e2e-"));
  const { ports, settings } = await freeLocalPorts();
  let databaseUrl = `file:${path.join(dataDir, "platform.db")}`;
  let dropDatabase = async () => {};
  const server = process.env.E2E_DATABASE_URL;
  if (server) {
    const scratch = await createScratchPostgres(server, "e2e");
    databaseUrl = scratch.url;
    dropDatabase = scratch.drop;
  }
  const peerPort = await freePort();
  const platform = launchPlatform({ ...settings, DATA_DIR: dataDir, DATABASE_URL: databaseUrl, FEDERATION_TEST_ORIGINS: `http://127.0.0.1:${peerPort}` });
  try {
    await platform.ready(120_000);
  } catch (error) {
    platform.child.kill("SIGKILL");
    await dropDatabase();
    throw error;
  }
  Object.assign(process.env, {
    E2E_BASE_URL: `http://127.0.0.1:${ports.web}`,
    E2E_RPC_URL: `http://127.0.0.1:${ports.chain}`,
    E2E_DATA_DIR: dataDir,
    E2E_DATABASE: server ? "postgres" : "sqlite",
    E2E_PEER_PORT: String(peerPort),
  });
  return async () => {
    platform.child.kill("SIGINT");
    await Promise.race([platform.exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
    // The server's log stays with the screenshots, for reading after a failure.
    const logs = path.resolve(__dirname, "../../../test-results");
    fs.mkdirSync(logs, { recursive: true });
    fs.writeFileSync(path.join(logs, `platform-${server ? "postgres" : "sqlite"}.log`), platform.output());
    await dropDatabase();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
}
