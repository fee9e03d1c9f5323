import { defineConfig } from "vitest/config";

// Two tiers: unit tests need no server; integration tests talk to the real local stack.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["{core,adapters,server,workers,db,infra,app}/**/*.test.{ts,tsx}"],
          exclude: ["**/*.int.test.ts", "node_modules/**"],
          environment: "node",
        },
      },
      {
        test: {
          name: "integration",
          globalSetup: ["test/int-setup.ts"],
          include: ["{core,adapters,server,workers,db,infra,app,test}/**/*.int.test.ts"],
          environment: "node",
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // The real servers are shared; run files one at a time so 2 cores are not oversubscribed.
          fileParallelism: false,
        },
      },
      {
        // `npm run test:faults` (the last tier of `npm test`): kills and restarts the local servers.
        test: {
          name: "faults",
          globalSetup: ["test/int-setup.ts"],
          include: ["test/faults/**/*.faults.test.ts"],
          environment: "node",
          testTimeout: 900_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
      {
        // `npm run test:cluster`: the local cluster and secure stacks (started and stopped by the
        // tests themselves when not running); minutes each, so not part of `npm test`.
        test: {
          name: "cluster",
          include: ["test/cluster/**/*.cluster.test.ts"],
          environment: "node",
          testTimeout: 1_200_000,
          hookTimeout: 900_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
