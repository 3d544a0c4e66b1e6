import { useState } from "react";
import { typedDataParam, type TypedDataToSign } from "./typed-data";
import { postJson as post, walletErrorMessage, writerWallet } from "./wallet";

interface Prepared {
  revision: number;
  timestamp: number;
  version: number;
  typedData: TypedDataToSign;
}

/**
 * Publishes the draft: saves pending edits, has the writer's wallet sign the entry (EIP-712), and
 * goes to the published page.
 */
export function PublishButton(props: { draftId: string; address: string; editing: boolean; beforePublish: () => Promise<void> }) {
  const [state, setState] = useState<{ busy: boolean; message: string | null; error: boolean }>({ busy: false, message: null, error: false });

  async function publish() {
    try {
      setState({ busy: true, message: "Saving…", error: false });
      await props.beforePublish();
      const url = `/drafts/${props.draftId}/publish`;
      const prepared = await post<Prepared>(url, { intent: "prepare" });
      setState({ busy: true, message: "Sign the entry in your wallet…", error: false });
      const provider = await writerWallet(props.address);
      const signature = await provider.request({ method: "eth_signTypedData_v4", params: [props.address, typedDataParam(prepared.typedData)] });
      setState({ busy: true, message: "Publishing…", error: false });
      const published = await post<{ url: string }>(url, { intent: "publish", revision: prepared.revision, timestamp: prepared.timestamp, signature });
      window.location.assign(published.url);
    } catch (error) {
      setState({ busy: false, message: walletErrorMessage(error), error: true });
    }
  }

  return (
    <div className="publish">
      <button type="button" onClick={() => void publish()} disabled={state.busy}>
        {props.editing ? "Publish new version" : "Publish"}
      </button>
      {state.message ? (
        <span role={state.error ? "alert" : "status"} className={state.error ? "error" : "muted"}>
          {state.message}
        </span>
      ) : null}
    </div>
  );
}
