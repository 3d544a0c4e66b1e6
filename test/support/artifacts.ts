import fs from "node:fs";
import path from "node:path";
import type { Abi, Hex } from "viem";

/** A compiled contract from Hardhat's artifacts (test doubles included), for deploying with viem. */
export function artifact(source: string, name: string): { abi: Abi; bytecode: Hex } {
  const file = path.resolve(__dirname, "../../.cache/artifacts/contracts/src", source, `${name}.json`);
  const { abi, bytecode } = JSON.parse(fs.readFileSync(file, "utf8")) as { abi: Abi; bytecode: Hex };
  return { abi, bytecode };
}
