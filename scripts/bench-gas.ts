// Gas benchmark of the edition contracts against an ordinary OpenZeppelin paid mint, on Hardhat's
// in-process EVM. Run with `npm run bench:gas`. Prints a table, then (last line) one JSON object of
// gasUsed per scenario, for CI to parse.
import "../app/server/runtime";
import fs from "node:fs";
import path from "node:path";
import hre from "hardhat";
import { type Abi, type Address, type Hex, parseEther, toHex } from "viem";
import { type EditionParams, editionTypedData } from "../contracts/typed-data";

type SolcOutput = {
  errors?: { severity: string; formattedMessage: string }[];
  contracts: Record<string, Record<string, { abi: Abi; evm: { bytecode: { object: string } } }>>;
};
type Solc = {
  compile(input: string, callbacks: { import(file: string): { contents: string } | { error: string } }): string;
};

const BASELINE_SOURCE = "contracts/bench/BaselineEdition.sol";
const MESSAGE = "Thank you for this essay!";
const EDITION_NAME = "The Slow Web, Revisited";
const EDITION_SYMBOL = "ESSAY";
const PRICE = parseEther("0.01");
const FEE_BPS = 250;

const TARGETS: Partial<Record<string, number>> = {
  create: 120_000,
  purchaseNewCollector: 80_000,
  purchaseReturning: 70_000,
};

// The baseline is not part of the app's sources (Hardhat compiles only contracts/src), so it is
// compiled here with the same solc and the same settings as the project's contracts.
function compileBaseline(): { abi: Abi; bytecode: Hex } {
  const solc: Solc = require("solc");
  const root = hre.config.paths.root;
  const { settings } = hre.config.solidity.compilers[0]!;
  const input = {
    language: "Solidity",
    sources: { [BASELINE_SOURCE]: { content: fs.readFileSync(path.join(root, BASELINE_SOURCE), "utf8") } },
    settings: { ...settings, outputSelection: { "*": { "*": ["abi", "evm.bytecode.object"] } } },
  };
  const findImport = (file: string) => {
    try {
      return { contents: fs.readFileSync(require.resolve(file, { paths: [root] }), "utf8") };
    } catch {
      return { error: `not found: ${file}` };
    }
  };
  const output: SolcOutput = JSON.parse(solc.compile(JSON.stringify(input), { import: findImport }));
  const errors = (output.errors ?? []).filter((e) => e.severity === "error");
  if (errors.length > 0) throw new Error(errors.map((e) => e.formattedMessage).join("\n"));
  const contract = output.contracts[BASELINE_SOURCE]?.BaselineEdition;
  if (!contract) throw new Error("BaselineEdition missing from solc output");
  return { abi: contract.abi, bytecode: `0x${contract.evm.bytecode.object}` };
}

async function main() {
  const publicClient = await hre.viem.getPublicClient();
  const [platform, author, firstCollector, secondCollector, lazyCollector] = await hre.viem.getWalletClients();
  if (!platform || !author || !firstCollector || !secondCollector || !lazyCollector) {
    throw new Error("the benchmark needs five accounts");
  }
  const gasUsed = async (hash: Hex) => {
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success") throw new Error(`transaction ${hash} reverted`);
    return receipt.gasUsed;
  };
  const results: { key: string; scenario: string; gas: bigint }[] = [];
  const record = (key: string, scenario: string, gas: bigint) => results.push({ key, scenario, gas });

  const deployment = await hre.viem.sendDeploymentTransaction("WritingEditionsFactory", [
    platform.account.address,
    FEE_BPS,
    platform.account.address,
  ]);
  record("factoryDeploy", "deploy factory (+ implementation)", await gasUsed(deployment.deploymentTransaction.hash));
  const factory = deployment.contract;

  const params = (contentByte: number): EditionParams => ({
    name: EDITION_NAME,
    symbol: EDITION_SYMBOL,
    contentId: toHex(new Uint8Array(32).fill(contentByte)),
    metadataId: toHex(new Uint8Array(32).fill(contentByte + 1)),
    price: PRICE,
    limit: 250n,
    fundingRecipient: author.account.address,
    royaltyBps: 1000,
    feeBps: FEE_BPS,
  });
  const salt = (n: number): Hex => toHex(n, { size: 32 });

  const direct = params(0x11);
  const edition = await factory.read.predictAddress([author.account.address, direct, salt(1)]);
  record(
    "create",
    "create edition (author, direct)",
    await gasUsed(await factory.write.create([direct, salt(1)], { account: author.account }))
  );

  const editionAs = (wallet: typeof author) =>
    hre.viem.getContractAt("WritingEditions", edition, { client: { wallet } });
  const purchase = async (wallet: typeof author) =>
    gasUsed(await (await editionAs(wallet)).write.purchase([wallet.account.address, MESSAGE], { value: PRICE }));
  record("purchaseFirstEver", "purchase: first sale of the edition", await purchase(firstCollector));
  record(
    "purchaseNewCollector",
    "purchase: collector holds none, edition has sold one",
    await purchase(secondCollector)
  );
  record("purchaseReturning", "purchase: collector already holds one", await purchase(firstCollector));

  const lazy = params(0x21);
  const deadline = BigInt(Math.floor(Date.now() / 1000) + 3600);
  const signature = await author.signTypedData({
    account: author.account,
    ...editionTypedData({
      chainId: await publicClient.getChainId(),
      factory: factory.address,
      author: author.account.address,
      params: lazy,
      salt: salt(2),
      deadline,
    }),
  });
  record(
    "lazyCreateAndPurchase",
    "createWithSignature: deploy + first purchase",
    await gasUsed(
      await factory.write.createWithSignature(
        [
          lazy,
          { author: author.account.address, salt: salt(2), deadline, signature },
          lazyCollector.account.address,
          MESSAGE,
        ],
        { account: lazyCollector.account, value: PRICE }
      )
    )
  );

  record(
    "withdraw",
    `withdraw 3 sales, ${FEE_BPS / 100}% fee to platform`,
    await gasUsed(await (await editionAs(lazyCollector)).write.withdraw())
  );

  const baseline = compileBaseline();
  const baselineHash = await platform.deployContract({ ...baseline, args: [PRICE] });
  const baselineAddress = (await publicClient.waitForTransactionReceipt({ hash: baselineHash })).contractAddress;
  if (!baselineAddress) throw new Error("baseline deployment has no address");
  const baselinePurchase = (wallet: typeof author) =>
    wallet
      .writeContract({
        address: baselineAddress,
        abi: baseline.abi,
        functionName: "purchase",
        args: [wallet.account.address],
        value: PRICE,
      })
      .then(gasUsed);
  await baselinePurchase(firstCollector);
  record(
    "baselinePurchaseNewCollector",
    "baseline OZ ERC721 paid mint: collector holds none, one sold",
    await baselinePurchase(secondCollector)
  );

  const rows = results.map(({ key, scenario, gas }) => {
    const target = TARGETS[key];
    return {
      key,
      scenario,
      gasUsed: Number(gas),
      target: target ?? "",
      ok: target === undefined ? "" : gas <= BigInt(target) ? "yes" : "NO",
    };
  });
  console.log(
    `solc ${hre.config.solidity.compilers[0]!.version}, optimizer runs ` +
      `${hre.config.solidity.compilers[0]!.settings.optimizer.runs}, evmVersion ` +
      `${hre.config.solidity.compilers[0]!.settings.evmVersion}, chain hardfork ${
        hre.config.networks.hardhat.hardfork
      }; ` +
      `edition name "${EDITION_NAME}" (${EDITION_NAME.length} bytes), symbol "${EDITION_SYMBOL}"; ` +
      `purchase message "${MESSAGE}" (${MESSAGE.length} chars)`
  );
  console.table(rows);
  console.log(JSON.stringify(Object.fromEntries(rows.map((row) => [row.key, row.gasUsed]))));
  if (rows.some((row) => row.ok === "NO")) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
