import js from "@eslint/js";
import reactHooks from "eslint-plugin-react-hooks";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", ".local/", ".tmp/", "supabase/.temp/", "dashboard/dist/", "**/*.js", "!eslint.config.js"] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    // Plain Node scripts (dev/ensure-node-modules.mjs runs before TypeScript tooling exists).
    files: ["**/*.mjs"],
    languageOptions: { globals: { console: "readonly", process: "readonly" } },
  },
  {
    // The dashboard (React) and its component tests: the Rules of React, warnings as errors.
    files: ["dashboard/src/**/*.{ts,tsx}", "tests/dashboard/**/*.{ts,tsx}"],
    ...reactHooks.configs.flat.recommended,
    rules: Object.fromEntries(Object.keys(reactHooks.configs.flat.recommended.rules).map((rule) => [rule, "error"])),
  },
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
    },
  },
);
