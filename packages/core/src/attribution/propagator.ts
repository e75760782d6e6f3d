import {
  type Baggage,
  type Context,
  diag,
  propagation,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
} from '@opentelemetry/api';
import { W3CBaggagePropagator } from '@opentelemetry/core';
import { envFlag, envValue } from '../instrumentation/config.js';
import { ENV } from '../semconv.js';
import { getAttributionAttributes, withAttributionScope } from './context.js';
import { fieldForAttributeKey, normalizeAllowListEntry, STANDARD_ATTRIBUTION_KEYS } from './keys.js';
import { validateAttributionValue } from './validate.js';

export interface AttributionPropagatorOptions {
  /**
   * Attribution keys allowed to cross the process boundary, as field names
   * (`customer`, `region`) or attribute keys (`aicost.customer`,
   * `aicost.attr.region`). Default: `AICOST_BAGGAGE_ALLOWLIST`, else the four
   * standard keys.
   */
  allowedKeys?: readonly string[];
  /**
   * Whether attribution in incoming baggage is taken. `false` on services that receive
   * requests from outside your trust boundary (public APIs, web apps): anyone can send a
   * `baggage` header, so there an `aicost.customer` in it would let an anonymous caller
   * attribute spend to any customer. Other baggage entries still pass. Default:
   * `AICOST_TRUST_INBOUND_ATTRIBUTION`, else `true` (services behind your edge take the
   * attribution their callers set).
   */
  trustInbound?: boolean;
}

/** `AICOST_TRUST_INBOUND_ATTRIBUTION` (`false`/`0`/`no`/`off` to ignore inbound attribution), else `true`. */
export function trustInboundAttributionFromEnv(): boolean {
  return envFlag(ENV.TRUST_INBOUND_ATTRIBUTION) ?? true;
}

/**
 * The keys that may cross the process boundary. `AICOST_BAGGAGE_ALLOWLIST` set
 * to an empty string or `none` lets no attribution leave (or enter).
 */
export function resolveBaggageAllowList(allowedKeys?: readonly string[]): ReadonlySet<string> {
  let entries: readonly string[];
  if (allowedKeys !== undefined) {
    entries = allowedKeys;
  } else {
    const env = envValue(ENV.BAGGAGE_ALLOWLIST);
    if (env === undefined) entries = Object.keys(STANDARD_ATTRIBUTION_KEYS);
    else if (env.trim().toLowerCase() === 'none') entries = [];
    else entries = env.split(',');
  }
  const keys = new Set<string>();
  for (const entry of entries) {
    const key = normalizeAllowListEntry(entry);
    if (key !== undefined) keys.add(key);
  }
  return keys;
}

const loggedFailures = new Set<string>();

/** Propagation runs inside other instrumentations' request handling: a failure is logged once and swallowed. */
function logPropagationFailure(what: string, error: unknown): void {
  if (loggedFailures.has(what)) return;
  loggedFailures.add(what);
  diag.warn(`aicost: attribution baggage ${what} failed; further failures are not logged`, error);
}

/**
 * A W3C Baggage propagator that lets only allow-listed aicost attribution keys
 * leave or enter the process. Baggage entries outside the aicost namespace are
 * propagated untouched. Use it INSTEAD of `W3CBaggagePropagator` (both write the
 * same `baggage` header; the later one would win).
 *
 * On extract it also opens a fresh attribution scope for the incoming request,
 * so `setAttribution()` works in request handlers. With `trustInbound: false`
 * (edge services) incoming attribution is dropped; outgoing attribution is
 * still sent.
 */
export class AttributionBaggagePropagator implements TextMapPropagator {
  readonly allowedKeys: ReadonlySet<string>;
  readonly trustInbound: boolean;
  private readonly w3c = new W3CBaggagePropagator();

  constructor(options: AttributionPropagatorOptions = {}) {
    this.allowedKeys = resolveBaggageAllowList(options.allowedKeys);
    this.trustInbound = options.trustInbound ?? trustInboundAttributionFromEnv();
  }

  inject(ctx: Context, carrier: unknown, setter: TextMapSetter): void {
    try {
      this.injectAllowed(ctx, carrier, setter);
    } catch (error) {
      logPropagationFailure('inject', error);
    }
  }

  extract(ctx: Context, carrier: unknown, getter: TextMapGetter): Context {
    try {
      return this.extractAllowed(ctx, carrier, getter);
    } catch (error) {
      logPropagationFailure('extract', error);
      return ctx;
    }
  }

  private injectAllowed(ctx: Context, carrier: unknown, setter: TextMapSetter): void {
    let baggage = this.withoutAttribution(propagation.getBaggage(ctx) ?? propagation.createBaggage());
    // Attribution set via setAttribution lives in the scope, not in the baggage: read the merged view.
    for (const [key, value] of getAttributionAttributes(ctx)) {
      if (this.allowedKeys.has(key)) baggage = baggage.setEntry(key, { value });
    }
    if (baggage.getAllEntries().length === 0) return;
    this.w3c.inject(propagation.setBaggage(ctx, baggage), carrier, setter);
  }

  private extractAllowed(ctx: Context, carrier: unknown, getter: TextMapGetter): Context {
    const extracted = this.w3c.extract(ctx, carrier, getter);
    const incoming = propagation.getBaggage(extracted);
    let result = extracted;
    if (incoming !== undefined && incoming !== propagation.getBaggage(ctx)) {
      let baggage = this.withoutAttribution(incoming);
      for (const [key, entry] of incoming.getAllEntries()) {
        const field = fieldForAttributeKey(key);
        if (field === undefined || !this.trustInbound || !this.allowedKeys.has(key)) continue;
        const value = validateAttributionValue(field, entry.value);
        if (value !== undefined) baggage = baggage.setEntry(key, { value });
      }
      result = propagation.setBaggage(extracted, baggage);
    }
    return withAttributionScope(result);
  }

  fields(): string[] {
    return this.w3c.fields();
  }

  private withoutAttribution(baggage: Baggage): Baggage {
    const attributionKeys = baggage
      .getAllEntries()
      .map(([key]) => key)
      .filter((key) => fieldForAttributeKey(key) !== undefined);
    return attributionKeys.length > 0 ? baggage.removeEntries(...attributionKeys) : baggage;
  }
}
