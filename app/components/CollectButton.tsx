import type { ChainInfo } from "./wallet";

/**
 * Collect an edition with a message. Server-rendered markup only: the page's small edition script
 * (app/page-scripts/edition.ts) enables the button and drives the wallet. Without JavaScript the
 * button stays disabled and says why.
 */
export function CollectButton(props: { editionId: string; priceEth: string; chain: ChainInfo }) {
  return (
    <form className="collect" data-collect="" data-edition-id={props.editionId} data-chain={JSON.stringify(props.chain)}>
      <label>
        Message to the writer <span className="muted">(optional, stored on chain)</span>
        <input name="message" maxLength={280} autoComplete="off" />
      </label>
      <button type="submit" disabled>
        Collect for {props.priceEth === "0" ? "free" : `${props.priceEth} ETH`}
      </button>
      <p data-testid="collect-status" className="muted" hidden />
      <noscript>
        <p className="muted">Collecting needs a wallet in this browser, with JavaScript on.</p>
      </noscript>
    </form>
  );
}
