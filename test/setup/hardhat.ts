// Hardhat 2 registers ts-node only from its own CLI; loading it here lets `hardhat.config.ts`
// load inside vitest, so contract tests use the in-process EVM through `hre.viem`.
import "ts-node/register/transpile-only";
import hre from "hardhat";
import { beforeAll } from "vitest";

beforeAll(async () => {
  await hre.run("compile", { quiet: true });
});
