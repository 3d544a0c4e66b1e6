import { typedDataParam, type TypedDataToSign } from "./typed-data";
import { postJson, writerWallet } from "./wallet";

/**
 * A record signed in two steps, as publishing does: the press prepares the typed data
 * (`intent: "prepare"`), the signed-in writer's wallet signs it, and the press checks and saves it
 * (`intent: "save"`) with the prepared fields and the signature.
 */
export async function signRecord<Saved>(
  url: string,
  address: string,
  request: Record<string, unknown>,
  onStep: (message: string) => void,
): Promise<Saved> {
  const prepared = await postJson<{ fields: Record<string, unknown>; typedData: TypedDataToSign }>(url, { intent: "prepare", ...request });
  onStep("Sign the record in your wallet…");
  const provider = await writerWallet(address);
  const signature = await provider.request({ method: "eth_signTypedData_v4", params: [address, typedDataParam(prepared.typedData)] });
  onStep("Saving…");
  return postJson<Saved>(url, { intent: "save", ...request, ...prepared.fields, signature });
}
