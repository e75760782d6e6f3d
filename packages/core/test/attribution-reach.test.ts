/**
 * withAttribution in a set-up where it cannot reach spans says so, once:
 * no context manager in this copy of @opentelemetry/api (none registered, or
 * registered through another copy), or a tracer provider without aicost's
 * attribution processor.
 */
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it, vi } from 'vitest';

afterEach(() => {
  vi.restoreAllMocks();
  context.disable();
  trace.disable();
});

/** A fresh copy of the attribution module: the check runs once per process, i.e. once per module instance. */
async function freshWithAttribution() {
  vi.resetModules();
  return (await import('../src/attribution/context.js')).withAttribution;
}

const warnings = (spy: { mock: { calls: unknown[][] } }) => spy.mock.calls.map(([line]) => String(line));

describe('withAttribution where attribution cannot reach spans', () => {
  it('without a context manager: one warning naming the cause, and the function still runs', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const withAttribution = await freshWithAttribution();
    expect(withAttribution({ feature: 'search' }, () => 42)).toBe(42);
    withAttribution({ feature: 'search' }, () => 43);
    expect(warnings(warn)).toEqual([
      'aicost: withAttribution() has no effect: @opentelemetry/api has no active context manager here. Either no OpenTelemetry SDK is registered yet, or the application registered it through another copy of @opentelemetry/api (check `npm ls @opentelemetry/api`: there must be one copy)',
    ]);
  });

  it('with a tracer provider that lacks the attribution processor: one warning saying what to add', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    trace.setGlobalTracerProvider(new TracerProvider());
    const withAttribution = await freshWithAttribution();
    withAttribution({ feature: 'search' }, () => trace.getTracer('t').startSpan('s').end());
    expect(warnings(warn)).toEqual([
      "aicost: withAttribution() has no effect on spans: the tracer provider has no aicost attribution processor. Add aicostSpanProcessors() from '@aicost/core' to its spanProcessors",
    ]);
  });

  it('with a context manager and the processor: nothing to say', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    const { aicostSpanProcessors } = await import('../src/processors/span-processors.js');
    trace.setGlobalTracerProvider(new TracerProvider({ spanProcessors: aicostSpanProcessors() }));
    const withAttribution = await freshWithAttribution();
    withAttribution({ feature: 'search' }, () => trace.getTracer('t').startSpan('s').end());
    expect(warnings(warn)).toEqual([]);
  });
});
