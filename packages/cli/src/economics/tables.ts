/**
 * The economics data tables users load from files: their columns, how each is checked,
 * and the rules across columns. The tables themselves are in packages/schema/sql (072, 073, 076).
 */
import {
  amount,
  currency,
  date,
  type FieldSpec,
  hour,
  oneOf,
  positiveInteger,
  ratio,
  text,
} from './data-file.js';

export interface DataTable {
  /** `aicost <command> load` */
  command: string;
  table: string;
  fields: FieldSpec[];
  check?: (row: Record<string, unknown>) => string | undefined;
  /** A row's key for duplicate detection within one file. */
  key: (row: Record<string, unknown>) => string;
}

export const REVENUE: DataTable = {
  command: 'revenue',
  table: 'otel.aicost_revenue',
  fields: [
    { name: 'customer', required: true, read: text },
    { name: 'segment', read: text, default: '' },
    { name: 'plan', read: text, default: '' },
    { name: 'feature', read: text, default: '' },
    { name: 'period_start', required: true, read: date },
    { name: 'period_end', required: true, read: date },
    { name: 'amount', required: true, read: amount },
    { name: 'currency', read: currency, default: 'USD' },
  ],
  check: (row) =>
    String(row.period_end) < String(row.period_start)
      ? `period_end ${row.period_end} is before period_start ${row.period_start}`
      : undefined,
  key: (row) => JSON.stringify([row.customer, row.plan, row.feature, row.period_start]),
};

export const TARGETS: DataTable = {
  command: 'targets',
  table: 'otel.aicost_targets',
  fields: [
    { name: 'feature', required: true, read: text },
    { name: 'min_margin', read: ratio },
    { name: 'max_cost_per_request', read: amount },
    { name: 'valid_from', read: date, default: '1970-01-01' },
    { name: 'note', read: text, default: '' },
  ],
  check: (row) =>
    row.min_margin === undefined && row.max_cost_per_request === undefined
      ? 'give min_margin, max_cost_per_request or both'
      : undefined,
  key: (row) => JSON.stringify([row.feature, row.valid_from]),
};

export const CAPACITY: DataTable = {
  command: 'capacity',
  table: 'otel.aicost_capacity',
  fields: [
    { name: 'pool', required: true, read: text },
    { name: 'tier', required: true, read: oneOf('self_hosted', 'cloud_gpu', 'provisioned') },
    { name: 'units', required: true, read: positiveInteger },
    { name: 'unit_usd_per_hour', required: true, read: amount },
    { name: 'valid_from', required: true, read: hour },
    { name: 'valid_to', required: true, read: hour },
  ],
  check: (row) =>
    String(row.valid_to) <= String(row.valid_from)
      ? `valid_to ${row.valid_to} is not after valid_from`
      : undefined,
  key: (row) => JSON.stringify([row.pool, row.valid_from]),
};
