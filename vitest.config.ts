import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// One run covers every package's unit tests and the cross-package suites in test/.
// Files run in separate processes because OpenTelemetry keeps global state
// (tracer provider, context manager, propagators) per process.
export default defineConfig({
  // Tests run @aicost/core and @aicost/schema from source, so they need no build step and every
  // importer (package under test, test support) shares one module instance.
  resolve: {
    alias: [
      {
        find: /^@aicost\/core$/,
        replacement: fileURLToPath(new URL('./packages/core/src/index.ts', import.meta.url)),
      },
      {
        find: /^@aicost\/schema$/,
        replacement: fileURLToPath(new URL('./packages/schema/src/index.ts', import.meta.url)),
      },
    ],
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**', '**/bench/**'],
    pool: 'forks',
    // Two files at a time on the 2-core CI machine (the default, cores - 1, runs them one by one):
    // most files spend their time waiting on child processes, servers and the engine.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
