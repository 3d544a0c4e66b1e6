/**
 * Browser wallets through EIP-1193, discovered with EIP-6963 (every installed wallet announces
 * itself), falling back to the single injected `window.ethereum`. Only used in the browser.
 */
import { developmentWallet } from "./dev-wallet";

export interface Eip1193Provider {
  request(args: { method: string; params?: unknown[] | Record<string, unknown> }): Promise<unknown>;
}

export interface DiscoveredWallet {
  id: string;
  name: string;
  icon: string | null;
  provider: Eip1193Provider;
}

export interface ChainInfo {
  id: number;
  name: string;
  rpcUrl: string;
  explorerUrl: string | null;
}

interface AnnounceDetail {
  info: { uuid: string; name: string; icon: string; rdns: string };
  provider: Eip1193Provider;
}

/**
 * Every wallet that answers within `waitMs`; the injected provider when none announces itself. The
 * development account a person chose on this press comes first: they picked it over any extension.
 */
export function discoverWallets(waitMs = 400): Promise<DiscoveredWallet[]> {
  return new Promise((resolve) => {
    const found = new Map<string, DiscoveredWallet>();
    const onAnnounce = (event: Event) => {
      const { info, provider } = (event as CustomEvent<AnnounceDetail>).detail;
      if (!info?.rdns || !provider) return;
      found.set(info.rdns, { id: info.rdns, name: info.name, icon: info.icon || null, provider });
    };
    window.addEventListener("eip6963:announceProvider", onAnnounce);
    window.dispatchEvent(new Event("eip6963:requestProvider"));
    setTimeout(() => {
      window.removeEventListener("eip6963:announceProvider", onAnnounce);
      const injected = (window as unknown as { ethereum?: Eip1193Provider }).ethereum;
      if (found.size === 0 && injected) found.set("injected", { id: "injected", name: "Browser wallet", icon: null, provider: injected });
      const development = developmentWallet();
      resolve([...(development ? [development] : []), ...found.values()]);
    }, waitMs);
  });
}

/** The platform refused a request; its message is meant for the person as it is. */
export class PlatformRefusal extends Error {}

/** A wallet (or platform) error in words a person can act on. */
export function walletErrorMessage(error: unknown): string {
  if (error instanceof PlatformRefusal) return error.message;
  const { code, message } = (error ?? {}) as { code?: number; message?: string };
  if (code === 4001) return "You declined the request in your wallet.";
  if (code === 4100) return "Your wallet has not authorised this site: unlock it and try again.";
  if (code === -32002) return "Your wallet already has a request waiting: open it to continue.";
  return message ? `Your wallet reported: ${message}` : "Your wallet did not answer.";
}

export async function connectWallet(provider: Eip1193Provider): Promise<`0x${string}`> {
  const accounts = (await provider.request({ method: "eth_requestAccounts" })) as string[];
  if (!accounts?.[0]) throw new Error("Your wallet shared no account.");
  return accounts[0] as `0x${string}`;
}

const toHex = (n: number) => `0x${n.toString(16)}`;

/** Switches the wallet to the chain, adding it to the wallet first if it does not know it. */
export async function ensureChain(provider: Eip1193Provider, chain: ChainInfo): Promise<void> {
  const current = Number.parseInt((await provider.request({ method: "eth_chainId" })) as string, 16);
  if (current === chain.id) return;
  try {
    await provider.request({ method: "wallet_switchEthereumChain", params: [{ chainId: toHex(chain.id) }] });
  } catch (error) {
    if ((error as { code?: number }).code !== 4902) throw error;
    await provider.request({
      method: "wallet_addEthereumChain",
      params: [
        {
          chainId: toHex(chain.id),
          chainName: chain.name,
          rpcUrls: [chain.rpcUrl],
          nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
          ...(chain.explorerUrl ? { blockExplorerUrls: [chain.explorerUrl] } : {}),
        },
      ],
    });
  }
}

const utf8ToHex = (text: string) => `0x${Array.from(new TextEncoder().encode(text), (b) => b.toString(16).padStart(2, "0")).join("")}`;

/** Sign-In with Ethereum: asks the server for a message, has the wallet sign it, starts a session. */
export async function signInWithEthereum(provider: Eip1193Provider, address: `0x${string}`): Promise<{ handle: string | null }> {
  const post = async (body: unknown) => {
    const response = await fetch("/auth/siwe", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    const result = (await response.json()) as Record<string, unknown>;
    if (!response.ok) throw new PlatformRefusal(typeof result.error === "string" ? result.error : `Sign-in failed (${response.status}).`);
    return result;
  };
  const { message } = (await post({ intent: "message", address })) as { message: string };
  const signature = await provider.request({ method: "personal_sign", params: [utf8ToHex(message), address] });
  const result = (await post({ intent: "verify", message, signature })) as { handle: string | null };
  return { handle: result.handle };
}

/** The wallet of the signed-in writer: the first discovered wallet whose account is theirs. */
export async function writerWallet(address: string): Promise<Eip1193Provider> {
  const wallets = await discoverWallets();
  if (wallets.length === 0) throw new PlatformRefusal("No wallet found in this browser: this needs your wallet's signature.");
  for (const wallet of wallets) {
    const account = await connectWallet(wallet.provider);
    if (account.toLowerCase() === address.toLowerCase()) return wallet.provider;
  }
  throw new PlatformRefusal(`Switch your wallet to ${address}, the account you signed in with.`);
}

export interface Call {
  to: string;
  data: string;
  value: string;
}

/** Sends a transaction from the connected account and waits for it to be mined; throws when it reverts. */
export async function sendAndWait(provider: Eip1193Provider, from: string, call: Call, onSent?: (hash: string) => void): Promise<string> {
  const hash = (await provider.request({ method: "eth_sendTransaction", params: [{ from, to: call.to, data: call.data, value: call.value }] })) as string;
  onSent?.(hash);
  for (let i = 0; i < 600; i++) {
    const receipt = (await provider.request({ method: "eth_getTransactionReceipt", params: [hash] })) as { status: string } | null;
    if (receipt) {
      if (receipt.status !== "0x1") throw new PlatformRefusal("The transaction was mined but failed; nothing was charged but gas.");
      return hash;
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  throw new PlatformRefusal(`The transaction ${hash} is still pending; check your wallet.`);
}

/** The first wallet found, connected and switched to the chain; with the account it uses. */
export async function connectOnChain(chain: ChainInfo): Promise<{ provider: Eip1193Provider; account: `0x${string}` }> {
  const wallets = await discoverWallets();
  const wallet = wallets[0];
  if (!wallet) throw new PlatformRefusal("No wallet found in this browser. Install one (ethereum.org/wallets) and reload.");
  const account = await connectWallet(wallet.provider);
  await ensureChain(wallet.provider, chain);
  return { provider: wallet.provider, account };
}

/** POSTs JSON to the platform and returns its answer, or throws its message. */
export async function postJson<T>(url: string, body: unknown): Promise<T> {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const result = (await response.json().catch(() => ({}))) as T & { error?: string };
  if (!response.ok) throw new PlatformRefusal(result.error ?? `The request failed (${response.status}).`);
  return result;
}
