import { createWalletClient, http, type Address, type Hex } from "viem";
import { typedDataParam, type TypedDataToSign } from "../../../app/components/typed-data";

/** A press answered with an error: its status and the message it gave. */
export class PressError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** The JSON the press answered with, if it did. */
    readonly body: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** One person's browser at the press: a session cookie, and requests from the press's own origin. */
export class PressSession {
  private cookie = "";

  constructor(readonly baseUrl: string) {}

  /** Any request to the press with this visitor's cookie; answers the response, errors thrown with the press's message. */
  async request(path: string, init: { method?: string; body?: BodyInit; headers?: Record<string, string> } = {}): Promise<Response> {
    const method = init.method ?? "GET";
    const response = await fetch(new URL(path, this.baseUrl), {
      method,
      body: init.body,
      redirect: "manual",
      headers: { ...(method === "GET" ? {} : { origin: new URL(this.baseUrl).origin }), ...(this.cookie ? { cookie: this.cookie } : {}), ...init.headers },
    });
    const set = response.headers.get("set-cookie");
    if (set) this.cookie = set.split(";")[0]!;
    if (response.status >= 400) {
      const text = await response.text();
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(text) as Record<string, unknown>;
      } catch {
        // Not JSON: the start of the page says what went wrong.
      }
      throw new PressError(response.status, `${method} ${path}: ${response.status} ${typeof body.error === "string" ? body.error : text.slice(0, 300)}`, body);
    }
    return response;
  }

  async postJson<T>(path: string, body: unknown): Promise<T> {
    const response = await this.request(path, { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } });
    return (await response.json()) as T;
  }

  /** A form post as a browser sends it; answers where the press redirected to, if it did. */
  async postForm(path: string, form: FormData | Record<string, string>): Promise<string | null> {
    const body = form instanceof FormData ? form : new URLSearchParams(form);
    const response = await this.request(path, { method: "POST", body });
    return response.headers.get("location");
  }

}

/**
 * A visitor with a wallet: an account of the local development chain. The node holds its key and
 * signs (`personal_sign`, `eth_signTypedData_v4`, `eth_sendTransaction`), so the press sees exactly
 * what a browser wallet sends it.
 */
export class PressVisitor extends PressSession {
  private readonly wallet;

  constructor(
    baseUrl: string,
    readonly address: Address,
    rpcUrl: string,
  ) {
    super(baseUrl);
    this.wallet = createWalletClient({ account: address, transport: http(rpcUrl, { retryCount: 0 }) });
  }

  /** Sign-In with Ethereum: the press's message, signed by the wallet. */
  async signIn(): Promise<{ handle: string | null }> {
    const { message } = await this.postJson<{ message: string }>("/auth/siwe", { intent: "message", address: this.address });
    const signature = await this.wallet.signMessage({ account: this.address, message });
    return this.postJson("/auth/siwe", { intent: "verify", message, signature });
  }

  /** The wallet's signature of typed data the press prepared, requested as a browser wallet is asked for it. */
  signTypedData(typedData: TypedDataToSign): Promise<Hex> {
    return this.wallet.request({ method: "eth_signTypedData_v4", params: [this.address, typedDataParam(typedData)] as never }) as Promise<Hex>;
  }

  /** Sends a transaction the press prepared; answers its hash once the chain has mined it. */
  async send(call: { to: string; data: string; value: string }): Promise<Hex> {
    const hash = await this.wallet.sendTransaction({ account: this.address, chain: null, to: call.to as Address, data: call.data as Hex, value: BigInt(call.value) });
    for (;;) {
      const receipt = await this.wallet.request({ method: "eth_getTransactionReceipt", params: [hash] } as never) as { status: Hex } | null;
      if (receipt) {
        if (receipt.status !== "0x1") throw new Error(`transaction ${hash} reverted`);
        return hash;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}
