import { defineConfig } from 'tsup';

export default defineConfig({
  // The one propagator taken from @opentelemetry/core is bundled: the package is ~30 ES module
  // files (with semantic-conventions) that an application would otherwise load at start-up.
  noExternal: ['@opentelemetry/core'],
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  target: 'node22',
  shims: true,
});
