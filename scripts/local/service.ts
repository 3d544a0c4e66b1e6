import net from "node:net";

/** A local stand-in for a remote service: where it answers, and how to stop it. */
export interface LocalService {
  url: string;
  stop(): Promise<void>;
}

/** A stand-in that cannot start at all: waiting longer would not help. */
export class StartError extends Error {}

/** Polls `ready` until it returns true; other errors from it count as "not yet" until time runs out. */
export async function waitFor(what: string, timeoutMs: number, ready: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      if (await ready()) return;
    } catch (error) {
      if (error instanceof StartError) throw error;
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  throw new Error(`timed out waiting for ${what}${lastError instanceof Error ? `: ${lastError.message}` : ""}`);
}

/** A port that is free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Fails with a message that says what to do when a stand-in's port is taken. */
export function assertPortFree(port: number, what: string, setting: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", () =>
      reject(new Error(`port ${port} for ${what} is in use: stop what holds it, set ${setting} to another port, or configure an external service`)),
    );
    server.listen(port, "127.0.0.1", () => server.close(() => resolve()));
  });
}

/** Free ports for the web server and every local stand-in, and the settings that give them. */
export async function freeLocalPorts() {
  const ports = { web: await freePort(), chain: await freePort(), arweave: await freePort(), bundler: await freePort(), smtp: await freePort() };
  const settings = {
    PORT: String(ports.web),
    LOCAL_CHAIN_PORT: String(ports.chain),
    LOCAL_ARWEAVE_PORT: String(ports.arweave),
    LOCAL_BUNDLER_PORT: String(ports.bundler),
    LOCAL_SMTP_PORT: String(ports.smtp),
  };
  return { ports, settings };
}
