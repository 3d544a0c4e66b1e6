import { spawn } from "node:child_process";
import path from "node:path";
import type { PrivateKeyAccount } from "viem/accounts";
import { getEnv } from "~/env.server";
import { startWebServer } from "../../app/server/web.server";
import { freePort } from "../../scripts/local/service";

/**
 * Serves the production build in this test process on a free port, with PUBLIC_URL set to it (the
 * sign-in domain and links depend on it). Call it before anything in the file reads the settings.
 */
export async function startTestServer() {
  const port = await freePort();
  process.env.PORT = String(port);
  process.env.PUBLIC_URL = `http://127.0.0.1:${port}`;
  if (getEnv().port !== port) throw new Error("startTestServer must run before the settings are first read");
  return startWebServer({ host: "127.0.0.1", port });
}

/**
 * Serves the production build in a child process, with `settings` over this process's own: for
 * settings that are read once per process (PUBLIC_URL, SMTP_URL...). Resolves once it listens.
 */
export async function startChildServer(settings: Record<string, string>): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const child = spawn(path.resolve(__dirname, "../../node_modules/.bin/tsx"), ["test/support/web-child.ts"], {
    cwd: path.resolve(__dirname, "../.."),
    env: { ...process.env, PORT: String(port), ...settings },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const listening = /^listening (\S+)$/m.exec(output);
      if (listening) resolve(listening[1]!);
    };
    child.stdout.on("data", read);
    child.stderr.on("data", read);
    void exited.then(() => reject(new Error(`the server exited before listening:\n${output}`)));
  });
  return {
    url,
    stop: async () => {
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** A client that keeps cookies between requests, like a browser tab. */
export class Browser {
  private cookies = new Map<string, string>();
  constructor(readonly base: string) {}

  async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set("cookie", [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; "));
    const response = await fetch(new URL(path, this.base), { ...init, headers, redirect: "manual" });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(";");
      const [name, ...value] = pair!.split("=");
      if (/max-age=0|expires=thu, 01 jan 1970/i.test(cookie)) this.cookies.delete(name!);
      else this.cookies.set(name!, value.join("="));
    }
    return response;
  }

  postJson(path: string, body: unknown) {
    return this.fetch(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  }

  /** The value of a cookie this tab holds. */
  cookie(name: string): string | undefined {
    return this.cookies.get(name);
  }

  get signedIn(): boolean {
    return this.cookies.has("press_session");
  }
}

/** A browser tab signed in with Sign-In with Ethereum as the wallet holding `account`. */
export async function signedInBrowser(base: string, account: PrivateKeyAccount): Promise<Browser> {
  const browser = new Browser(base);
  const issued = await browser.postJson("/auth/siwe", { intent: "message", address: account.address });
  if (issued.status !== 200) throw new Error(`no sign-in message: ${issued.status} ${await issued.text()}`);
  const { message } = (await issued.json()) as { message: string };
  const verified = await browser.postJson("/auth/siwe", { intent: "verify", message, signature: await account.signMessage({ message }) });
  if (verified.status !== 200 || !browser.signedIn) throw new Error(`sign-in refused: ${verified.status} ${await verified.text()}`);
  return browser;
}

/** The script elements of a page that a browser would run: schema.org data (application/ld+json) is not one. */
export const runnableScripts = (html: string) => [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]).filter((tag) => !tag.includes('type="application/ld+json"'));
