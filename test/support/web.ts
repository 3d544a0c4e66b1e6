import type { PrivateKeyAccount } from "viem/accounts";
import { getEnv } from "~/env.server";
import { startWebServer } from "../../scripts/lib/web";
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

  get signedIn(): boolean {
    return this.cookies.has("press_session");
  }
}

/** A browser signed in as `account` through Sign-In with Ethereum, as a wallet does it. */
export async function signIn(base: string, account: PrivateKeyAccount): Promise<Browser> {
  const browser = new Browser(base);
  const issued = await browser.postJson("/auth/siwe", { intent: "message", address: account.address });
  const { message } = (await issued.json()) as { message: string };
  const verified = await browser.postJson("/auth/siwe", { intent: "verify", message, signature: await account.signMessage({ message }) });
  if (verified.status !== 200 || !browser.signedIn) throw new Error(`sign-in failed: ${verified.status} ${await verified.text()}`);
  return browser;
}
