import { defineConfig } from 'tsup';

// The SQL stays in sql/ and migrations/ (shipped in `files`), read at run time relative to
// dist/: one copy, the one the tests and the repository use.
export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  shims: true,
  target: 'node22',
});
