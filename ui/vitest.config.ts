import { defineConfig } from "vitest/config";

// Unit tests of front-end logic only; the end-to-end tests in e2e/ run with Node's test
// runner against the built app (scripts/app-e2e.sh).
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
  },
});
