export * from './semconv.js';
export type * from './types.js';
export * from './attribution/index.js';
export * from './metrics/index.js';
