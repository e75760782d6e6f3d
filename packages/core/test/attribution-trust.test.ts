/**
 * Attribution you can trust (packages/core README): a caller can put anything in its
 * `baggage` header, so
 * - `withAttribution` REPLACES attribution that came in with the request instead of merging
 *   with it: a forged `aicost.customer` does not survive a `withAttribution` that sets only the
 *   feature (what this process set itself still merges);
 * - `trustInbound: false` (AICOST_TRUST_INBOUND_ATTRIBUTION=false) makes an edge service ignore
 *   inbound attribution altogether.
 */
import {
  context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  propagation,
  ROOT_CONTEXT,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  AttributionBaggagePropagator,
  getAttribution,
  setAttribution,
  trustInboundAttributionFromEnv,
  withAttribution,
} from '../src/attribution/index.js';

const FORGED = 'aicost.customer=victim-corp,aicost.feature=forged,aicost.attr.region=moon,unrelated=keep';

let propagator = new AttributionBaggagePropagator();

/** What an HTTP server instrumentation does with an incoming request's headers. */
function incoming(baggage: string) {
  return propagator.extract(ROOT_CONTEXT, { baggage }, defaultTextMapGetter);
}

/** The baggage header an outgoing request from the active context would carry. */
function outgoingBaggage(): string | undefined {
  const headers: Record<string, string> = {};
  propagator.inject(context.active(), headers, defaultTextMapSetter);
  return headers.baggage;
}

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(propagator);
});
afterAll(() => {
  propagation.disable();
  context.disable();
});
afterEach(() => {
  delete process.env.AICOST_TRUST_INBOUND_ATTRIBUTION;
});

describe('withAttribution under inbound baggage', () => {
  it('drops a forged customer when it sets only the feature, in spans and in outgoing baggage', () => {
    context.with(incoming(FORGED), () => {
      withAttribution({ feature: 'search' }, () => {
        expect(getAttribution()).toEqual({ feature: 'search' });
        const baggage = outgoingBaggage() ?? '';
        expect(baggage).not.toContain('victim-corp');
        expect(baggage).not.toContain('moon');
        expect(baggage).toContain('aicost.feature=search');
        // Baggage that is not attribution passes untouched.
        expect(baggage).toContain('unrelated=keep');
      });
    });
  });

  it('still merges what this process set: setAttribution in the request and enclosing withAttribution calls', () => {
    context.with(incoming(FORGED), () => {
      setAttribution({ customer: 'acme' });
      withAttribution({ team: 'payments' }, () => {
        withAttribution({ feature: 'search' }, () => {
          expect(getAttribution()).toEqual({ customer: 'acme', team: 'payments', feature: 'search' });
        });
      });
    });
  });

  it("keeps a caller's value only when the service passes it on explicitly", () => {
    context.with(incoming('aicost.workflow=nightly'), () => {
      withAttribution({ ...getAttribution(), feature: 'search' }, () => {
        expect(getAttribution()).toEqual({ workflow: 'nightly', feature: 'search' });
      });
    });
  });

  it('takes inbound attribution where the service sets none (trusted internal hops, the default)', () => {
    context.with(incoming(FORGED), () => {
      // region is not on the default allow-list (the four standard keys).
      expect(getAttribution()).toEqual({ customer: 'victim-corp', feature: 'forged' });
    });
  });
});

describe('an edge service (trustInbound: false)', () => {
  it('ignores attribution in incoming baggage, keeps other baggage, and still sends its own', () => {
    propagator = new AttributionBaggagePropagator({ trustInbound: false });
    propagation.disable();
    propagation.setGlobalPropagator(propagator);
    try {
      context.with(incoming(FORGED), () => {
        expect(getAttribution()).toEqual({});
        expect(propagation.getBaggage(context.active())?.getEntry('unrelated')?.value).toBe('keep');
        // The request still gets an attribution scope for setAttribution.
        expect(setAttribution({ customer: 'acme' })).toBe(true);
        expect(getAttribution()).toEqual({ customer: 'acme' });
        expect(outgoingBaggage()).toContain('aicost.customer=acme');
      });
    } finally {
      propagator = new AttributionBaggagePropagator();
      propagation.disable();
      propagation.setGlobalPropagator(propagator);
    }
  });

  it('is what AICOST_TRUST_INBOUND_ATTRIBUTION=false selects; true or unset keep the default', () => {
    const trustWith = (value: string | undefined) => {
      if (value === undefined) delete process.env.AICOST_TRUST_INBOUND_ATTRIBUTION;
      else process.env.AICOST_TRUST_INBOUND_ATTRIBUTION = value;
      return [trustInboundAttributionFromEnv(), new AttributionBaggagePropagator().trustInbound];
    };
    expect(trustWith('false')).toEqual([false, false]);
    expect(trustWith('0')).toEqual([false, false]);
    expect(trustWith('true')).toEqual([true, true]);
    expect(trustWith(undefined)).toEqual([true, true]);
    expect(new AttributionBaggagePropagator({ trustInbound: false }).trustInbound).toBe(false);
  });
});
