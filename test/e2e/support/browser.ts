import fs from "node:fs";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { createWalletClient, http, toHex, type Hex } from "viem";
import { mnemonicToAccount, privateKeyToAccount } from "viem/accounts";
import { hardhat } from "viem/chains";

export const BASE_URL = () => process.env.E2E_BASE_URL!;
const SHOTS = path.resolve(__dirname, "../../../test-results/screenshots");

/** Debian's Chromium, headless, with no background traffic; Playwright gives it a fresh profile. */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** Saves a full-page screenshot under test-results/screenshots/<database>-<name>.png. */
export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SHOTS, { recursive: true });
  const file = path.join(SHOTS, `${process.env.E2E_DATABASE ?? "sqlite"}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * What a page does wrong while a test uses it, gathered in `problems` (a fresh list unless one is
 * given, so several pages can share one): errors thrown, errors logged to the console (a failed
 * hydration logs one), and dialogs it opens, which are dismissed. A test expects it empty.
 */
export function watch(page: Page, problems: string[] = []): string[] {
  page.on("pageerror", (error) => problems.push(`page error: ${error.message} (${page.url()})`));
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console error: ${message.text()} (${message.location().url})`);
  });
  page.on("dialog", (dialog) => {
    problems.push(`a dialog opened: ${dialog.message()} (${page.url()})`);
    void dialog.dismiss();
  });
  return problems;
}

/** The elements of the page that stick out past the right edge of the screen, innermost first, with where they end. */
export function overflowing(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const screen = document.documentElement.clientWidth;
    const wide = [...document.body.querySelectorAll("*")].filter((element) => element.getBoundingClientRect().right > screen + 0.5);
    return wide
      .filter((element) => !wide.some((other) => other !== element && element.contains(other)))
      .map((element) => `${element.tagName.toLowerCase()}${element.className ? `.${String(element.className).split(" ").join(".")}` : ""} (${Math.round(element.getBoundingClientRect().right)}px)`);
  });
}

export interface WalletOptions {
  /** Called with the hash of every transaction the wallet sends, as soon as it is sent. */
  onTransaction?(hash: Hex): void;
}

/**
 * Gives the page an EIP-1193 wallet announced through EIP-6963, backed by a private key held in
 * the test and the local chain: it signs messages and typed data and sends transactions for real.
 */
export async function injectWallet(page: Page, privateKey: Hex, options: WalletOptions = {}) {
  const account = privateKeyToAccount(privateKey);
  const rpcUrl = process.env.E2E_RPC_URL!;
  const wallet = createWalletClient({ account, chain: { ...hardhat, rpcUrls: { default: { http: [rpcUrl] } } }, transport: http(rpcUrl) });
  let chainId = hardhat.id;
  await page.exposeFunction("__testWallet", async (method: string, params: unknown[]) => {
    try {
      switch (method) {
        case "eth_requestAccounts":
        case "eth_accounts":
          return { result: [account.address] };
        case "eth_chainId":
          return { result: toHex(chainId) };
        case "wallet_switchEthereumChain": {
          const wanted = Number((params[0] as { chainId: string }).chainId);
          if (wanted !== hardhat.id) return { error: { code: 4902, message: "Unrecognized chain." } };
          chainId = wanted;
          return { result: null };
        }
        case "personal_sign":
          return { result: await account.signMessage({ message: { raw: params[0] as Hex } }) };
        case "eth_signTypedData_v4": {
          // Wallets take integers as decimal strings; viem wants bigints for them.
          const typed = JSON.parse(params[1] as string) as { types: Record<string, Array<{ name: string; type: string }>>; primaryType: string; message: Record<string, unknown> };
          for (const field of typed.types[typed.primaryType] ?? []) {
            const value = typed.message[field.name];
            if (/^u?int\d*$/.test(field.type) && typeof value === "string") typed.message[field.name] = BigInt(value);
          }
          return { result: await account.signTypedData(typed as never) };
        }
        case "eth_sendTransaction": {
          const tx = params[0] as { to: Hex; data?: Hex; value?: Hex; gas?: Hex };
          const hash = await wallet.sendTransaction({ to: tx.to, data: tx.data, value: tx.value ? BigInt(tx.value) : undefined });
          options.onTransaction?.(hash);
          return { result: hash };
        }
        default:
          return { result: await wallet.request({ method: method as never, params: params as never }) };
      }
    } catch (error) {
      return { error: { code: (error as { code?: number }).code ?? -32603, message: (error as Error).message } };
    }
  });
  await page.addInitScript(() => {
    const call = (window as unknown as { __testWallet(method: string, params: unknown[]): Promise<{ result?: unknown; error?: { code: number; message: string } }> }).__testWallet;
    const provider = {
      async request({ method, params }: { method: string; params?: unknown[] }) {
        const answer = await call(method, params ?? []);
        if (answer.error) throw Object.assign(new Error(answer.error.message), { code: answer.error.code });
        return answer.result;
      },
      on() {},
      removeListener() {},
    };
    const info = Object.freeze({ uuid: "6d3c6a2e-0000-4000-8000-000000000001", name: "Test Wallet", icon: "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'/%3E", rdns: "press.permanent.testwallet" });
    const announce = () => window.dispatchEvent(new CustomEvent("eip6963:announceProvider", { detail: Object.freeze({ info, provider }) }));
    window.addEventListener("eip6963:requestProvider", announce);
    announce();
  });
  return account;
}

/** The private key of one of the local chain's funded development accounts (Hardhat's default mnemonic). */
export function devAccountKey(index: number): Hex {
  const account = mnemonicToAccount("test test test test test test test test test test test junk", { addressIndex: index });
  return toHex(account.getHdKey().privateKey!);
}
