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

/** Wei as ETH with no trailing zeros ("0.003"), without a library: the script stays a few kilobytes. */
export function formatEth(wei: bigint): string {
  const whole = wei / 10n ** 18n;
  const fraction = (wei % 10n ** 18n).toString().padStart(18, "0").replace(/0+$/, "");
  return fraction ? `${whole}.${fraction}` : `${whole}`;
}

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/**
 * The referrer a reader arrived through: `?ref=0x…` on this page, or remembered from an earlier page
 * view in this tab (the link survives a reload). Anything else is ignored.
 */
function referrerFor(editionId: string): string | null {
  const key = `ref:${editionId}`;
  const fromLink = new URLSearchParams(window.location.search).get("ref");
  try {
    if (fromLink && ADDRESS.test(fromLink)) sessionStorage.setItem(key, fromLink);
    return sessionStorage.getItem(key);
  } catch {
    // Storage can be off; the link on this page still counts.
    return fromLink && ADDRESS.test(fromLink) ? fromLink : null;
  }
}

function setUpCollect(form: HTMLFormElement) {
  const editionId = form.dataset.editionId!;
  const chain = chainOf(form);
  const priceWei = BigInt(form.dataset.priceWei ?? "0");
  const button = form.querySelector<HTMLButtonElement>("button[type=submit]")!;
  const input = form.querySelector<HTMLInputElement>("input[name=message]")!;
  const copies = form.querySelector<HTMLInputElement>("input[name=quantity]");
  const line = form.querySelector<HTMLElement>("[data-testid=collect-status]")!;
  const referral = form.querySelector<HTMLElement>("[data-testid=referral]")!;
  const referrer = referrerFor(editionId);
  if (referrer) {
    referral.hidden = false;
    referral.textContent = `Referred by ${referrer.slice(0, 6)}…${referrer.slice(-4)}`;
  }
  const quantity = () => {
    const value = Number(copies?.value ?? "1");
    return Number.isInteger(value) && value >= 1 ? value : 1;
  };
  const label = () => {
    const n = quantity();
    const total = priceWei * BigInt(n);
    const what = n === 1 ? "" : ` ${n} copies`;
    button.textContent = total === 0n ? `Collect${what} for free` : `Collect${what} for ${formatEth(total)} ETH`;
  };
  copies?.addEventListener("input", label);
  const busy = (on: boolean) => {
    button.disabled = on;
    input.disabled = on;
    if (copies) copies.disabled = on;
  };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    busy(true);
    try {
      say(line, "Connecting your wallet…");
      const { provider, account } = await connectOnChain(chain);
      say(line, "Checking the edition…");
      const call = await postJson<{ to: string; data: string; value: string }>(`/editions/${editionId}/collect`, {
        collector: account,
        message: input.value,
        quantity: quantity(),
        referrer: referrer ?? "",
      });
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
  label();
  busy(false);
}

/** "Share with your link": the reader's wallet address names them as the referrer. */
function setUpReferralLink(box: HTMLElement) {
  const chain = chainOf(box.closest<HTMLElement>("form[data-collect]")!);
  const button = document.createElement("button");
  button.type = "button";
  button.textContent = "Get your link";
  const output = document.createElement("input");
  output.readOnly = true;
  output.hidden = true;
  output.setAttribute("aria-label", "Your referral link");
  output.dataset.testid = "referral-link";
  box.append(" ", button, output);
  button.addEventListener("click", async () => {
    try {
      const { account } = await connectOnChain(chain);
      const url = new URL(window.location.href);
      url.search = "";
      url.hash = "";
      url.searchParams.set("ref", account);
      output.value = url.toString();
      output.hidden = false;
      output.select();
    } catch (error) {
      output.hidden = false;
      output.value = walletErrorMessage(error);
    }
  });
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
document.querySelectorAll<HTMLElement>("[data-testid=referral-offer]").forEach(setUpReferralLink);
document.querySelectorAll<HTMLElement>("[data-withdraw]").forEach(setUpWithdraw);
