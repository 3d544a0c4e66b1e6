import { useState } from "react";
import { signRecord } from "./signed-record";
import { walletErrorMessage } from "./wallet";

/**
 * A publication's handle, name and description, signed by the owner's wallet as a new publication
 * record: creating the publication when `publication` is absent, renaming it otherwise.
 */
export function PublicationRecordForm(props: { address: string; publication?: { accountId: string; handle: string; name: string; description: string } }) {
  const [state, setState] = useState<{ busy: boolean; text: string | null; error: boolean }>({ busy: false, text: null, error: false });
  const current = props.publication;

  async function save(form: HTMLFormElement) {
    const data = new FormData(form);
    const request = {
      handle: String(data.get("handle") ?? ""),
      name: String(data.get("name") ?? ""),
      description: String(data.get("description") ?? ""),
      ...(current ? { publicationId: current.accountId } : {}),
    };
    try {
      setState({ busy: true, text: "Preparing the record…", error: false });
      const saved = await signRecord<{ url: string }>("/settings/publications/record", props.address, request, (text) => setState({ busy: true, text, error: false }));
      window.location.assign(saved.url);
    } catch (error) {
      setState({ busy: false, text: walletErrorMessage(error), error: true });
    }
  }

  return (
    <form
      className="stack"
      onSubmit={(event) => {
        event.preventDefault();
        void save(event.currentTarget);
      }}
    >
      <label>
        Handle <span className="muted">(its address here: /handle)</span>
        <input name="handle" required minLength={3} maxLength={30} pattern="[a-zA-Z0-9](?:[a-zA-Z0-9\-]*[a-zA-Z0-9])?" defaultValue={current?.handle} />
      </label>
      <label>
        Name
        <input name="name" required maxLength={80} defaultValue={current?.name} />
      </label>
      <label>
        Description
        <textarea name="description" maxLength={500} rows={3} defaultValue={current?.description} />
      </label>
      <button type="submit" disabled={state.busy}>
        {current ? "Sign and save" : "Sign and create"}
      </button>
      {state.text ? (
        <p role={state.error ? "alert" : "status"} className={state.error ? "error" : "muted"}>
          {state.text}
        </p>
      ) : null}
    </form>
  );
}
