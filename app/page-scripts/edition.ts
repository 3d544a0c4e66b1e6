/**
 * The only script an entry page loads: Collect (for readers) and Withdraw (for the writer) on a
 * collectible entry. The page is plain HTML rendered by the server; this script finds the forms it
 * marked with `data-collect` / `data-withdraw`, enables their buttons, and drives the reader's
 * wallet through EIP-1193 when one is pressed. Built on its own (scripts/build-page-scripts.ts),
 * so a reader downloads a few kilobytes instead of the React client.
 */
import { type ChainInfo, connectOnChain, postJson, sendAndWait, walletErrorMessage } from "../components/wallet";

type Tone = "status" | "alert";

/** Shows `text` in the form's status line: `status` while working, `alert` when something failed. */
function say(line: HTMLElement, text: string, tone: Tone = "status") {
  line.hidden = false;
  line.setAttribute("role", tone);
  line.className = tone === "alert" ? "error" : "muted";
  line.textContent = text;
}

const chainOf = (element: HTMLElement) => JSON.parse(element.dataset.chain ?? "null") as ChainInfo;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function setUpCollect(form: HTMLFormElement) {
  const editionId = form.dataset.editionId!;
  const chain = chainOf(form);
  const button = form.querySelector<HTMLButtonElement>("button[type=submit]")!;
  const input = form.querySelector<HTMLInputElement>("input[name=message]")!;
  const line = form.querySelector<HTMLElement>("[data-testid=collect-status]")!;
  const busy = (on: boolean) => {
    button.disabled = on;
    input.disabled = on;
  };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    busy(true);
    try {
      say(line, "Connecting your wallet…");
      const { provider, account } = await connectOnChain(chain);
      say(line, "Checking the edition…");
      const call = await postJson<{ to: string; data: string; value: string }>(`/editions/${editionId}/collect`, { collector: account, message: input.value });
      say(line, "Confirm in your wallet…");
      await sendAndWait(provider, account, call, () => say(line, "Pending: waiting for the transaction to be mined…"));
      say(line, "Collected. Adding you to the collectors…");
      // The page lists collectors from the index: wait (a little) until it has seen this one.
      for (let i = 0; i < 30; i++) {
        const response = await fetch(`/editions/${editionId}/collected?by=${account}`, { cache: "no-store" });
        if (response.ok && ((await response.json()) as { collected: boolean }).collected) break;
        await sleep(500);
      }
      say(line, "Collected. Thank you!");
      window.location.reload();
    } catch (error) {
      say(line, walletErrorMessage(error), "alert");
      busy(false);
    }
  });
  busy(false);
}

function setUpWithdraw(box: HTMLElement) {
  const editionId = box.dataset.editionId!;
  const chain = chainOf(box);
  const button = box.querySelector<HTMLButtonElement>("button")!;
  const line = box.querySelector<HTMLElement>("[data-testid=withdraw-status]")!;
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      say(line, "Confirm in your wallet…");
      const { provider, account } = await connectOnChain(chain);
      const call = await postJson<{ to: string; data: string; value: string }>(`/editions/${editionId}/withdraw`, {});
      await sendAndWait(provider, account, call, () => say(line, "Pending…"));
      say(line, "Withdrawn.");
      // The held amount comes from the index: wait (a little) until it has seen the withdrawal.
      for (let i = 0; i < 30; i++) {
        const response = await fetch(`/editions/${editionId}/held`, { cache: "no-store" });
        if (response.ok && ((await response.json()) as { heldEth: string }).heldEth !== box.dataset.held) break;
        await sleep(500);
      }
      window.location.reload();
    } catch (error) {
      say(line, walletErrorMessage(error), "alert");
      button.disabled = false;
    }
  });
  button.disabled = box.dataset.held === "0";
}

document.querySelectorAll<HTMLFormElement>("form[data-collect]").forEach(setUpCollect);
document.querySelectorAll<HTMLElement>("[data-withdraw]").forEach(setUpWithdraw);
