// Typed lint for the whole repo, plus the import rules of ARCHITECTURE.md:
// app → server → adapters/core, workers → adapters/core, core → nothing.
import js from "@eslint/js";
import nextPlugin from "@next/eslint-plugin-next";
import tseslint from "typescript-eslint";

const restrict = (patterns) => ({
  "no-restricted-imports": ["error", { patterns: patterns.map((group) => ({ group: [group], message: "crosses a layer boundary (see docs/architecture)" })) }],
});

export default tseslint.config(
  { ignores: ["node_modules/**", ".next/**", ".data/**", "next-env.d.ts", "test-results/**", "playwright-report/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-restricted-syntax": [
        "error",
        { selector: "MemberExpression[object.name='process'][property.name='env']", message: "read settings through adapters/config.ts" },
      ],
    },
  },
  { files: ["adapters/config.ts"], rules: { "no-restricted-syntax": "off" } },
  { files: ["**/*.mjs", "**/*.js"], ...tseslint.configs.disableTypeChecked },
  { files: ["core/**"], rules: restrict(["**/adapters/**", "**/server/**", "**/workers/**", "**/app/**", "**/infra/**", "**/db/**", "node:*"]) },
  { files: ["adapters/**"], rules: restrict(["**/server/**", "**/workers/**", "**/app/**", "**/infra/**"]) },
  { files: ["server/**"], rules: restrict(["**/workers/**", "**/app/**", "**/infra/**"]) },
  { files: ["workers/**"], rules: restrict(["**/server/**", "**/app/**", "**/infra/**"]) },
  {
    files: ["app/**"],
    plugins: { "@next/next": nextPlugin },
    rules: { ...nextPlugin.configs.recommended.rules, ...nextPlugin.configs["core-web-vitals"].rules, ...restrict(["**/workers/**", "**/infra/**"]) },
  },
);
