/**
 * The report's check of what gateways billed against what aicost computes for the same calls
 * (`aicost_reported_cost_drift`, OpenRouter `usage.cost`, LiteLLM's cost header): reported
 * and computed totals per provider, model and source over the report's window, flagged when
 * they differ by more than a threshold. Amounts stay exact: reported costs keep the
 * provider's decimals (up to 18), compared as integers.
 */
import { DEFAULT_DATABASE } from '@aicost/schema';
import { UsageError } from '../args.js';

/** Default `--drift-threshold`: a difference above 5 % of the computed cost is flagged. */
export const DEFAULT_DRIFT_THRESHOLD_PERCENT = '5';

export interface DriftRow {
  provider: string;
  model: string;
  source: string;
  requests: number;
  /** USD at 18 fractional digits (atto-USD), as the view sums them. */
  reportedAtto: bigint;
  computedAtto: bigint;
  driftAtto: bigint;
  /** Drift over computed, in basis points (rounded toward zero); undefined when nothing was computed. */
  driftBasisPoints: bigint | undefined;
  flagged: boolean;
}

/** `--drift-threshold 5` or `2.5%`: a percentage with at most 2 decimals, as basis points. */
export function parseDriftThreshold(text: string | undefined): bigint {
  const value = (text ?? DEFAULT_DRIFT_THRESHOLD_PERCENT).trim().replace(/%$/, '');
  const match = /^(\d{1,4})(?:\.(\d{1,2}))?$/.exec(value);
  if (!match)
    throw new UsageError(
      `--drift-threshold must be a percentage such as 5 or 2.5% (got ${JSON.stringify(text)})`,
    );
  return BigInt(match[1]!) * 100n + BigInt((match[2] ?? '').padEnd(2, '0'));
}

export function driftSql(q: { fromNs: bigint; toNs: bigint; database?: string }): {
  sql: string;
  params: Record<string, string>;
} {
  return {
    // The view is by UTC day: the window's days, whole.
    sql: `SELECT provider, model, cost_reported_source AS source, sum(requests) AS requests,
       toString(sum(reported_usd)) AS reported, toString(sum(computed_usd)) AS computed
FROM ${q.database ?? DEFAULT_DATABASE}.aicost_reported_cost_drift
WHERE day >= toDate(fromUnixTimestamp64Nano({from_ns:Int64}))
  AND day <= toDate(fromUnixTimestamp64Nano({to_ns:Int64}))
GROUP BY provider, model, source
ORDER BY abs(sum(reported_usd) - sum(computed_usd)) DESC, provider, model, source`,
    params: { from_ns: q.fromNs.toString(), to_ns: q.toNs.toString() },
  };
}

/** The engine's decimal text in atto-USD (18 fractional digits), exactly. */
export function attoFromDecimalText(text: string): bigint {
  const match = /^(-?)(\d+)(?:\.(\d{1,18}))?$/.exec(text.trim());
  if (!match)
    throw new Error(`not a decimal amount with at most 18 fractional digits: ${JSON.stringify(text)}`);
  const units = BigInt(match[2]!) * 10n ** 18n + BigInt((match[3] ?? '').padEnd(18, '0'));
  return match[1] ? -units : units;
}

/** One row of `driftSql`'s result, judged against the threshold (basis points). */
export function driftRow(
  raw: {
    provider: string;
    model: string;
    source: string;
    requests: string;
    reported: string;
    computed: string;
  },
  thresholdBasisPoints: bigint,
): DriftRow {
  const reportedAtto = attoFromDecimalText(raw.reported);
  const computedAtto = attoFromDecimalText(raw.computed);
  const driftAtto = reportedAtto - computedAtto;
  const magnitude = driftAtto < 0n ? -driftAtto : driftAtto;
  return {
    provider: raw.provider,
    model: raw.model,
    source: raw.source,
    requests: Number(raw.requests),
    reportedAtto,
    computedAtto,
    driftAtto,
    driftBasisPoints: computedAtto === 0n ? undefined : (driftAtto * 10_000n) / computedAtto,
    flagged:
      computedAtto === 0n ? driftAtto !== 0n : magnitude * 10_000n > thresholdBasisPoints * computedAtto,
  };
}

/** Atto-USD as a plain decimal (trailing zeros dropped, at least one fractional digit kept out). */
export function formatAtto(atto: bigint): string {
  const sign = atto < 0n ? '-' : '';
  const magnitude = atto < 0n ? -atto : atto;
  const whole = magnitude / 10n ** 18n;
  const fraction = (magnitude % 10n ** 18n).toString().padStart(18, '0').replace(/0+$/, '');
  return `${sign}${whole}${fraction ? `.${fraction}` : ''}`;
}

/** Basis points as a percentage with 2 decimals (`-12.34%`). */
export function formatBasisPoints(bp: bigint | undefined): string {
  if (bp === undefined) return 'n/a';
  const sign = bp < 0n ? '-' : '';
  const magnitude = bp < 0n ? -bp : bp;
  return `${sign}${magnitude / 100n}.${(magnitude % 100n).toString().padStart(2, '0')}%`;
}
