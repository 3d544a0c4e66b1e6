import { useState } from "react";
import { typedDataParam, type TypedDataToSign } from "./typed-data";
import { connectOnChain, postJson, walletErrorMessage, sendAndWait, type ChainInfo } from "./wallet";

interface Prepared {
  editionId: string;
  address: string;
  createCall: { to: string; data: string; value: string };
  typedData: TypedDataToSign;
}


/**
 * The writer's terms for an edition, then one of two ways to create it: send the factory's create
 * transaction now, or sign the terms so the first collector's purchase deploys it.
 */
export function EditionForm(props: { entryId: string; entryUrl: string; chain: ChainInfo; defaultRecipient: string; writerShare: "all" | "part" | "none" }) {
  const [state, setState] = useState<{ busy: boolean; text: string | null; error: boolean }>({ busy: false, text: null, error: false });

  async function create(form: HTMLFormElement, mode: "direct" | "lazy") {
    const data = new FormData(form);
    const terms = {
      price: String(data.get("price") ?? ""),
      supply: String(data.get("supply") ?? ""),
      royaltyPercent: String(data.get("royaltyPercent") ?? ""),
      referralPercent: String(data.get("referralPercent") ?? "0"),
      fundingRecipient: String(data.get("fundingRecipient") ?? ""),
    };
    const url = `/entries/${props.entryId}/edition/api`;
    try {
      setState({ busy: true, text: "Storing the cover and metadata on Arweave…", error: false });
      const prepared = await postJson<Prepared>(url, { intent: "prepare", terms });
      const { provider, account } = await connectOnChain(props.chain);
      if (mode === "direct") {
        setState({ busy: true, text: "Confirm the create transaction in your wallet…", error: false });
        const txHash = await sendAndWait(provider, account, prepared.createCall, () => setState({ busy: true, text: "Pending: creating the edition…", error: false }));
        await postJson(url, { intent: "confirm", editionId: prepared.editionId, confirmation: { mode, txHash } });
      } else {
        setState({ busy: true, text: "Sign the terms in your wallet (no transaction, no gas)…", error: false });
        const signature = await provider.request({ method: "eth_signTypedData_v4", params: [account, typedDataParam(prepared.typedData)] });
        await postJson(url, { intent: "confirm", editionId: prepared.editionId, confirmation: { mode, signature } });
      }
      window.location.assign(props.entryUrl);
    } catch (error) {
      setState({ busy: false, text: walletErrorMessage(error), error: true });
    }
  }

  return (
    <form
      className="stack edition-form"
      onSubmit={(event) => {
        event.preventDefault();
        const mode = ((event.nativeEvent as SubmitEvent).submitter as HTMLButtonElement | null)?.value === "lazy" ? "lazy" : "direct";
        void create(event.currentTarget, mode);
      }}
    >
      <label>
        Price in ETH <span className="muted">(0 for free)</span>
        <input name="price" defaultValue="0.01" inputMode="decimal" required />
      </label>
      <label>
        Supply <span className="muted">(0 for an open edition)</span>
        <input name="supply" defaultValue="100" inputMode="numeric" required />
      </label>
      <label>
        Royalty on resales, % <input name="royaltyPercent" defaultValue="5" inputMode="decimal" required />
      </label>
      <label>
        Referral reward, % <span className="muted">(of each sale, to whoever shared the link a reader collected through; 0 for none)</span>
        <input name="referralPercent" defaultValue="0" inputMode="decimal" required />
      </label>
      {/* With no share of the writer's (the publication takes all, royalties too), there is nothing to send anywhere. */}
      {props.writerShare === "none" ? (
        <input type="hidden" name="fundingRecipient" value={props.defaultRecipient} />
      ) : (
        <label>
          {props.writerShare === "all" ? "Proceeds go to" : "Your share goes to"} <input name="fundingRecipient" defaultValue={props.defaultRecipient} />
        </label>
      )}
      <div className="actions">
        <button type="submit" name="mode" value="direct" disabled={state.busy}>
          Create now (you pay the gas)
        </button>
        <button type="submit" name="mode" value="lazy" disabled={state.busy}>
          Sign — the first collector deploys it
        </button>
      </div>
      {state.text ? (
        <p role={state.error ? "alert" : "status"} data-testid="edition-status" className={state.error ? "error" : "muted"}>
          {state.text}
        </p>
      ) : null}
    </form>
  );
}
