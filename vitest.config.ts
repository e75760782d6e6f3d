import { defineConfig } from 'vitest/config';

// One run covers every package's unit tests and the cross-package suites in test/.
// Files run in separate processes because OpenTelemetry keeps global state
// (tracer provider, context manager, propagators) per process.
export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**', '**/bench/**'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
