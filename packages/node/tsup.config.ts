import { defineConfig } from 'tsup';

const common = { dts: true, target: 'node22', shims: true } as const;

export default defineConfig([
  { ...common, entry: ['src/index.ts'], format: ['esm', 'cjs'] },
  // The preload entry differs by module system: ESM registers the loader hook (top-level await), CJS does not.
  { ...common, entry: { register: 'src/register.ts' }, format: ['esm'] },
  { ...common, entry: { register: 'src/register-cjs.ts' }, format: ['cjs'] },
]);
