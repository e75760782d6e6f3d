/**
 * One line item of a provider's bill, as every parser produces it (before model
 * normalisation, project mapping and hashing, which are the same for all formats).
 */

/** The formats `aicost billing load` reads (the `source_format` column). */
export const SOURCE_FORMATS = [
  'openai-costs',
  'openai-usage',
  'openai-costs-csv',
  'anthropic-cost',
  'anthropic-usage',
  'gcp-billing',
  'aws-cur2',
  'azure-cost',
] as const;
export type SourceFormat = (typeof SOURCE_FORMATS)[number];

/** What a row is: usage, or money that is not usage (kept, negative for credits and refunds). */
export type ChargeType = 'usage' | 'credit' | 'refund' | 'discount' | 'tax' | 'fee' | 'adjustment';

export interface ParsedBillingRow {
  /** Catalogue provider id of who billed: openai, anthropic, google, aws, azure. */
  provider: string;
  sourceFormat: SourceFormat;
  /** Organization, billing account or payer, as the file names it ('' if it does not). */
  account: string;
  /** Project, workspace, subscription or usage account ('' if none). */
  project: string;
  /** The provider's own text for what was used: line item, SKU, meter or model ('' if none). */
  billedModel: string;
  /** The model name found in that text, to look up in the catalogue (undefined: none). */
  modelHint?: string;
  /** standard, flex, batch, priority, scale... when the file says ('' otherwise). */
  serviceTier: string;
  /** input, cached_input, cache_write, output, requests, ... or other. */
  usageType: string;
  chargeType: ChargeType;
  /** UTC day, YYYY-MM-DD. */
  day: string;
  /** Exact decimal text, undefined when the file gives no quantity. */
  quantity?: string;
  unit: string;
  /** Exact decimal text in `currency`, undefined for usage-only rows. */
  cost?: string;
  /** ISO 4217, upper case ('' for usage-only rows). */
  currency: string;
  /** 1-based line (CSV, JSON) or row (Parquet) of the item in its file. */
  line: number;
}

/** A file that does not follow its format: names the file, the line and the field. */
export class BillingFormatError extends Error {
  override name = 'BillingFormatError';
  constructor(
    readonly file: string,
    readonly line: number,
    readonly field: string,
    problem: string,
  ) {
    super(`${file}:${line}: ${field ? `field ${JSON.stringify(field)}: ` : ''}${problem}`);
  }
}
