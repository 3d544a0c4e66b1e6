import "./app/server/runtime";
import { subtask } from "hardhat/config";
import { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD } from "hardhat/builtin-tasks/task-names";
import type { HardhatUserConfig } from "hardhat/config";
import "@nomicfoundation/hardhat-viem";

// The machines that build this project reach no compiler download site: Hardhat compiles with
// the wasm solc from npm, and its version is read from that package so the two cannot drift.
const solcVersion: string = require("solc/package.json").version;

subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, async (args: { solcVersion: string }, _hre, runSuper) => {
  if (args.solcVersion !== solcVersion) return runSuper(args);
  return {
    compilerPath: require.resolve("solc/soljson.js"),
    isSolcJs: true,
    version: solcVersion,
    longVersion: require("solc").version(),
  };
});

const config: HardhatUserConfig = {
  solidity: {
    version: solcVersion,
    settings: {
      evmVersion: "cancun",
      optimizer: { enabled: true, runs: 10_000 },
    },
  },
  paths: {
    sources: "contracts/src",
    tests: "test/contracts",
    cache: ".cache/hardhat",
    artifacts: ".cache/artifacts",
  },
  networks: {
    hardhat: { chainId: 31337 },
  },
};

export default config;
