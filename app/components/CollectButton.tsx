import type { ChainInfo } from "./wallet";

/**
 * Collect an edition: how many copies, and a message. Server-rendered markup only: the page's small
 * edition script (app/page-scripts/edition.ts) enables the button, keeps its price in step with the
 * number of copies, passes on a `?ref=` referral link, and drives the wallet. Without JavaScript the
 * button stays disabled and says why.
 */
export function CollectButton(props: { editionId: string; priceEth: string; priceWei: string; maxCopies: number; referralPercent: number; chain: ChainInfo }) {
  const price = props.priceEth === "0" ? "free" : `${props.priceEth} ETH`;
  return (
    <form className="collect" data-collect="" data-edition-id={props.editionId} data-price-wei={props.priceWei} data-chain={JSON.stringify(props.chain)}>
      {props.maxCopies > 1 ? (
        <label>
          Copies <input name="quantity" type="number" min={1} max={props.maxCopies} defaultValue={1} inputMode="numeric" required />
        </label>
      ) : null}
      <label>
        Message to the writer <span className="muted">(optional, stored on chain)</span>
        <input name="message" maxLength={280} autoComplete="off" />
      </label>
      <button type="submit" disabled>
        Collect for {price}
      </button>
      <p data-testid="referral" className="muted" hidden />
      <p data-testid="collect-status" className="muted" hidden />
      {props.referralPercent > 0 ? (
        <p className="muted" data-testid="referral-offer">
          Share this essay with your referral link and earn {props.referralPercent}% of each copy collected through it.
        </p>
      ) : null}
      <noscript>
        <p className="muted">Collecting needs a wallet in this browser, with JavaScript on.</p>
      </noscript>
    </form>
  );
}
