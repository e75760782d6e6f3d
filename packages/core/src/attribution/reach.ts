import { type Context, context, trace } from '@opentelemetry/api';

/**
 * Whether attribution can reach spans at all, checked once, on the first
 * `withAttribution` call. Three set-ups make every span lose it silently:
 * - no context manager in this copy of `@opentelemetry/api`: none was
 *   registered, or the application's SDK registered it through another copy
 *   of the API that this one does not accept (e.g. the app on api 1.9 with
 *   SDK 2.x, aicost with its own 1.10);
 * - a tracer provider without aicost's `AttributionSpanProcessor`.
 * They are set-up errors a user must see, so they are printed (once) rather
 * than sent to a diag logger that such an application has rarely configured.
 */
const PROCESSOR_CREATED = Symbol.for('@aicost/core.attribution-processor-created');
type GlobalWithFlag = typeof globalThis & { [PROCESSOR_CREATED]?: boolean };

/** Called by the attribution span processor's constructor (any copy of this package). */
export function noteAttributionProcessorCreated(): void {
  (globalThis as GlobalWithFlag)[PROCESSOR_CREATED] = true;
}

let checked = false;

export function checkAttributionReach(ctx: Context): void {
  if (checked) return;
  checked = true;
  const contextActive = context.with(ctx, () => context.active() === ctx);
  if (!contextActive) {
    console.warn(
      'aicost: withAttribution() has no effect: @opentelemetry/api has no active context manager here. ' +
        'Either no OpenTelemetry SDK is registered yet, or the application registered it through another copy of ' +
        '@opentelemetry/api (check `npm ls @opentelemetry/api`: there must be one copy)',
    );
    return;
  }
  const delegate = (trace.getTracerProvider() as { getDelegate?: () => object }).getDelegate?.();
  const providerRegistered = delegate !== undefined && delegate.constructor.name !== 'NoopTracerProvider';
  if (providerRegistered && !(globalThis as GlobalWithFlag)[PROCESSOR_CREATED]) {
    console.warn(
      "aicost: withAttribution() has no effect on spans: the tracer provider has no aicost attribution processor. Add aicostSpanProcessors() from '@aicost/core' to its spanProcessors",
    );
  }
}
