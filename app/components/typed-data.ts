import { getTypesForEIP712Domain } from "viem";

/** EIP-712 typed data as the press answers it: the domain's own type is left for the wallet request to add. */
export interface TypedDataToSign {
  domain: Record<string, unknown>;
  types: Record<string, ReadonlyArray<{ name: string; type: string }>>;
  primaryType: string;
  message: Record<string, unknown>;
}

/**
 * The `eth_signTypedData_v4` parameter for typed data: the EIP712Domain type derived from the
 * fields the domain has, and amounts (bigints) as decimal strings, as wallets take them.
 */
export function typedDataParam(typedData: TypedDataToSign): string {
  const types = { EIP712Domain: getTypesForEIP712Domain({ domain: typedData.domain as never }), ...typedData.types };
  return JSON.stringify({ ...typedData, types }, (_key, value: unknown) => (typeof value === "bigint" ? value.toString() : value));
}
