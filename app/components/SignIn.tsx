import { useEffect, useState } from "react";
import { localPath } from "~/modules/redirects";
import { shortAddress } from "./addresses";
import { chooseDevAccount, DEV_WALLET_ID, developmentWallet } from "./dev-wallet";
import { connectWallet, discoverWallets, ensureChain, signInWithEthereum, walletErrorMessage, type ChainInfo, type DiscoveredWallet } from "./wallet";

type Step = { kind: "discovering" } | { kind: "choose" } | { kind: "busy"; what: string } | { kind: "failed"; message: string };

/** A development account offered on the local stack, signed for by the local chain (dev-wallet.ts). */
export interface DevWriterChoice {
  name: string;
  address: string;
}

/** Sign-In with Ethereum: pick a wallet, connect, switch chain, sign, then go on to `next`. */
export function SignIn({ chain, next, devWriters }: { chain: ChainInfo; next: string; devWriters: DevWriterChoice[] }) {
  const [wallets, setWallets] = useState<DiscoveredWallet[]>([]);
  const [step, setStep] = useState<Step>({ kind: "discovering" });

  useEffect(() => {
    let live = true;
    void discoverWallets().then((found) => {
      if (!live) return;
      // The development wallet is offered by account below, not as one more wallet.
      setWallets(found.filter((wallet) => wallet.id !== DEV_WALLET_ID));
      setStep({ kind: "choose" });
    });
    return () => {
      live = false;
    };
  }, []);

  async function signIn(wallet: DiscoveredWallet) {
    // A wallet chosen here replaces a development account chosen before.
    if (wallet.id !== DEV_WALLET_ID) chooseDevAccount(null);
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

  function signInAsDevWriter(writer: DevWriterChoice) {
    chooseDevAccount(writer.address);
    const wallet = developmentWallet();
    if (wallet) void signIn(wallet);
    else setStep({ kind: "failed", message: "This browser keeps no site data, which the development wallet needs." });
  }

  const busy = step.kind === "busy";
  const development =
    devWriters.length > 0 ? (
      <section className="dev-wallet" aria-labelledby="dev-wallet-title">
        <h2 id="dev-wallet-title">Use a development wallet</h2>
        <p className="muted">This press runs on the local chain: sign in as one of its development accounts, no extension needed.</p>
        <ul className="wallets">
          {devWriters.map((writer) => (
            <li key={writer.address}>
              <button type="button" disabled={busy} onClick={() => signInAsDevWriter(writer)}>
                {writer.name} <span className="muted">{shortAddress(writer.address)}</span>
              </button>
            </li>
          ))}
        </ul>
      </section>
    ) : null;

  const status = (idle: string) => (
    <p aria-live="polite" className={step.kind === "failed" ? "error" : "muted"}>
      {step.kind === "busy" ? step.what : step.kind === "failed" ? step.message : idle}
    </p>
  );
  let extensions: React.ReactNode;
  if (step.kind === "discovering") extensions = <p className="muted">Looking for wallets…</p>;
  else if (wallets.length === 0 && development) extensions = status("No wallet extension found in this browser; the development wallet needs none.");
  else if (wallets.length === 0) {
    extensions = (
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
  } else {
    extensions = (
      <>
        <ul className="wallets">
          {wallets.map((wallet) => (
            <li key={wallet.id}>
              <button type="button" disabled={busy} onClick={() => void signIn(wallet)}>
                {wallet.icon ? <img src={wallet.icon} alt="" width={20} height={20} /> : null} Sign in with {wallet.name}
              </button>
            </li>
          ))}
        </ul>
        {status(`You will sign a message on ${chain.name}; it costs nothing.`)}
      </>
    );
  }
  return (
    <div className="signin">
      {development}
      {extensions}
    </div>
  );
}
