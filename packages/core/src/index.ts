export * from './attribution/index.js';
export * from './instrumentation/index.js';
export * from './ledger/index.js';
export * from './metrics/index.js';
export * from './money/index.js';
export * from './pricing/index.js';
export * from './processors/index.js';
export * from './semconv.js';
export type * from './types.js';
