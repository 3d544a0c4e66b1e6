import { useState } from "react";
import { signRecord } from "./signed-record";
import { walletErrorMessage } from "./wallet";

type Status = { busy: boolean; text: string | null; error: boolean };

function StatusLine({ state }: { state: Status }) {
  return state.text ? (
    <p role={state.error ? "alert" : "status"} className={state.error ? "error" : "muted"}>
      {state.text}
    </p>
  ) : null;
}

/** Signs a membership record with the owner's wallet, then shows the members again. */
function useMembership(accountId: string, owner: string) {
  const [state, setState] = useState<Status>({ busy: false, text: null, error: false });
  async function sign(request: { member: string; role: string; from?: number }) {
    try {
      setState({ busy: true, text: "Preparing the record…", error: false });
      await signRecord(`/settings/publications/${accountId}/members`, owner, request, (text) => setState({ busy: true, text, error: false }));
      window.location.reload();
    } catch (error) {
      setState({ busy: false, text: walletErrorMessage(error), error: true });
    }
  }
  return { state, sign };
}

/**
 * Grants a role to a wallet. "From" may be earlier than now, so entries an imported archive holds
 * are proven from then; left empty, the role holds from now.
 */
export function GrantForm(props: { accountId: string; owner: string }) {
  const { state, sign } = useMembership(props.accountId, props.owner);
  return (
    <form
      className="stack"
      onSubmit={(event) => {
        event.preventDefault();
        const data = new FormData(event.currentTarget);
        const from = String(data.get("from") ?? "");
        void sign({
          member: String(data.get("member") ?? "").trim(),
          role: String(data.get("role") ?? ""),
          // The field holds the person's local time; the record holds seconds since the epoch.
          ...(from ? { from: Math.floor(new Date(from).getTime() / 1000) } : {}),
        });
      }}
    >
      <label>
        Wallet address
        <input name="member" required pattern="0x[0-9a-fA-F]{40}" autoComplete="off" spellCheck={false} />
      </label>
      <label>
        Role <span className="muted">(a writer publishes their own entries; an editor also edits and publishes others’)</span>
        <select name="role" defaultValue="writer">
          <option value="writer">Writer</option>
          <option value="editor">Editor</option>
        </select>
      </label>
      <label>
        From <span className="muted">(empty for now; earlier to prove an imported archive’s entries)</span>
        <input name="from" type="datetime-local" />
      </label>
      <button type="submit" disabled={state.busy}>
        Sign and grant
      </button>
      <StatusLine state={state} />
    </form>
  );
}

/** Revokes every role of a member from now on: what they published stays theirs and proven. */
export function RevokeButton(props: { accountId: string; owner: string; member: string }) {
  const { state, sign } = useMembership(props.accountId, props.owner);
  return (
    <span>
      <button type="button" className="link" disabled={state.busy} onClick={() => void sign({ member: props.member, role: "revoked" })} aria-label={`Revoke ${props.member}`}>
        Revoke
      </button>
      <StatusLine state={state} />
    </span>
  );
}
