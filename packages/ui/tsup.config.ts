import { defineConfig } from 'tsup';

// The server module. The browser side is bundled by build-web.mjs into dist/web/.
export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  shims: true,
  target: 'node22',
});
