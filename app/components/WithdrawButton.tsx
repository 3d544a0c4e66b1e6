import { useState } from "react";
import type { ChainInfo } from "./wallet";

/** Sends the edition's withdraw from the writer's wallet: proceeds go to the funding recipient. */
export function WithdrawButton(props: { editionId: string; heldEth: string; chain: ChainInfo }) {
  const [text, setText] = useState<{ value: string; error: boolean } | null>(null);
  async function withdraw() {
    const wallet = await import("./wallet");
    try {
      setText({ value: "Confirm in your wallet…", error: false });
      const { provider, account } = await wallet.connectOnChain(props.chain);
      const call = await wallet.postJson<{ to: string; data: string; value: string }>(`/editions/${props.editionId}/withdraw`, {});
      await wallet.sendAndWait(provider, account, call, () => setText({ value: "Pending…", error: false }));
      setText({ value: "Withdrawn.", error: false });
      setTimeout(() => window.location.reload(), 1500);
    } catch (error) {
      setText({ value: wallet.walletErrorMessage(error), error: true });
    }
  }
  return (
    <p className="withdraw">
      Held in the edition: <strong data-testid="held">{props.heldEth} ETH</strong>{" "}
      <button type="button" onClick={() => void withdraw()} disabled={props.heldEth === "0"}>
        Withdraw
      </button>{" "}
      {text ? <span role={text.error ? "alert" : "status"} className={text.error ? "error" : "muted"}>{text.value}</span> : null}
    </p>
  );
}
