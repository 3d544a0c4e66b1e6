import "../app/server/runtime";
import path from "node:path";
import { defineConfig } from "vitest/config";

const root = path.resolve(__dirname, "..");
const alias = { "~": path.join(root, "app") };

export default defineConfig({
  root,
  resolve: { alias },
  test: {
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      {
        resolve: { alias },
        test: {
          name: "contracts",
          root,
          include: ["test/contracts/**/*.test.ts"],
          pool: "forks",
          setupFiles: ["test/setup/hardhat.ts"],
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
      {
        resolve: { alias },
        test: {
          name: "app",
          root,
          include: ["app/**/*.test.ts", "scripts/**/*.test.ts", "test/integration/**/*.test.ts", "test/security/**/*.test.ts"],
          exclude: ["**/*.e2e.test.ts"],
          pool: "forks",
          globalSetup: ["test/setup/global-stack.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        resolve: { alias },
        test: {
          name: "e2e",
          root,
          include: ["test/e2e/**/*.e2e.test.ts"],
          pool: "forks",
          globalSetup: ["test/e2e/support/platform.ts"],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
