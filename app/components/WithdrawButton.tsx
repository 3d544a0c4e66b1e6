import { shortAddress } from "./addresses";
import type { ChainInfo } from "./wallet";

/**
 * The writer's Withdraw: proceeds go to the edition's funding recipient. Server-rendered markup;
 * the page's edition script (app/page-scripts/edition.ts) sends the transaction from their wallet.
 */
export function WithdrawButton(props: {
  editionId: string;
  heldEth: string;
  toWriterEth: string;
  feePercent: number;
  fundingRecipient: string;
  publicationShare: { name: string; toPublicationEth: string } | null;
  chain: ChainInfo;
}) {
  const share = props.publicationShare;
  return (
    <p className="withdraw" data-withdraw="" data-edition-id={props.editionId} data-held={props.heldEth} data-chain={JSON.stringify(props.chain)}>
      Held in the edition: <strong data-testid="held">{props.heldEth} ETH</strong>
      {props.heldEth !== "0" && (share || props.feePercent > 0) ? (
        <span className="muted" data-testid="shares">
          {" "}
          ({props.toWriterEth} ETH to you{share ? `, ${share.toPublicationEth} ETH to ${share.name}` : ""}
          {props.feePercent > 0 ? ` after the platform's ${props.feePercent}% fee` : ""})
        </span>
      ) : null}{" "}
      <span className="muted" data-testid="funding-recipient">
        Proceeds go to {shortAddress(props.fundingRecipient)}.
      </span>{" "}
      <button type="button" disabled>
        Withdraw
      </button>{" "}
      <span data-testid="withdraw-status" className="muted" hidden />
    </p>
  );
}
