export { AttributionSpanProcessor } from './attribution-processor.js';
export { CostSpanProcessor, type CostSpanProcessorOptions } from './cost-processor.js';
export {
  type ForeignCall,
  identifyForeignCall,
  normalizeProviderName,
  type UsageDialect,
} from './foreign-calls.js';
export { type AicostSpanProcessorsOptions, aicostSpanProcessors } from './span-processors.js';
