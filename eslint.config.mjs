// Typed lint for the whole repo, plus the import rules of ARCHITECTURE.md:
// app → server → adapters/core, workers → adapters/core, core → nothing.
import js from "@eslint/js";
import nextPlugin from "@next/eslint-plugin-next";
import tseslint from "typescript-eslint";

const restrict = (patterns, extra = []) => ({
  "no-restricted-imports": [
    "error",
    { patterns: [...patterns.map((group) => ({ group: [group], message: "crosses a layer boundary (see docs/architecture)" })), ...extra] },
  ],
});
const SERVER_LAYERS = ["**/workers/**", "**/app/**", "**/infra/**"];
const APP_LAYERS = ["**/workers/**", "**/infra/**"];
const PROCESS_ENV = {
  selector: "MemberExpression[object.name='process'][property.name='env']",
  message: "read settings through adapters/config.ts",
};

// server/ and app/ reach Cassandra only through the stores of adapters/ (one row mapper per table,
// in its store). Two guards, as neither is enough alone: no import of the driver or of the client
// module (so no new code there gets a client), and no call of a driver statement method
// (a client handed over in an object needs no import). A CQL-text rule would miss statements
// built elsewhere and flag UI strings. Exempt: server/context.ts, the web composition root that
// connects the one client and builds the stores, and tests (DDL, DROP, rows with unset columns).
const NO_CASSANDRA_CLIENT = [
  {
    group: ["cassandra-driver", "**/adapters/cassandra"],
    message: "server/ and app/ read and write Cassandra through a store in adapters/, never the driver",
  },
];
const NO_CQL_CALLS = {
  selector: "CallExpression > MemberExpression.callee[property.name=/^(execute|eachRow|stream|batch|executeConcurrent)$/]",
  message: "server/ and app/ run no CQL: call a store function in adapters/ (one row mapper per table)",
};

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
      "no-restricted-syntax": ["error", PROCESS_ENV],
    },
  },
  { files: ["adapters/config.ts"], rules: { "no-restricted-syntax": "off" } },
  { files: ["**/*.mjs", "**/*.js"], ...tseslint.configs.disableTypeChecked },
  {
    files: ["core/**"],
    rules: restrict(["**/adapters/**", "**/server/**", "**/workers/**", "**/app/**", "**/infra/**", "**/db/**", "node:*"]),
  },
  { files: ["adapters/**"], rules: restrict(["**/server/**", "**/workers/**", "**/app/**", "**/infra/**"]) },
  {
    files: ["server/**"],
    rules: { ...restrict(SERVER_LAYERS, NO_CASSANDRA_CLIENT), "no-restricted-syntax": ["error", PROCESS_ENV, NO_CQL_CALLS] },
  },
  { files: ["workers/**"], rules: restrict(["**/server/**", "**/app/**", "**/infra/**"]) },
  {
    files: ["app/**"],
    plugins: { "@next/next": nextPlugin },
    rules: {
      ...nextPlugin.configs.recommended.rules,
      ...nextPlugin.configs["core-web-vitals"].rules,
      ...restrict(APP_LAYERS, NO_CASSANDRA_CLIENT),
      "no-restricted-syntax": ["error", PROCESS_ENV, NO_CQL_CALLS],
    },
  },
  { files: ["server/context.ts"], rules: restrict(SERVER_LAYERS) },
  { files: ["server/**/*.test.ts"], rules: { ...restrict(SERVER_LAYERS), "no-restricted-syntax": ["error", PROCESS_ENV] } },
  { files: ["app/**/*.test.ts", "app/**/*.test.tsx"], rules: { ...restrict(APP_LAYERS), "no-restricted-syntax": ["error", PROCESS_ENV] } },
);
