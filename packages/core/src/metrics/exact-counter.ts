import type { Attributes, Meter, MetricOptions, ObservableResult } from '@opentelemetry/api';

/**
 * Series kept per counter before new attribute sets fold into the overflow
 * series: with the overflow series, the SDK's default cardinality limit (2000),
 * so the SDK never folds series of its own.
 */
export const DEFAULT_SERIES_LIMIT = 1999;

/** The attribute the OpenTelemetry SDK puts on the series that absorbs values past its cardinality limit. */
export const OVERFLOW_ATTRIBUTES: Attributes = Object.freeze({ 'otel.metric.overflow': true });

const countersByMeter = new WeakMap<Meter, Map<string, ExactCounter>>();

interface Series {
  attributes: Attributes;
  total: bigint;
}

/**
 * A monotonic counter of exact integer amounts (nano-USD, request counts),
 * reported through an asynchronous (observable) counter.
 *
 * Why not a synchronous `Counter`: it adds floats, so a dollar total made of
 * millions of small costs drifts; and each `add()` makes the SDK sort and
 * hash the attribute set. Here each series sums bigints exactly, found by a
 * key the caller already has, and the total becomes a number once per
 * collection (`toNumber`). The exported data is the same: a cumulative,
 * monotonic sum per attribute set (the SDK derives deltas when an exporter
 * asks for them).
 */
export class ExactCounter {
  private readonly series = new Map<string, Series>();
  private overflow: Series | undefined;

  /**
   * The counter `name` of `meter`: one per meter and name, as the SDK keeps
   * one storage for every synchronous instrument created under a name.
   * Instrumentations rebuild their metrics when their config changes; the
   * running totals must carry on, and two callbacks must never report the
   * same series.
   */
  static of(
    meter: Meter,
    name: string,
    options: MetricOptions,
    toNumber: (total: bigint) => number,
    seriesLimit: number = DEFAULT_SERIES_LIMIT,
  ): ExactCounter {
    let byName = countersByMeter.get(meter);
    if (byName === undefined) {
      byName = new Map();
      countersByMeter.set(meter, byName);
    }
    let counter = byName.get(name);
    if (counter === undefined) {
      counter = new ExactCounter(meter, name, options, toNumber, seriesLimit);
      byName.set(name, counter);
    }
    return counter;
  }

  private constructor(
    meter: Meter,
    name: string,
    options: MetricOptions,
    private readonly toNumber: (total: bigint) => number,
    private readonly seriesLimit: number,
  ) {
    meter.createObservableCounter(name, options).addCallback((result) => this.observe(result));
  }

  /**
   * Adds `amount` to the series `key` names. `attributes` builds that series'
   * attribute set, only the first time the key is seen: the key must
   * determine the attributes.
   */
  add(key: string, amount: bigint, attributes: () => Attributes): void {
    let series = this.series.get(key);
    if (series === undefined) {
      if (this.series.size >= this.seriesLimit) {
        this.overflow ??= { attributes: OVERFLOW_ATTRIBUTES, total: 0n };
        series = this.overflow;
      } else {
        series = { attributes: attributes(), total: 0n };
        this.series.set(key, series);
      }
    }
    series.total += amount;
  }

  private observe(result: ObservableResult): void {
    for (const series of this.series.values()) result.observe(this.toNumber(series.total), series.attributes);
    if (this.overflow) result.observe(this.toNumber(this.overflow.total), this.overflow.attributes);
  }
}
