/**
 * `aicost reconcile`'s SQL: the rows of the reconciliation views (061) for a
 * window of UTC days, their totals (aicost_reconciliation_totals, where the
 * totals rule lives) and the service-tier rules the store prices with, read
 * back exactly (Decimals as text, into bigint nanos).
 */
import { DEFAULT_DATABASE } from '@aicost/schema';
import { parseCostText } from '../report/money.js';
import type { SqlBackend } from '../store/backend.js';

/**
 * Decimals leave as text (toString in the SELECT, not a SETTINGS clause: a read-only
 * `aicost up` or server refuses setting changes); 64-bit integers are quoted by JSONEachRow's
 * defaults. Nothing goes through a float.
 */
const DECIMAL_COLUMNS = [
  'billed_usd',
  'credits_usd',
  'flex_usd',
  'batch_usd',
  'priority_usd',
  'billed_tokens',
  'billed_output_tokens',
  'traced_usd',
  'ghost_usd',
  'explained_unpriced_usd',
  'explained_tier_usd',
  'explained_batch_usd',
  'explained_price_change_usd',
  'unexplained_usd',
  'traced_flex_usd',
  'traced_untiered_usd',
];
const RECONCILIATION_COLUMNS = [
  'toString(r.day) AS day',
  'r.provider AS provider',
  'r.model AS model',
  'r.billed_rows AS billed_rows',
  ...DECIMAL_COLUMNS.map((c) => `toString(r.${c}) AS ${c}`),
  'mapApply((currency, amount) -> (currency, toString(amount)), r.billed_other_currencies) AS billed_other_currencies',
  'r.projects AS projects',
  'r.traced_requests AS traced_requests',
  'r.unpriced_requests AS unpriced_requests',
  'r.traced_tokens AS traced_tokens',
  'r.traced_output_tokens AS traced_output_tokens',
  'r.traced_reasoning_tokens AS traced_reasoning_tokens',
  'r.unpriced_tokens AS unpriced_tokens',
].join(',\n  ');

export interface ReconciliationRow {
  day: string;
  provider: string;
  model: string;
  billedRows: number;
  /** NULL in SQL (undefined here): nothing comparable in USD was billed. */
  billedUsd: bigint | undefined;
  billedOtherCurrencies: Record<string, bigint>;
  creditsUsd: bigint;
  flexUsd: bigint;
  batchUsd: bigint;
  priorityUsd: bigint;
  billedTokens: bigint;
  billedOutputTokens: bigint;
  projects: string[];
  tracedRequests: number;
  unpricedRequests: number;
  tracedUsd: bigint;
  tracedTokens: bigint;
  tracedOutputTokens: bigint;
  tracedReasoningTokens: bigint;
  unpricedTokens: bigint;
  /** Priced spans served at the flex tier (costed at its rate). */
  tracedFlexUsd: bigint;
  /** Priced spans that recorded no served tier (costed at the standard price). */
  tracedUntieredUsd: bigint;
  ghostUsd: bigint | undefined;
  explainedUnpricedUsd: bigint | undefined;
  explainedTierUsd: bigint | undefined;
  explainedBatchUsd: bigint | undefined;
  explainedPriceChangeUsd: bigint | undefined;
  unexplainedUsd: bigint | undefined;
}

export interface ProjectRow {
  provider: string;
  account: string;
  project: string;
  service: string;
  environment: string;
  billedUsd: bigint | undefined;
  billedTokens: bigint;
  tracedRequests: number;
  tracedUsd: bigint;
}

/** The rows added up over the window by the engine (aicost_reconciliation_totals). */
export interface ReconcileTotals {
  billedUsd: bigint;
  tracedUsd: bigint;
  ghostUsd: bigint;
  explainedUnpricedUsd: bigint;
  explainedTierUsd: bigint;
  explainedBatchUsd: bigint;
  explainedPriceChangeUsd: bigint;
  unexplainedUsd: bigint;
  /** Traced USD of rows with nothing comparable billed (another provider's day, a model not on the bill). */
  tracedNotBilledUsd: bigint;
  otherCurrencies: Record<string, bigint>;
}

/** A row of aicost_service_tiers: how a served tier is priced (@aicost/core's SERVICE_TIER_RULES, as loaded). */
export interface TierRule {
  provider: string;
  tier: string;
  kind: 'standard' | 'multiplier' | 'committed';
  /** The multiplier, as decimal text (`0.5`); undefined for other kinds. */
  factor: string | undefined;
  source: string;
}

export interface ReconcileQuery {
  /** First and last UTC day, inclusive (YYYY-MM-DD). */
  fromDay: string;
  toDay: string;
  providers: string[];
  /** The schema's database (--database / AICOST_DATABASE); default `otel`. */
  database?: string;
}

export interface Reconciliation {
  rows: ReconciliationRow[];
  /** The rows summed per provider and model over the window (day ''). */
  models: ReconciliationRow[];
  projects: ProjectRow[];
  totals: ReconcileTotals;
  tierRules: TierRule[];
  /** The database the rows come from, for messages that name its tables. */
  database: string;
}

type Json = Record<string, unknown>;

const money = (v: unknown): bigint | undefined =>
  v === null || v === undefined ? undefined : parseCostText(String(v));
const moneyOr0 = (v: unknown): bigint => money(v) ?? 0n;
/** Token quantities are Decimal(38, 9) on the billed side (a quantity may be fractional); whole tokens here. */
const tokens = (v: unknown): bigint => (v === null || v === undefined ? 0n : moneyOr0(v) / 1_000_000_000n);

function parseLines(text: string): Json[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Json);
}

/** The window and provider filter; `table` qualifies the columns (the SELECT may alias them). */
function where(q: ReconcileQuery, params: Record<string, string>, table = ''): string {
  params.from_day = q.fromDay;
  params.to_day = q.toDay;
  const clauses = [`${table}day >= {from_day:Date}`, `${table}day <= {to_day:Date}`];
  if (q.providers.length) {
    clauses.push(
      `${table}provider IN (${q.providers
        .map((p, i) => {
          params[`provider_${i}`] = p;
          return `{provider_${i}:String}`;
        })
        .join(', ')})`,
    );
  }
  return clauses.join(' AND ');
}

/**
 * A store migrated before the billing files (060, 061) has no billing table or views: say how
 * to add them instead of the engine's UNKNOWN_TABLE.
 */
export async function requireBillingSchema(backend: SqlBackend, object: string): Promise<void> {
  const exists = (await backend.run(`EXISTS ${object}`, 'TabSeparated')).trim();
  if (exists !== '1') {
    throw new Error(
      `${object} does not exist in ${backend.description}: apply the schema (aicost migrate, or restart aicost up) to add the billing table and reconciliation views`,
    );
  }
}

/** A row of aicost_reconciliation as JSONEachRow gives it (RECONCILIATION_COLUMNS). */
function rowOf(r: Json): ReconciliationRow {
  return {
    day: String(r.day),
    provider: String(r.provider),
    model: String(r.model),
    billedRows: Number(r.billed_rows),
    billedUsd: money(r.billed_usd),
    billedOtherCurrencies: Object.fromEntries(
      Object.entries((r.billed_other_currencies ?? {}) as Record<string, unknown>).map(([c, v]) => [
        c,
        moneyOr0(v),
      ]),
    ),
    creditsUsd: moneyOr0(r.credits_usd),
    flexUsd: moneyOr0(r.flex_usd),
    batchUsd: moneyOr0(r.batch_usd),
    priorityUsd: moneyOr0(r.priority_usd),
    billedTokens: tokens(r.billed_tokens),
    billedOutputTokens: tokens(r.billed_output_tokens),
    projects: (r.projects ?? []) as string[],
    tracedRequests: Number(r.traced_requests),
    unpricedRequests: Number(r.unpriced_requests),
    tracedUsd: moneyOr0(r.traced_usd),
    tracedTokens: BigInt(String(r.traced_tokens ?? 0)),
    tracedOutputTokens: BigInt(String(r.traced_output_tokens ?? 0)),
    tracedReasoningTokens: BigInt(String(r.traced_reasoning_tokens ?? 0)),
    unpricedTokens: BigInt(String(r.unpriced_tokens ?? 0)),
    tracedFlexUsd: moneyOr0(r.traced_flex_usd),
    tracedUntieredUsd: moneyOr0(r.traced_untiered_usd),
    ghostUsd: money(r.ghost_usd),
    explainedUnpricedUsd: money(r.explained_unpriced_usd),
    explainedTierUsd: money(r.explained_tier_usd),
    explainedBatchUsd: money(r.explained_batch_usd),
    explainedPriceChangeUsd: money(r.explained_price_change_usd),
    unexplainedUsd: money(r.unexplained_usd),
  };
}

/**
 * The rows summed per provider and model over the window, in the shape of a row (day ''):
 * plain sums, as the view's amounts already say what they cover (an amount is NULL where nothing
 * was billed in USD, and a sum of NULLs is NULL).
 */
const MODEL_COLUMNS = [
  "'' AS day",
  'r.provider AS provider',
  'r.model AS model',
  'sum(r.billed_rows) AS billed_rows',
  ...DECIMAL_COLUMNS.map((c) => `toString(sum(r.${c})) AS ${c}`),
  'mapApply((currency, amount) -> (currency, toString(amount)), sumMap(r.billed_other_currencies)) AS billed_other_currencies',
  'arraySort(groupUniqArrayArray(r.projects)) AS projects',
  ...[
    'traced_requests',
    'unpriced_requests',
    'traced_tokens',
    'traced_output_tokens',
    'traced_reasoning_tokens',
    'unpriced_tokens',
  ].map((c) => `sum(r.${c}) AS ${c}`),
].join(',\n  ');

const TOTAL_COLUMNS = [
  'billed_usd',
  'traced_usd',
  'ghost_usd',
  'explained_unpriced_usd',
  'explained_tier_usd',
  'explained_batch_usd',
  'explained_price_change_usd',
  'unexplained_usd',
  'traced_not_billed_usd',
];

async function queryTotals(
  backend: SqlBackend,
  q: ReconcileQuery,
  database: string,
): Promise<ReconcileTotals> {
  const params: Record<string, string> = {};
  const [t = {}] = parseLines(
    await backend.run(
      `SELECT ${TOTAL_COLUMNS.map((c) => `toString(sum(t.${c})) AS ${c}`).join(', ')},
  mapApply((currency, amount) -> (currency, toString(amount)), sumMap(t.billed_other_currencies)) AS billed_other_currencies
FROM ${database}.aicost_reconciliation_totals AS t WHERE ${where(q, params, 't.')}`,
      'JSONEachRow',
      params,
    ),
  );
  return {
    billedUsd: moneyOr0(t.billed_usd),
    tracedUsd: moneyOr0(t.traced_usd),
    ghostUsd: moneyOr0(t.ghost_usd),
    explainedUnpricedUsd: moneyOr0(t.explained_unpriced_usd),
    explainedTierUsd: moneyOr0(t.explained_tier_usd),
    explainedBatchUsd: moneyOr0(t.explained_batch_usd),
    explainedPriceChangeUsd: moneyOr0(t.explained_price_change_usd),
    unexplainedUsd: moneyOr0(t.unexplained_usd),
    tracedNotBilledUsd: moneyOr0(t.traced_not_billed_usd),
    otherCurrencies: Object.fromEntries(
      Object.entries((t.billed_other_currencies ?? {}) as Record<string, unknown>).map(([c, v]) => [
        c,
        moneyOr0(v),
      ]),
    ),
  };
}

async function queryTierRules(backend: SqlBackend, database: string): Promise<TierRule[]> {
  return parseLines(
    await backend.run(
      `SELECT toString(catalogue_provider_id) AS provider, tier, toString(kind) AS kind, toString(factor) AS factor, source
FROM ${database}.aicost_service_tiers FINAL ORDER BY provider, tier`,
      'JSONEachRow',
    ),
  ).map((r) => ({
    provider: String(r.provider),
    tier: String(r.tier),
    kind: String(r.kind) as TierRule['kind'],
    factor: r.factor === null || r.factor === undefined ? undefined : decimalText(String(r.factor)),
    source: String(r.source),
  }));
}

/** `0.500000000000` -> `0.5`. */
const decimalText = (text: string) => (text.includes('.') ? text.replace(/\.?0+$/, '') : text);

export async function queryReconciliation(backend: SqlBackend, q: ReconcileQuery): Promise<Reconciliation> {
  const database = q.database ?? DEFAULT_DATABASE;
  await requireBillingSchema(backend, `${database}.aicost_reconciliation`);
  const params: Record<string, string> = {};
  const filter = where(q, params, 'r.');
  const rows = parseLines(
    await backend.run(
      `SELECT ${RECONCILIATION_COLUMNS}
FROM ${database}.aicost_reconciliation AS r WHERE ${filter}
ORDER BY r.ghost_usd DESC NULLS LAST, r.day, r.provider, r.model`,
      'JSONEachRow',
      params,
    ),
  ).map(rowOf);
  const projectParams: Record<string, string> = {};
  const projects = parseLines(
    await backend.run(
      `SELECT provider, account, project, service, environment,
       sumIf(assumeNotNull(billed_usd), billed_usd IS NOT NULL) AS billed_sum,
       toString(billed_sum) AS billed,
       countIf(billed_usd IS NOT NULL) AS billed_days,
       toString(sum(billed_tokens)) AS tokens, sum(traced_requests) AS requests, toString(sum(traced_usd)) AS traced
FROM ${database}.aicost_reconciliation_by_project WHERE ${where(q, projectParams)}
GROUP BY provider, account, project, service, environment
ORDER BY billed_sum DESC, provider, project`,
      'JSONEachRow',
      projectParams,
    ),
  ).map(
    (r): ProjectRow => ({
      provider: String(r.provider),
      account: String(r.account),
      project: String(r.project),
      service: String(r.service),
      environment: String(r.environment),
      billedUsd: Number(r.billed_days) > 0 ? moneyOr0(r.billed) : undefined,
      billedTokens: tokens(r.tokens),
      tracedRequests: Number(r.requests),
      tracedUsd: moneyOr0(r.traced),
    }),
  );
  const modelParams: Record<string, string> = {};
  const models = parseLines(
    await backend.run(
      `SELECT ${MODEL_COLUMNS}
FROM ${database}.aicost_reconciliation AS r WHERE ${where(q, modelParams, 'r.')}
GROUP BY r.provider, r.model
ORDER BY max(r.ghost_usd) DESC NULLS LAST, min(r.day), r.provider, r.model`,
      'JSONEachRow',
      modelParams,
    ),
  ).map(rowOf);
  const totals = await queryTotals(backend, q, database);
  const tierRules = await queryTierRules(backend, database);
  return { rows, models, projects, totals, tierRules, database };
}
