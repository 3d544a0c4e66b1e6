// Gas benchmark of the edition contracts against an ordinary OpenZeppelin paid mint, on Hardhat's
// in-process EVM. Run with `npm run bench:gas`. Prints a table, then (last line) one JSON object of
// gasUsed per scenario, for CI to parse.
import "../app/server/runtime";
import fs from "node:fs";
import path from "node:path";
import hre from "hardhat";
import { type Abi, type Address, type Hex, hexToBytes, parseEther, toHex, zeroAddress } from "viem";
import { type EditionParams, editionTypedData } from "../contracts/typed-data";

type SolcOutput = {
  errors?: { severity: string; formattedMessage: string }[];
  contracts: Record<string, Record<string, { abi: Abi; evm: { bytecode: { object: string } } }>>;
};
type Solc = {
  compile(input: string, callbacks: { import(file: string): { contents: string } | { error: string } }): string;
};

const BASELINE_SOURCES = { BaselineEdition: "contracts/bench/BaselineEdition.sol", BaselineSplit: "contracts/bench/BaselineSplit.sol" };
const MESSAGE = "Thank you for this essay!";
// The longest note the app accepts (280 characters of ASCII: 280 bytes).
const LONG_MESSAGE = "A".repeat(280);
const EDITION_NAME = "The Slow Web, Revisited";
const EDITION_SYMBOL = "ESSAY";
const PRICE = parseEther("0.01");
const FEE_BPS = 250;
const REFERRAL_BPS = 1000;
const COPIES = 5;
const SPLIT_BPS = 3000;
// A fixed deadline, far ahead, so the lazy row signs the same bytes on every run.
const DEADLINE = 4_102_444_800n; // 2100-01-01

const TARGETS: Partial<Record<string, number>> = {
  create: 110_000,
  purchaseNewCollector: 77_000,
  // Split terms must not cost a collector anything: the same target as the row without them.
  purchaseNewCollectorSplit: 77_000,
  purchaseNewCollectorNoMessage: 75_000,
  purchaseReturning: 60_000,
  purchaseExtraCopy: 4_000,
};

// The baseline is not part of the app's sources (Hardhat compiles only contracts/src), so it is
// compiled here with the same solc and the same settings as the project's contracts.
function compileBaseline(name: keyof typeof BASELINE_SOURCES): { abi: Abi; bytecode: Hex } {
  const source = BASELINE_SOURCES[name];
  const solc: Solc = require("solc");
  const root = hre.config.paths.root;
  const { settings } = hre.config.solidity.compilers[0]!;
  const input = {
    language: "Solidity",
    sources: { [source]: { content: fs.readFileSync(path.join(root, source), "utf8") } },
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
  const contract = output.contracts[source]?.[name];
  if (!contract) throw new Error(`${name} missing from solc output`);
  return { abi: contract.abi, bytecode: `0x${contract.evm.bytecode.object}` };
}

// Each step names itself on stderr, so a slow compile or chain shows where it is; stdout keeps the report.
const progress = { step: (what: string) => process.stderr.write(`bench:gas: ${what}\n`) };

async function main() {
  const publicClient = await hre.viem.getPublicClient();
  const wallets = await hre.viem.getWalletClients();
  const [platform, author, referrer, ...collectors] = wallets;
  if (!platform || !author || !referrer || collectors.length < 16) throw new Error("the benchmark needs 19 accounts");
  let next = 0;
  const newCollector = () => collectors[next++]!;
  const gasUsed = async (hash: Hex) => {
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success") throw new Error(`transaction ${hash} reverted`);
    return receipt.gasUsed;
  };
  const results: { key: string; scenario: string; gas: bigint }[] = [];
  const record = (key: string, scenario: string, gas: bigint) => results.push({ key, scenario, gas });
  progress.step("deploying the factory");

  const deployment = await hre.viem.sendDeploymentTransaction("WritingEditionsFactory", [
    platform.account.address,
    FEE_BPS,
    platform.account.address,
  ]);
  record("factoryDeploy", "deploy factory (+ implementation)", await gasUsed(deployment.deploymentTransaction.hash));
  const factory = deployment.contract;

  const params = (contentByte: number, split?: { recipient: Address; bps: number }): EditionParams => ({
    name: EDITION_NAME,
    symbol: EDITION_SYMBOL,
    contentId: toHex(new Uint8Array(32).fill(contentByte)),
    metadataId: toHex(new Uint8Array(32).fill(contentByte + 1)),
    price: PRICE,
    limit: 250n,
    fundingRecipient: author.account.address,
    royaltyBps: 1000,
    feeBps: FEE_BPS,
    referralBps: REFERRAL_BPS,
    splitRecipient: split?.recipient ?? zeroAddress,
    splitBps: split?.bps ?? 0,
  });

  progress.step("creating and collecting");
  const direct = params(0x11);
  const edition = await factory.read.predictAddress([author.account.address, direct]);
  record(
    "create",
    "create edition (author, direct)",
    await gasUsed(await factory.write.create([direct], { account: author.account }))
  );

  const editionAs = (wallet: typeof author) =>
    hre.viem.getContractAt("WritingEditions", edition, { client: { wallet } });
  // `buy` is what a collector's own wallet sends for one copy; `purchase` sends it to another address.
  const buy = async (wallet: typeof author, message: string) =>
    gasUsed(await (await editionAs(wallet)).write.buy([message], { value: PRICE }));
  const purchaseFor = async (wallet: typeof author, to: Address, message: string) =>
    gasUsed(await (await editionAs(wallet)).write.purchase([to, message], { value: PRICE }));
  const collect = async (wallet: typeof author, quantity: number, via: Address, message: string) =>
    gasUsed(
      await (await editionAs(wallet)).write.collect([wallet.account.address, BigInt(quantity), via, message], {
        value: PRICE * BigInt(quantity),
      })
    );
  const returning = newCollector();
  record("purchaseFirstEver", "buy: first sale of the edition", await buy(returning, MESSAGE));
  record(
    "purchaseNewCollector",
    `buy: collector holds none, ${MESSAGE.length}-byte message`,
    await buy(newCollector(), MESSAGE)
  );
  const noMessageCollector = newCollector();
  const noMessageHash = await (await editionAs(noMessageCollector)).write.buy([""], { value: PRICE });
  record("purchaseNewCollectorNoMessage", "buy: collector holds none, no message", await gasUsed(noMessageHash));
  // What no clone of an ERC-721 can go below for that same transaction: its intrinsic gas (21,000 and
  // its calldata), the cold DELEGATECALL to the implementation (2,600), the supply slot read and
  // rewritten (2,100 + 2,900), the new collector's balance slot and the token's owner slot written from
  // zero (2 x 22,100) and the Transfer event (1,875). The rest is the code's own overhead.
  const input = hexToBytes((await publicClient.getTransaction({ hash: noMessageHash })).input);
  const calldataGas = input.reduce((sum, byte) => sum + (byte === 0 ? 4 : 16), 0);
  record(
    "purchaseNewCollectorNoMessageFloor",
    "floor for the row above: intrinsic + cold implementation + 3 slots + Transfer",
    BigInt(21_000 + calldataGas + 2_600 + 2_100 + 2_900 + 2 * 22_100 + 1_875)
  );
  record(
    "purchaseNewCollectorLongMessage",
    `buy: collector holds none, ${LONG_MESSAGE.length}-byte message`,
    await buy(newCollector(), LONG_MESSAGE)
  );
  record(
    "purchaseForAnother",
    `purchase(to): a gift to someone who holds none, ${MESSAGE.length}-byte message`,
    await purchaseFor(newCollector(), newCollector().account.address, MESSAGE)
  );
  record("purchaseReturning", "buy: collector already holds one, no message", await buy(returning, ""));
  record(
    "purchaseReturningWithMessage",
    `buy: collector already holds one, ${MESSAGE.length}-byte message`,
    await buy(returning, MESSAGE)
  );
  const oneCopy = await collect(newCollector(), 1, zeroAddress, "");
  const manyCopies = await collect(newCollector(), COPIES, zeroAddress, "");
  record("collectOneCopy", "collect 1 copy, no referrer, no message (new collector)", oneCopy);
  record(`collect${COPIES}Copies`, `collect ${COPIES} copies, no referrer, no message (new collector)`, manyCopies);
  record(
    "purchaseExtraCopy",
    `each copy after the first in one collect: (${COPIES} copies - 1 copy) / ${COPIES - 1}`,
    (manyCopies - oneCopy) / BigInt(COPIES - 1)
  );
  record(
    "collectWithNewReferrer",
    `collect 1 copy with a referrer credited for the first time (${REFERRAL_BPS / 100}%)`,
    await collect(newCollector(), 1, referrer.account.address, "")
  );
  record(
    "collectWithReferrer",
    "collect 1 copy with a referrer already credited",
    await collect(newCollector(), 1, referrer.account.address, "")
  );

  progress.step("signing and creating lazily");
  const lazy = params(0x21);
  const salt = toHex(2, { size: 32 });
  const signature = await author.signTypedData({
    account: author.account,
    ...editionTypedData({
      chainId: await publicClient.getChainId(),
      factory: factory.address,
      author: author.account.address,
      params: lazy,
      salt,
      deadline: DEADLINE,
    }),
  });
  const lazyCollector = newCollector();
  record(
    "lazyCreateAndPurchase",
    "createWithSignature: deploy + first purchase (1 copy, message)",
    await gasUsed(
      await factory.write.createWithSignature(
        [
          lazy,
          { author: author.account.address, salt, deadline: DEADLINE, signature },
          lazyCollector.account.address,
          1n,
          zeroAddress,
          MESSAGE,
        ],
        { account: lazyCollector.account, value: PRICE }
      )
    )
  );

  // A publication's entry: 30% of the proceeds after the fee to the publication, fixed in the terms.
  progress.step("collecting and withdrawing with split terms");
  const splitTerms = params(0x31, { recipient: referrer.account.address, bps: SPLIT_BPS });
  const splitEdition = await factory.read.predictAddress([author.account.address, splitTerms]);
  record(
    "createWithSplit",
    `create edition with split terms (${SPLIT_BPS / 100}% to a publication)`,
    await gasUsed(await factory.write.create([splitTerms], { account: author.account }))
  );
  const splitAs = (wallet: typeof author) =>
    hre.viem.getContractAt("WritingEditions", splitEdition, { client: { wallet } });
  await (await splitAs(newCollector())).write.buy([MESSAGE], { value: PRICE });
  record(
    "purchaseNewCollectorSplit",
    `buy with split terms: collector holds none, ${MESSAGE.length}-byte message`,
    await gasUsed(await (await splitAs(newCollector())).write.buy([MESSAGE], { value: PRICE }))
  );
  record(
    "withdrawSplit",
    `withdraw with split terms: writer, publication and platform paid`,
    await gasUsed(await (await splitAs(lazyCollector)).write.withdraw())
  );

  // The other option: a split contract as the funding recipient of an edition without split terms.
  // Deploying it, the edition's withdraw paying it, and its own distribution to the two payees.
  const splitContract = compileBaseline("BaselineSplit");
  const splitContractDeploy = await platform.deployContract({
    ...splitContract,
    args: [author.account.address, referrer.account.address, BigInt(SPLIT_BPS)],
  });
  const splitContractReceipt = await publicClient.waitForTransactionReceipt({ hash: splitContractDeploy });
  if (!splitContractReceipt.contractAddress) throw new Error("split contract deployment has no address");
  record("splitContractDeploy", "split contract: deploy one (per writer, publication and share)", splitContractReceipt.gasUsed);
  const viaContract = params(0x41);
  viaContract.fundingRecipient = splitContractReceipt.contractAddress;
  const viaContractEdition = await factory.read.predictAddress([author.account.address, viaContract]);
  await gasUsed(await factory.write.create([viaContract], { account: author.account }));
  const viaContractAs = (wallet: typeof author) =>
    hre.viem.getContractAt("WritingEditions", viaContractEdition, { client: { wallet } });
  await (await viaContractAs(newCollector())).write.buy([MESSAGE], { value: PRICE });
  record(
    "withdrawToSplitContract",
    "split contract: the edition's withdraw pays it and the platform",
    await gasUsed(await (await viaContractAs(lazyCollector)).write.withdraw())
  );
  record(
    "splitContractDistribute",
    "split contract: its distribution to writer and publication (a second transaction)",
    await gasUsed(
      await lazyCollector.writeContract({
        address: splitContractReceipt.contractAddress,
        abi: splitContract.abi,
        functionName: "distribute",
      })
    )
  );

  progress.step("withdrawing");
  record(
    "withdraw",
    `withdraw: both recipients paid, ${FEE_BPS / 100}% fee to platform`,
    await gasUsed(await (await editionAs(lazyCollector)).write.withdraw())
  );
  // The worst case: the funding recipient refuses ether and burns the gas it is given, so its share
  // is credited after the bounded call fails.
  const refusing = await hre.viem.deployContract("RevertingRecipient", []);
  await (await editionAs(author)).write.setFundingRecipient([refusing.address]);
  await buy(newCollector(), "");
  record(
    "withdrawRecipientRefuses",
    "withdraw: funding recipient refuses (credited), platform paid",
    await gasUsed(await (await editionAs(returning)).write.withdraw())
  );
  record(
    "claimReferral",
    "claim: referrer takes its rewards",
    await gasUsed(await (await editionAs(referrer)).write.claim([referrer.account.address]))
  );

  const baseline = compileBaseline("BaselineEdition");
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
  await baselinePurchase(newCollector());
  record(
    "baselinePurchaseNewCollector",
    "baseline OZ ERC721 paid mint: collector holds none, one sold",
    await baselinePurchase(newCollector())
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
      `messages of ${MESSAGE.length} and ${LONG_MESSAGE.length} bytes; deadline fixed at ${DEADLINE}`
  );
  console.table(rows);
  console.log(JSON.stringify(Object.fromEntries(rows.map((row) => [row.key, row.gasUsed]))));
  if (rows.some((row) => row.ok === "NO")) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
