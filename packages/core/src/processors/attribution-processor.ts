import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import { getAttributionAttributes } from '../attribution/context.js';
import { noteAttributionProcessorCreated } from '../attribution/reach.js';

/**
 * Copies the attribution in effect where a span starts (baggage and
 * `withAttribution`/`setAttribution` scopes of the parent context) onto the
 * span as attributes, so every span — ours, other instrumentations', the
 * user's — can be grouped by feature, customer, workflow and team.
 * An attribute the span creator already set is kept: explicit beats ambient.
 */
export class AttributionSpanProcessor implements SpanProcessor {
  constructor() {
    noteAttributionProcessorCreated();
  }

  onStart(span: Span, parentContext: Context): void {
    try {
      const attribution = getAttributionAttributes(parentContext);
      if (attribution.size === 0) return;
      const existing = span.attributes;
      for (const [key, value] of attribution) {
        if (existing[key] === undefined) span.setAttribute(key, value);
      }
    } catch {
      // Attribution is best effort: a failure here must not break span creation.
    }
  }

  onEnd(_span: ReadableSpan): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
