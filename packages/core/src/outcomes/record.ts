/**
 * Business outcomes (a ticket resolved, an order placed): the denominator of
 * "cost per action". Each outcome is exported as one short span named
 * `aicost.outcome`, because spans are what every aicost pipeline stores
 * (`otel_traces`, written by the collector's clickhouse exporter and by
 * `aicost up`): a span carries its trace id, so the outcome joins the model
 * calls of the same trace, even calls made by another service that propagated
 * the trace context; it carries attribution like every other span; and it
 * needs no active span (a span event would, and would be exported only when
 * that span ends). Logs are not stored by the pipeline, and a metric loses the
 * link to the trace.
 */
import { type Attributes, context, SpanKind, trace } from '@opentelemetry/api';
import { type AttributionInput, getAttributionAttributes, withAttribution } from '../attribution/context.js';
import { logOnce, warnOnce } from '../instrumentation/safety.js';
import { parseDecimal, pow10 } from '../money/decimal.js';
import { formatNanos, MONEY_SCALE } from '../money/nanos.js';
import {
  ATTR_AICOST_OUTCOME_CURRENCY,
  ATTR_AICOST_OUTCOME_NAME,
  ATTR_AICOST_OUTCOME_VALUE,
  SPAN_NAME_AICOST_OUTCOME,
} from '../semconv.js';

/** The tracer (instrumentation scope) outcome spans are created with. */
export const OUTCOME_TRACER_NAME = '@aicost/core/outcomes';

export interface OutcomeOptions {
  /**
   * What the outcome is worth (an order's amount, a plan upgrade): a decimal
   * string, number or bigint, at most 9 fractional digits. Optional: most
   * outcomes are counted, not valued.
   */
  value?: string | number | bigint;
  /** ISO 4217 code of `value`; default `USD`. */
  currency?: string;
  /**
   * Attribution for this outcome only (`feature`, `customer`, `workflow`,
   * `team`, `segment`, custom fields), over what the context already carries.
   */
  attributes?: AttributionInput;
}

/** Outcome names are grouped on: short tokens, like metric names. */
const OUTCOME_NAME = /^[A-Za-z0-9_.:-]{1,128}$/;
const CURRENCY = /^[A-Z]{3}$/;

/** `"12.5"` as `"12.500000000"`; `undefined` (with one warning) when it is not an amount. */
function outcomeValue(name: string, value: string | number | bigint): string | undefined {
  const decimal = parseDecimal(value);
  if (decimal === undefined || decimal.scale > MONEY_SCALE) {
    warnOnce(
      `outcome-value:${name}`,
      `aicost: recordOutcome("${name}"): value ${JSON.stringify(String(value))} is not a decimal with at most ${MONEY_SCALE} fractional digits; the outcome is recorded without a value`,
    );
    return undefined;
  }
  return formatNanos(decimal.units * pow10(MONEY_SCALE - decimal.scale));
}

/**
 * Records that a business outcome happened here, now: one `aicost.outcome`
 * span in the active context (so in the current trace), attributed with the
 * feature, customer, workflow... in effect (baggage from upstream services
 * included) plus `options.attributes`. Cost per outcome is then computed in
 * SQL (`otel.aicost_cost_per_outcome`): the model calls of the same trace, or
 * of the same workflow, divided by the outcomes.
 *
 * Returns `false` when nothing was recorded (invalid name, or a failure inside
 * aicost, logged once); never throws.
 */
export function recordOutcome(name: string, options: OutcomeOptions = {}): boolean {
  try {
    if (typeof name !== 'string' || !OUTCOME_NAME.test(name)) {
      warnOnce(
        `outcome-name:${String(name)}`,
        `aicost: recordOutcome(${JSON.stringify(name)}): the name must be 1-128 characters of A-Z a-z 0-9 _ . : -; nothing recorded`,
      );
      return false;
    }
    const attributes: Attributes = { [ATTR_AICOST_OUTCOME_NAME]: name };
    const value = options.value === undefined ? undefined : outcomeValue(name, options.value);
    if (value !== undefined) {
      const currency = (options.currency ?? 'USD').toUpperCase();
      if (!CURRENCY.test(currency)) {
        warnOnce(
          `outcome-currency:${currency}`,
          `aicost: recordOutcome("${name}"): currency ${JSON.stringify(options.currency)} is not an ISO 4217 code; the outcome is recorded without a value`,
        );
      } else {
        attributes[ATTR_AICOST_OUTCOME_VALUE] = value;
        attributes[ATTR_AICOST_OUTCOME_CURRENCY] = currency;
      }
    }
    // The span is started inside the outcome's attribution scope, so the attribution span
    // processor sees the same values; they are also written explicitly, for SDK setups
    // without that processor. Without attributes of its own the outcome keeps the context's
    // attribution as it is: withAttribution would set inbound (caller-sent) keys aside.
    const record = () => {
      for (const [key, attribution] of getAttributionAttributes()) attributes[key] = attribution;
      trace
        .getTracer(OUTCOME_TRACER_NAME)
        .startSpan(SPAN_NAME_AICOST_OUTCOME, { kind: SpanKind.INTERNAL, attributes }, context.active())
        .end();
    };
    if (options.attributes === undefined) record();
    else withAttribution(options.attributes, record);
    return true;
  } catch (error) {
    logOnce('recordOutcome', error);
    return false;
  }
}
