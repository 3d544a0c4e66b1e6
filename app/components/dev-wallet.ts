import type { DiscoveredWallet, Eip1193Provider } from "./wallet";

/**
 * The development wallet: on a press running the local chain, a person signs in as one of its
 * development accounts without a wallet extension. The root document names the relay in a meta
 * tag (only on such a press); the account chosen on the sign-in page stays in this browser's
 * storage until sign-out, so every later page (the editor, an entry's Collect) finds the wallet.
 */

export const DEV_WALLET_META = "press-dev-wallet";
export const DEV_WALLET_ID = "press.permanent.devwallet";
const STORAGE_KEY = "press.devWalletAccount";

function storage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    // Storage may be denied (a sandboxed frame, blocked site data): there is no chosen account then.
    return null;
  }
}

/** Makes `address` the wallet of this browser on every page until sign-out; null forgets it. */
export function chooseDevAccount(address: string | null) {
  if (address) storage()?.setItem(STORAGE_KEY, address);
  else storage()?.removeItem(STORAGE_KEY);
}

class RpcError extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}

/** An EIP-1193 provider for `account`: it answers for the account itself and relays the rest to the node. */
export function devProvider(relay: string, account: string): Eip1193Provider {
  const provider: Eip1193Provider = {
    async request({ method, params }) {
      if (method === "eth_requestAccounts" || method === "eth_accounts") return [account];
      if (method === "wallet_switchEthereumChain") {
        const wanted = (params as Array<{ chainId?: string }> | undefined)?.[0]?.chainId;
        const current = (await provider.request({ method: "eth_chainId" })) as string;
        if (wanted === undefined || Number(wanted) !== Number(current)) throw new RpcError("The development wallet knows only the local chain.", 4902);
        return null;
      }
      const response = await fetch(relay, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params: params ?? [] }) });
      const answer = (await response.json().catch(() => ({}))) as { result?: unknown; error?: { code: number; message: string } };
      if (answer.error) throw new RpcError(answer.error.message, answer.error.code);
      if (!response.ok) throw new RpcError(`The development wallet's relay answered ${response.status}.`, -32603);
      return answer.result;
    },
  };
  return provider;
}

/** The development wallet with the chosen account, when this press offers it and one was chosen. */
export function developmentWallet(): DiscoveredWallet | null {
  const relay = document.querySelector<HTMLMetaElement>(`meta[name="${DEV_WALLET_META}"]`)?.content;
  const account = storage()?.getItem(STORAGE_KEY);
  if (!relay || !account) return null;
  return { id: DEV_WALLET_ID, name: "Development wallet", icon: null, provider: devProvider(relay, account) };
}
