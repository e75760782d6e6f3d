export * from './semconv.js';
export type * from './types.js';
