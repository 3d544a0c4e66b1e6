import { useEffect, useState } from "react";
import { localPath } from "~/modules/redirects";
import { connectWallet, discoverWallets, ensureChain, signInWithEthereum, walletErrorMessage, type ChainInfo, type DiscoveredWallet } from "./wallet";

type Step = { kind: "discovering" } | { kind: "choose" } | { kind: "busy"; what: string } | { kind: "failed"; message: string };

/** Sign-In with Ethereum: pick a wallet, connect, switch chain, sign, then go on to `next`. */
export function SignIn({ chain, next }: { chain: ChainInfo; next: string }) {
  const [wallets, setWallets] = useState<DiscoveredWallet[]>([]);
  const [step, setStep] = useState<Step>({ kind: "discovering" });

  useEffect(() => {
    let live = true;
    void discoverWallets().then((found) => {
      if (!live) return;
      setWallets(found);
      setStep({ kind: "choose" });
    });
    return () => {
      live = false;
    };
  }, []);

  async function signIn(wallet: DiscoveredWallet) {
    try {
      setStep({ kind: "busy", what: `Connecting to ${wallet.name}…` });
      const address = await connectWallet(wallet.provider);
      setStep({ kind: "busy", what: `Switching to ${chain.name}…` });
      await ensureChain(wallet.provider, chain);
      setStep({ kind: "busy", what: "Sign the message in your wallet…" });
      const { handle } = await signInWithEthereum(wallet.provider, address);
      // `next` came in a link anyone can write: the page checked it, and so does the step that uses it.
      const local = localPath(next, "/drafts");
      window.location.assign(handle ? local : `/settings/profile?next=${encodeURIComponent(local)}`);
    } catch (error) {
      setStep({ kind: "failed", message: walletErrorMessage(error) });
    }
  }

  if (step.kind === "discovering") return <p className="muted">Looking for wallets…</p>;
  if (wallets.length === 0) {
    return (
      <div role="alert" className="notice">
        <p>
          <strong>No wallet found in this browser.</strong> Signing in uses an Ethereum wallet: your wallet is your account,
          and nothing is sent or spent.
        </p>
        <p>
          <a href="https://ethereum.org/en/wallets/find-wallet/" rel="noopener noreferrer" target="_blank">
            Find a wallet
          </a>
          , install it, then reload this page.
        </p>
      </div>
    );
  }
  const busy = step.kind === "busy";
  return (
    <div className="signin">
      <ul className="wallets">
        {wallets.map((wallet) => (
          <li key={wallet.id}>
            <button type="button" disabled={busy} onClick={() => void signIn(wallet)}>
              {wallet.icon ? <img src={wallet.icon} alt="" width={20} height={20} /> : null} Sign in with {wallet.name}
            </button>
          </li>
        ))}
      </ul>
      <p aria-live="polite" className={step.kind === "failed" ? "error" : "muted"}>
        {step.kind === "busy" ? step.what : step.kind === "failed" ? step.message : `You will sign a message on ${chain.name}; it costs nothing.`}
      </p>
    </div>
  );
}
