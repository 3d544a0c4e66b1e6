import { useState } from "react";
import type { ChainInfo } from "./wallet";

type State = { kind: "idle" } | { kind: "busy"; text: string } | { kind: "done"; text: string } | { kind: "failed"; text: string };

/**
 * Collect an edition with a message. The wallet code loads only when the reader clicks, so a page
 * read without collecting ships none of it.
 */
export function CollectButton(props: { editionId: string; priceEth: string; chain: ChainInfo }) {
  const [message, setMessage] = useState("");
  const [state, setState] = useState<State>({ kind: "idle" });

  async function collect() {
    const wallet = await import("./wallet");
    try {
      setState({ kind: "busy", text: "Connecting your wallet…" });
      const { provider, account } = await wallet.connectOnChain(props.chain);
      setState({ kind: "busy", text: "Checking the edition…" });
      const call = await wallet.postJson<{ to: string; data: string; value: string }>(`/editions/${props.editionId}/collect`, { collector: account, message });
      setState({ kind: "busy", text: "Confirm in your wallet…" });
      await wallet.sendAndWait(provider, account, call, () => setState({ kind: "busy", text: "Pending: waiting for the transaction to be mined…" }));
      setState({ kind: "busy", text: "Collected. Adding you to the collectors…" });
      for (let i = 0; i < 30; i++) {
        const response = await fetch(`/editions/${props.editionId}/collected?by=${account}`);
        if (response.ok && ((await response.json()) as { collected: boolean }).collected) break;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      setState({ kind: "done", text: "Collected. Thank you!" });
      window.location.reload();
    } catch (error) {
      setState({ kind: "failed", text: wallet.walletErrorMessage(error) });
    }
  }

  const busy = state.kind === "busy";
  return (
    <form
      className="collect"
      onSubmit={(event) => {
        event.preventDefault();
        void collect();
      }}
    >
      <label>
        Message to the writer <span className="muted">(optional, stored on chain)</span>
        <input name="message" maxLength={280} value={message} onChange={(event) => setMessage(event.target.value)} disabled={busy} />
      </label>
      <button type="submit" disabled={busy}>
        Collect for {props.priceEth === "0" ? "free" : `${props.priceEth} ETH`}
      </button>
      {state.kind !== "idle" ? (
        <p role={state.kind === "failed" ? "alert" : "status"} data-testid="collect-status" className={state.kind === "failed" ? "error" : "muted"}>
          {state.text}
        </p>
      ) : null}
    </form>
  );
}
