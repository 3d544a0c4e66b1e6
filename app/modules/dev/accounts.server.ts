import { createWalletClient, http, type Address } from "viem";
import type { Env } from "~/env.server";
import { UserError } from "~/modules/errors.server";

/**
 * The local development chain's accounts, as the Hardhat node lists them (its well-known test
 * mnemonic): #0 deploys the contracts and #1 signs the platform's data items; the demo's writers
 * and readers are the next ones. The node holds their keys and signs for them, so neither the demo
 * nor the development wallet keeps a key of its own.
 */
export const DEV_WRITERS = [
  { index: 2, handle: "ada-quill", name: "Ada Quill" },
  { index: 3, handle: "basho-lane", name: "Basho Lane" },
  { index: 4, handle: "ines-moreau", name: "Inès Moreau" },
] as const;

/** Readers who collect and subscribe in the demo. */
export const DEV_READER_INDEXES = [5, 6, 7] as const;

export type DevWriter = (typeof DEV_WRITERS)[number] & { address: Address };

/** Refuses unless this press may use the local chain's accounts (see `Env.devChain`). */
export function assertDevChain(env: Env): void {
  if (!env.devChain) {
    throw new UserError("The development accounts exist only on the local chain of a press served on this machine.", 404);
  }
}

/** The node's unlocked accounts, in its order. */
export async function devAccounts(env: Env): Promise<Address[]> {
  assertDevChain(env);
  const client = createWalletClient({ transport: http(env.chain.rpcUrl, { retryCount: 0, timeout: 5_000 }) });
  return client.getAddresses();
}

/** The demo's writers with their addresses on the running local chain. */
export async function devWriters(env: Env): Promise<DevWriter[]> {
  const accounts = await devAccounts(env);
  return DEV_WRITERS.map((writer) => ({ ...writer, address: accounts[writer.index]! }));
}
