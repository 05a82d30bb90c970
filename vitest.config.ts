import { defineConfig } from "vitest/config";

export default defineConfig({
  // The dashboard's component tests are .tsx (React's JSX runtime, as dashboard/vite.config.ts builds it).
  oxc: { jsx: { runtime: "automatic" } },
  test: {
    include: ["tests/**/*.test.{ts,tsx}"],
    // Integration tests share one database; files run one after another.
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
