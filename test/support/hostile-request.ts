/**
 * Requests that break whoever reads them, for the "instrumentation never throws" tests: the
 * application must see what the bare SDK gives it (the same result or the same error), no span
 * may stay open, and aicost logs its own failure once.
 */

import { resetLogOnce } from '@aicost/core';
import { diag } from '@opentelemetry/api';
import { vi } from 'vitest';
import { withAndWithoutInstrumentation } from './instrumentation.js';

/** What a hostile getter throws: recognisable wherever it surfaces. */
export class HostileGetterError extends Error {
  constructor(key: string) {
    super(`reading ${key} throws`);
    this.name = 'HostileGetterError';
  }
}

/**
 * `request` behind a Proxy whose lookup of `key` throws. `key` must not be one of the request's
 * own properties: the SDK serialises own properties only, so the bare SDK never trips on it,
 * while aicost, reading `key` to describe the call, does.
 */
export function requestThrowingOn<T extends object>(request: T, key: string): T {
  if (Object.hasOwn(request, key)) throw new Error(`${key} is an own property of the request`);
  return new Proxy(request, {
    get(target, property, receiver) {
      if (property === key) throw new HostileGetterError(key);
      return Reflect.get(target, property, receiver);
    },
  });
}

/**
 * Records aicost's `diag.warn` messages from now on (once-only logging reset first, so the
 * failure under test is reported even if an earlier test tripped the same kind).
 */
export function captureWarnings(): { messages(): string[]; restore(): void } {
  resetLogOnce();
  const warn = vi.spyOn(diag, 'warn').mockImplementation(() => {});
  return {
    messages: () => warn.mock.calls.map((call) => String(call[0])).filter((m) => m.startsWith('aicost')),
    restore: () => warn.mockRestore(),
  };
}

/** What a call gave the application, a synchronous throw told apart from a rejection. */
export type Outcome = { returned: unknown } | { rejected: unknown } | { threw: unknown };

/** Runs `call` and settles what it returned: compare the outcome with and without instrumentation. */
export async function outcomeOf(call: () => unknown): Promise<Outcome> {
  let result: unknown;
  try {
    result = call();
  } catch (error) {
    return { threw: error };
  }
  try {
    return { returned: await result };
  } catch (error) {
    return { rejected: error };
  }
}

/**
 * Runs `scenario` instrumented, then bare ({@link withAndWithoutInstrumentation}), while
 * capturing aicost's warnings: what the application got each time, the spans still open after
 * both runs, and the warnings aicost logged.
 */
export async function runWithUnreadableRequest<T>(
  bed: {
    instrumentation: { enable(): void; disable(): void };
    harness: { openSpans(): unknown[] };
  },
  server: { reset(): void },
  respond: () => void,
  scenario: () => Promise<T>,
): Promise<{ instrumented: T; bare: T; openSpans: unknown[]; warnings: string[] }> {
  const warnings = captureWarnings();
  try {
    const [instrumented, bare] = await withAndWithoutInstrumentation(
      bed.instrumentation,
      server,
      respond,
      scenario,
    );
    return { instrumented, bare, openSpans: bed.harness.openSpans(), warnings: warnings.messages() };
  } finally {
    warnings.restore();
  }
}
