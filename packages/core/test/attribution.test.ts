import { context, type DiagLogger, DiagLogLevel, diag, propagation, ROOT_CONTEXT } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { getAttributionValue } from '../src/attribution/context.js';
import {
  AttributionBaggagePropagator,
  getAttribution,
  getAttributionAttributes,
  MAX_ATTRIBUTION_VALUE_LENGTH,
  setAttribution,
  withAttribution,
  withAttributionScope,
} from '../src/attribution/index.js';
import { resetAttributionWarnings } from '../src/attribution/validate.js';

const warnings: string[] = [];
const logger: DiagLogger = {
  error: () => {},
  warn: (message: string) => warnings.push(message),
  info: () => {},
  debug: () => {},
  verbose: () => {},
};

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  diag.setLogger(logger, DiagLogLevel.WARN);
});
afterAll(() => {
  context.disable();
  diag.disable();
});
afterEach(() => {
  warnings.length = 0;
  resetAttributionWarnings();
});

const setter = {
  set: (carrier: Record<string, string>, key: string, value: string) => (carrier[key] = value),
};
const getter = {
  get: (carrier: Record<string, string>, key: string) => carrier[key],
  keys: (carrier: Record<string, string>) => Object.keys(carrier),
};

describe('withAttribution', () => {
  it('carries the standard keys and custom keys in baggage under the aicost names', () => {
    withAttribution({ feature: 'search', customer: 'acme', region: 'eu' }, () => {
      const baggage = propagation.getBaggage(context.active());
      expect(baggage?.getEntry('aicost.feature')?.value).toBe('search');
      expect(baggage?.getEntry('aicost.customer')?.value).toBe('acme');
      expect(baggage?.getEntry('aicost.attr.region')?.value).toBe('eu');
      expect(getAttribution()).toEqual({ feature: 'search', customer: 'acme', region: 'eu' });
    });
    expect(getAttribution()).toEqual({});
  });

  it('merges nested calls, the inner value winning, and restores the outer on exit', async () => {
    await withAttribution({ feature: 'search', team: 'core' }, async () => {
      await withAttribution({ feature: 'rerank', workflow: 'daily' }, async () => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        expect(getAttribution()).toEqual({ feature: 'rerank', team: 'core', workflow: 'daily' });
      });
      expect(getAttribution()).toEqual({ feature: 'search', team: 'core' });
    });
  });

  it('returns what fn returns', () => {
    expect(withAttribution({ feature: 'x' }, () => 42)).toBe(42);
  });
});

describe('setAttribution', () => {
  it('adds to the innermost scope, visible to later code and to async work started in it', async () => {
    await withAttribution({ feature: 'chat' }, async () => {
      const seenLater = new Promise((resolve) => setTimeout(() => resolve(getAttribution()), 5));
      expect(setAttribution({ customer: 'acme' })).toBe(true);
      expect(getAttribution()).toEqual({ feature: 'chat', customer: 'acme' });
      expect(await seenLater).toEqual({ feature: 'chat', customer: 'acme' });
    });
    expect(getAttribution()).toEqual({});
  });

  it('does not let an outer set override an inner withAttribution value', () => {
    withAttribution({ feature: 'outer' }, () => {
      const outer = context.active();
      withAttribution({ feature: 'inner' }, () => {
        context.with(outer, () => setAttribution({ feature: 'outer-later', team: 'ml' }));
        expect(getAttribution()).toEqual({ feature: 'inner', team: 'ml' });
      });
    });
  });

  it('is a no-op with one warning outside any scope', () => {
    expect(setAttribution({ customer: 'acme' })).toBe(false);
    expect(getAttribution()).toEqual({});
    expect(warnings.some((w) => w.includes('outside any attribution scope'))).toBe(true);
  });

  it('works in a scope opened by withAttributionScope', () => {
    context.with(withAttributionScope(context.active()), () => {
      expect(setAttribution({ workflow: 'etl' })).toBe(true);
      expect(getAttribution()).toEqual({ workflow: 'etl' });
    });
  });
});

describe('validation', () => {
  it('drops values that are too long or contain control characters, with a warning naming the field', () => {
    withAttribution(
      {
        feature: 'ok',
        customer: 'x'.repeat(MAX_ATTRIBUTION_VALUE_LENGTH + 1),
        team: 'a\nb',
        'bad key!': 'v',
      },
      () => {
        expect(getAttribution()).toEqual({ feature: 'ok' });
      },
    );
    expect(warnings.some((w) => w.includes('"customer"') && w.includes('longer than'))).toBe(true);
    expect(warnings.some((w) => w.includes('"team"') && w.includes('control characters'))).toBe(true);
    expect(warnings.some((w) => w.includes('"bad key!"'))).toBe(true);
  });

  it('stringifies numeric ids and accepts the maximum length', () => {
    const longest = 'y'.repeat(MAX_ATTRIBUTION_VALUE_LENGTH);
    withAttribution({ customer: 1234, feature: longest }, () => {
      expect(getAttribution()).toEqual({ customer: '1234', feature: longest });
    });
  });
});

describe('AttributionBaggagePropagator', () => {
  it('injects only allow-listed attribution keys and keeps foreign baggage entries', () => {
    const propagator = new AttributionBaggagePropagator({ allowedKeys: ['feature', 'customer'] });
    const base = propagation.setBaggage(
      ROOT_CONTEXT,
      propagation.createBaggage({ 'tenant.region': { value: 'eu' } }),
    );
    const carrier: Record<string, string> = {};
    context.with(base, () =>
      withAttribution({ feature: 'search', customer: 'acme', team: 'core', secret: 's' }, () => {
        propagator.inject(context.active(), carrier, setter);
      }),
    );
    const entries = Object.fromEntries(
      (carrier.baggage ?? '').split(',').map((pair) => pair.split('=').map(decodeURIComponent)),
    );
    expect(entries).toEqual({ 'tenant.region': 'eu', 'aicost.feature': 'search', 'aicost.customer': 'acme' });
  });

  it('injects values set with setAttribution, which live in the scope rather than in baggage', () => {
    const propagator = new AttributionBaggagePropagator();
    const carrier: Record<string, string> = {};
    withAttribution({}, () => {
      setAttribution({ customer: 'late' });
      propagator.inject(context.active(), carrier, setter);
    });
    expect(carrier.baggage).toBe('aicost.customer=late');
  });

  it('writes no header when there is nothing to send', () => {
    const carrier: Record<string, string> = {};
    withAttribution({ secret: 'x' }, () =>
      new AttributionBaggagePropagator().inject(context.active(), carrier, setter),
    );
    expect(carrier).toEqual({});
  });

  it('extracts allow-listed, valid keys only and opens a scope for setAttribution', () => {
    const propagator = new AttributionBaggagePropagator({ allowedKeys: ['aicost.customer', 'feature'] });
    const carrier = {
      baggage: `aicost.customer=acme,aicost.team=core,aicost.feature=${'z'.repeat(300)},other=1`,
    };
    const extracted = propagator.extract(ROOT_CONTEXT, carrier, getter);
    expect(getAttribution(extracted)).toEqual({ customer: 'acme' });
    expect(propagation.getBaggage(extracted)?.getEntry('other')?.value).toBe('1');
    context.with(extracted, () => {
      expect(setAttribution({ feature: 'late' })).toBe(true);
      expect(getAttribution()).toEqual({ customer: 'acme', feature: 'late' });
    });
  });

  it('reads the allow-list from AICOST_BAGGAGE_ALLOWLIST, short or full names', () => {
    process.env.AICOST_BAGGAGE_ALLOWLIST = 'team, aicost.attr.region';
    try {
      const propagator = new AttributionBaggagePropagator();
      expect([...propagator.allowedKeys].sort()).toEqual(['aicost.attr.region', 'aicost.team']);
    } finally {
      delete process.env.AICOST_BAGGAGE_ALLOWLIST;
    }
    expect([...new AttributionBaggagePropagator().allowedKeys].sort()).toEqual([
      'aicost.customer',
      'aicost.feature',
      'aicost.segment',
      'aicost.team',
      'aicost.workflow',
    ]);
  });

  it('never throws into the instrumentation that propagates, and logs the failure once', () => {
    const propagator = new AttributionBaggagePropagator();
    const failing = () => {
      throw new Error('broken carrier');
    };
    withAttribution({ feature: 'f' }, () => {
      expect(() => propagator.inject(context.active(), {}, { set: failing })).not.toThrow();
      expect(() => propagator.inject(context.active(), {}, { set: failing })).not.toThrow();
    });
    const ctx = propagator.extract(ROOT_CONTEXT, {}, { get: failing, keys: failing });
    expect(ctx).toBe(ROOT_CONTEXT);
    expect(warnings.filter((w) => w.includes('baggage inject failed'))).toHaveLength(1);
    expect(warnings.filter((w) => w.includes('baggage extract failed'))).toHaveLength(1);
  });

  it('reads one value as the merged view does: innermost scope, then baggage from upstream (replaced inside withAttribution), nothing for foreign keys', () => {
    const upstream = propagation.setBaggage(
      ROOT_CONTEXT,
      propagation.createBaggage({
        'aicost.feature': { value: 'from-upstream' },
        'aicost.customer': { value: 'acme' },
        'not.aicost': { value: 'foreign' },
      }),
    );
    context.with(upstream, () => {
      expect(getAttributionValue(context.active(), 'aicost.customer')).toBe('acme');
      expect(getAttributionValue(context.active(), 'aicost.feature')).toBe('from-upstream');
      withAttribution({ feature: 'outer' }, () => {
        setAttribution({ workflow: 'later' });
        withAttribution({ feature: 'inner' }, () => {
          const ctx = context.active();
          const merged = getAttributionAttributes(ctx);
          for (const key of [
            'aicost.feature',
            'aicost.customer',
            'aicost.workflow',
            'aicost.team',
            'not.aicost',
          ]) {
            expect(getAttributionValue(ctx, key), key).toBe(merged.get(key));
          }
          expect(getAttributionValue(ctx, 'aicost.feature')).toBe('inner');
          // The upstream customer did not survive the service's own withAttribution.
          expect(getAttributionValue(ctx, 'aicost.customer')).toBeUndefined();
          expect(getAttributionValue(ctx, 'aicost.workflow')).toBe('later');
          expect(getAttributionValue(ctx, 'not.aicost')).toBeUndefined();
        });
      });
    });
  });

  it('exposes the merged view by attribute key', () => {
    withAttribution({ feature: 'f', region: 'eu' }, () => {
      expect(Object.fromEntries(getAttributionAttributes())).toEqual({
        'aicost.feature': 'f',
        'aicost.attr.region': 'eu',
      });
    });
  });
});
