import { defineConfig } from 'vitest/config';

// Tests that touch the store run twice: once on the embedded PGlite store and once on a real
// PostgreSQL server (issue 2: "tests run against both stores"). Pure tests run once.
const storeSuites = [
  'test/routes/**/*.test.ts',
  'test/services/**/*.test.ts',
  'test/store/**/*.test.ts',
  'test/regression/**/*.test.ts',
  'test/jobs/**/*.test.ts',
  'test/e2e/**/*.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: storeSuites } },
      { extends: true, test: { name: 'pglite', include: storeSuites, env: { TEST_STORE: 'pglite' } } },
      { extends: true, test: { name: 'postgres', include: storeSuites, env: { TEST_STORE: 'postgres' } } },
    ],
  },
});
