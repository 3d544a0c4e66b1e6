import { z } from "zod";
import type { Env } from "~/env.server";
import { UserError } from "~/modules/errors.server";
import { devAccounts } from "./accounts.server";

/**
 * The development wallet's server half: the browser's provider (app/components/dev-wallet.ts)
 * posts JSON-RPC requests here and the local Hardhat node, which holds the development accounts'
 * keys, answers them. Only what a wallet does for the press gets through: reading the chain,
 * signing and sending, and the last three only for a development account a person may use.
 */

const READS = new Set(["eth_chainId", "eth_blockNumber", "eth_call", "eth_estimateGas", "eth_gasPrice", "eth_maxPriorityFeePerGas", "eth_feeHistory", "eth_getBalance", "eth_getTransactionCount", "eth_getTransactionByHash", "eth_getTransactionReceipt", "eth_getBlockByNumber"]);

/** Each signing method with where its params name the account that signs. */
const SIGNER: Record<string, (params: unknown[]) => unknown> = {
  personal_sign: (params) => params[1],
  eth_signTypedData_v4: (params) => params[0],
  eth_sendTransaction: (params) => (params[0] as { from?: unknown } | undefined)?.from,
};

/** #0 deploys the contracts and #1 signs the platform's data items: the press's own, never a person's. */
const FIRST_PERSONAL_ACCOUNT = 2;

const rpcRequest = z.object({
  id: z.union([z.number(), z.string(), z.null()]).default(null),
  method: z.string(),
  params: z.array(z.unknown()).default([]),
});

/** A refusal in JSON-RPC's shape (EIP-1193 codes), with the HTTP status that says whose fault it is. */
export class RelayRefusal extends UserError {
  constructor(
    message: string,
    status: 400 | 403,
    readonly code: number,
  ) {
    super(message, status);
  }
}

/** The accounts the development wallet signs for: the node's, but for the press's own. */
export async function personalDevAccounts(env: Env): Promise<string[]> {
  return (await devAccounts(env)).slice(FIRST_PERSONAL_ACCOUNT).map((address) => address.toLowerCase());
}

/** Forwards one JSON-RPC request to the local node when it is allowed; the node's answer as it is. */
export async function relayDevWallet(env: Env, body: unknown): Promise<unknown> {
  const parsed = rpcRequest.safeParse(body);
  if (!parsed.success) throw new RelayRefusal("Send one JSON-RPC request: {id, method, params: [...]}.", 400, -32600);
  const { id, method, params } = parsed.data;
  const signer = SIGNER[method];
  if (!READS.has(method) && !signer) throw new RelayRefusal(`The development wallet does not relay ${method}.`, 400, 4200);
  if (signer) {
    const account = signer(params);
    if (typeof account !== "string" || !(await personalDevAccounts(env)).includes(account.toLowerCase())) {
      throw new RelayRefusal("The development wallet signs only for the local chain's development accounts.", 403, 4100);
    }
  }
  const response = await fetch(env.chain.rpcUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id, method, params }),
    signal: AbortSignal.timeout(30_000),
  });
  return response.json();
}
