import type { SpanProcessor } from '@opentelemetry/sdk-trace';
import { AttributionSpanProcessor } from './attribution-processor.js';
import { CostSpanProcessor, type CostSpanProcessorOptions } from './cost-processor.js';

export interface AicostSpanProcessorsOptions {
  /** Options of the {@link CostSpanProcessor}; `false` leaves foreign spans unpriced. */
  cost?: CostSpanProcessorOptions | false;
  /** `false` to skip copying attribution onto spans. */
  attribution?: boolean;
}

/**
 * The aicost span processors, in the order they must run: attribution first
 * (at start), then cost (while ending). Put your export processor AFTER them:
 *
 * ```ts
 * new TracerProvider({ spanProcessors: [...aicostSpanProcessors(), new BatchSpanProcessor({ exporter })] });
 * ```
 */
export function aicostSpanProcessors(options: AicostSpanProcessorsOptions = {}): SpanProcessor[] {
  const processors: SpanProcessor[] = [];
  if (options.attribution !== false) processors.push(new AttributionSpanProcessor());
  if (options.cost !== false) processors.push(new CostSpanProcessor(options.cost || {}));
  return processors;
}
