import { defineConfig } from 'tsup';

// The schema (SQL files, loader, migrations) is @aicost/schema, a dependency that ships its
// own SQL: nothing to copy here.
export default defineConfig({
  entry: ['src/index.ts', 'src/bin.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  shims: true,
  target: 'node22',
});
