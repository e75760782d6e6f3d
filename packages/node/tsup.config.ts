import { defineConfig } from 'tsup';

/**
 * The SDK parts listed in src/bundled-sdk.ts go into this package's files (one file to load
 * instead of ~200); @opentelemetry/api and instrumentation stay shared (see that file).
 * One copy per module system: the ESM entries share chunks, and the CommonJS preload requires
 * the CommonJS main file.
 */
const noExternal = [
  '@opentelemetry/context-async-hooks',
  '@opentelemetry/core',
  /^@opentelemetry\/exporter-(trace|metrics)-otlp-(http|proto)$/,
  '@opentelemetry/otlp-exporter-base',
  '@opentelemetry/otlp-transformer',
  '@opentelemetry/resources',
  '@opentelemetry/sdk-logs',
  '@opentelemetry/sdk-metrics',
  '@opentelemetry/sdk-trace',
  '@opentelemetry/semantic-conventions',
];

const common = { dts: true, target: 'node22', shims: true, noExternal } as const;

export default defineConfig([
  // The preload entry differs by module system: ESM registers the loader hook (top-level await), CJS does not.
  { ...common, entry: { index: 'src/index.ts', register: 'src/register.ts' }, format: ['esm'] },
  { ...common, entry: ['src/index.ts'], format: ['cjs'] },
  { ...common, entry: { register: 'src/register-cjs.ts' }, format: ['cjs'], external: ['./index.cjs'] },
]);
