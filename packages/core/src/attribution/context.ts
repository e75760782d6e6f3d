import { type Baggage, type Context, context, diag, propagation } from '@opentelemetry/api';
import type { Attribution } from '../types.js';
import { attributeKeyFor, fieldForAttributeKey, STANDARD_ATTRIBUTION_KEYS } from './keys.js';
import { checkAttributionReach } from './reach.js';
import { validateAttributionValue, validateFieldName } from './validate.js';

/** What users may pass: the standard fields and custom ones; numbers and booleans are stringified. */
export type AttributionInput = {
  [field: string]: string | number | boolean | undefined | null;
};

/**
 * A mutable attribution scope. OTel contexts are immutable, so a value set
 * "on the current context" after the fact needs somewhere to live: each
 * `withAttribution` call and each extracted incoming request owns one scope;
 * `setAttribution` writes into the innermost one. Scopes chain to their parent
 * so an inner scope sees the outer one's later additions.
 */
interface AttributionScope {
  readonly parent: AttributionScope | undefined;
  /** attribute key (`aicost.customer`) -> value */
  readonly own: Map<string, string>;
}

/**
 * A registry symbol rather than `createContextKey` (a fresh symbol per module
 * copy): the ESM and CommonJS copies of this package must find each other's
 * scopes in one context, or `setAttribution` from one would miss the scope
 * opened by the other.
 */
const SCOPE_KEY = Symbol.for('@aicost/core.attribution.scope');

function scopeOf(ctx: Context): AttributionScope | undefined {
  return ctx.getValue(SCOPE_KEY) as AttributionScope | undefined;
}

/** Validated attribute-keyed entries; invalid fields are dropped with a warning. */
function toEntries(attrs: AttributionInput): Map<string, string> {
  const entries = new Map<string, string>();
  for (const [field, raw] of Object.entries(attrs ?? {})) {
    if (!validateFieldName(field, field in STANDARD_ATTRIBUTION_KEYS)) continue;
    const value = validateAttributionValue(field, raw);
    if (value !== undefined) entries.set(attributeKeyFor(field), value);
  }
  return entries;
}

/**
 * Returns `ctx` with a new, empty attribution scope nested in whatever scope
 * `ctx` already has. The baggage propagator calls this on every extracted
 * request so `setAttribution` works inside request handlers; call it yourself
 * around a unit of work you want `setAttribution` to target.
 */
export function withAttributionScope(ctx: Context): Context {
  const scope: AttributionScope = { parent: scopeOf(ctx), own: new Map() };
  return ctx.setValue(SCOPE_KEY, scope);
}

/**
 * Runs `fn` in a context carrying the given attribution, as W3C Baggage entries
 * (`aicost.feature`, ..., custom fields as `aicost.attr.<field>`) and as a new
 * attribution scope.
 *
 * Nested calls merge with what this process set (enclosing `withAttribution`
 * and `setAttribution` calls); the inner value wins. Attribution that came in
 * with the request (baggage from the caller) is REPLACED, not merged: none of
 * its keys survive in `fn`, not even the ones `attrs` does not set. A caller
 * can put anything in its baggage, so once the service states the attribution
 * itself, a forged `aicost.customer` must not ride along with the `feature`
 * the service set. To keep a caller's value on purpose, pass it on:
 * `withAttribution({ ...getAttribution(), feature: 'rerank' }, fn)`.
 *
 * Needs a registered context manager (`register()` from `@aicost/node`, or any
 * OpenTelemetry SDK setup); without one, OpenTelemetry has no active context and
 * `fn` simply runs.
 */
export function withAttribution<R>(attrs: AttributionInput, fn: () => R): R {
  const parent = context.active();
  const entries = toEntries(attrs);
  let baggage = withoutAttributionEntries(propagation.getBaggage(parent) ?? propagation.createBaggage());
  for (const [key, value] of scopedAttribution(parent)) baggage = baggage.setEntry(key, { value });
  for (const [key, value] of entries) baggage = baggage.setEntry(key, { value });
  const scope: AttributionScope = { parent: scopeOf(parent), own: entries };
  const ctx = propagation.setBaggage(parent, baggage).setValue(SCOPE_KEY, scope);
  checkAttributionReach(ctx);
  return context.with(ctx, fn);
}

/** `baggage` without its attribution entries (other entries are the application's, kept). */
function withoutAttributionEntries(baggage: Baggage): Baggage {
  const keys = baggage
    .getAllEntries()
    .map(([key]) => key)
    .filter((key) => fieldForAttributeKey(key) !== undefined);
  return keys.length > 0 ? baggage.removeEntries(...keys) : baggage;
}

/**
 * The attribution this process set in `ctx`: the scope chain only (withAttribution and
 * setAttribution), outermost first so the innermost value wins; baggage is left out, since
 * its attribution entries are either copies of these or came from the caller.
 */
function scopedAttribution(ctx: Context): Map<string, string> {
  const chain: AttributionScope[] = [];
  for (let scope = scopeOf(ctx); scope !== undefined; scope = scope.parent) chain.unshift(scope);
  const result = new Map<string, string>();
  for (const scope of chain) {
    for (const [key, value] of scope.own) result.set(key, value);
  }
  return result;
}

let warnedNoScope = false;

/**
 * Adds attribution to the innermost attribution scope of the active context:
 * the nearest enclosing `withAttribution` call, or the incoming request when
 * the aicost baggage propagator extracted it (what `register()` installs).
 * Every span started in that scope from now on carries the values, including
 * spans of async work already running in it; spans already started keep what
 * they had. Returns `false` (with one warning) when there is no scope: then
 * use `withAttribution` instead.
 */
export function setAttribution(attrs: AttributionInput): boolean {
  const scope = scopeOf(context.active());
  if (scope === undefined) {
    if (!warnedNoScope) {
      warnedNoScope = true;
      diag.warn(
        'aicost: setAttribution() called outside any attribution scope (withAttribution or an extracted request); ignored',
      );
    }
    return false;
  }
  for (const [key, value] of toEntries(attrs)) scope.own.set(key, value);
  return true;
}

/**
 * The attribution in effect in `ctx` (default: the active context), keyed by
 * attribute name (`aicost.customer`, `aicost.attr.region`). Baggage entries
 * (incoming from upstream, or set by `withAttribution`) are overlaid by the
 * scope chain from outermost to innermost, so the innermost value wins.
 */
export function getAttributionAttributes(ctx: Context = context.active()): Map<string, string> {
  const result = new Map<string, string>();
  const baggage = propagation.getBaggage(ctx);
  if (baggage !== undefined) {
    for (const [key, entry] of baggage.getAllEntries()) {
      if (fieldForAttributeKey(key) !== undefined) result.set(key, entry.value);
    }
  }
  for (const [key, value] of scopedAttribution(ctx)) result.set(key, value);
  return result;
}

/**
 * One attribution value in effect in `ctx`, by attribute key: what
 * `getAttributionAttributes(ctx).get(key)` returns, without building the
 * whole map (the metrics read two keys on every call).
 */
export function getAttributionValue(ctx: Context, key: string): string | undefined {
  for (let scope = scopeOf(ctx); scope !== undefined; scope = scope.parent) {
    const value = scope.own.get(key);
    if (value !== undefined) return value;
  }
  if (fieldForAttributeKey(key) === undefined) return undefined;
  return propagation.getBaggage(ctx)?.getEntry(key)?.value;
}

/** The attribution in effect in `ctx` (default: the active context), keyed by field name. */
export function getAttribution(ctx: Context = context.active()): Attribution {
  const attribution: Attribution = {};
  for (const [key, value] of getAttributionAttributes(ctx)) {
    const field = fieldForAttributeKey(key);
    if (field !== undefined) attribution[field] = value;
  }
  return attribution;
}
