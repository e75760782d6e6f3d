/**
 * `aicost billing load`'s parsers on fixtures written from each provider's published
 * schema (see fixtures/README.md): every line item kept, exact amounts, pagination, credits
 * and refunds negative, other currencies kept apart, rows without a model kept as unknown,
 * and format errors that name the file, the line and the field.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type BillingTableRow, toTableRows } from '../../packages/cli/src/billing/load.js';
import { EMPTY_MAPPING, parseProjectMapping } from '../../packages/cli/src/billing/mapping.js';
import { readBillingFile } from '../../packages/cli/src/billing/read.js';
import { BillingFormatError } from '../../packages/cli/src/billing/types.js';
import { openEngine } from '../support/chdb.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const fixture = (name: string) => join(FIXTURES, name);

async function load(name: string, usdRates = new Map<string, string>(), mapping = EMPTY_MAPPING) {
  const read = await readBillingFile(fixture(name));
  return {
    read,
    rows: toTableRows(read.rows, { file: name, importId: 'test', mapping, usdRates }),
  };
}

const pick = (rows: BillingTableRow[], keys: (keyof BillingTableRow)[]) =>
  rows.map((r) => Object.fromEntries(keys.map((k) => [k, r[k]])));

function tempFile(name: string, content: string | Uint8Array): string {
  const path = join(mkdtempSync(join(tmpdir(), 'aicost-billing-')), name);
  writeFileSync(path, content);
  return path;
}

async function formatError(path: string): Promise<BillingFormatError> {
  const error = await readBillingFile(path).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(BillingFormatError);
  return error as BillingFormatError;
}

describe('OpenAI', () => {
  it('reads both pages of a Costs API response: every line item, exact amounts, tier from the line item, the credit negative', async () => {
    const first = await load('openai-costs-page1.json');
    const second = await load('openai-costs-page2.json');
    expect(first.read.format).toBe('openai-costs');
    expect(
      pick(
        [...first.rows, ...second.rows],
        [
          'day',
          'project',
          'model',
          'service_tier',
          'usage_type',
          'charge_type',
          'cost',
          'cost_text',
          'currency',
          'source_line',
        ],
      ),
    ).toEqual([
      {
        day: '2026-12-01',
        project: 'proj_support',
        model: 'gpt-4o-mini',
        service_tier: '',
        usage_type: 'input',
        charge_type: 'usage',
        cost: '0.012345679',
        cost_text: '0.0123456789012',
        currency: 'USD',
        source_line: 9,
      },
      {
        day: '2026-12-01',
        project: 'proj_support',
        model: 'gpt-4o-mini',
        service_tier: '',
        usage_type: 'output',
        charge_type: 'usage',
        cost: '0.060000000',
        cost_text: '0.06',
        currency: 'USD',
        source_line: 17,
      },
      {
        day: '2026-12-01',
        project: 'proj_support',
        model: 'gpt-4.1',
        service_tier: 'flex',
        usage_type: 'input',
        charge_type: 'usage',
        cost: '1.250000000',
        cost_text: '1.25',
        currency: 'USD',
        source_line: 25,
      },
      // No model in "Image models": kept, model unknown.
      {
        day: '2026-12-01',
        project: 'proj_support',
        model: '',
        service_tier: '',
        usage_type: 'other',
        charge_type: 'usage',
        cost: '0.040000000',
        cost_text: '0.04',
        currency: 'USD',
        source_line: 33,
      },
      {
        day: '2026-12-02',
        project: 'proj_nightly',
        model: 'gpt-4o-mini',
        service_tier: 'batch',
        usage_type: 'input',
        charge_type: 'usage',
        cost: '0.500000000',
        cost_text: '0.5',
        currency: 'USD',
        source_line: 9,
      },
      {
        day: '2026-12-02',
        project: '',
        model: '',
        service_tier: '',
        usage_type: 'other',
        charge_type: 'credit',
        cost: '-2.500000000',
        cost_text: '-2.5',
        currency: 'USD',
        source_line: 17,
      },
    ]);
    expect(first.rows[0]?.quantity).toBe('82304.000000000');
    expect(first.rows[0]?.unit).toBe('tokens');
  });

  it('splits Usage API results into uncached input, cached input, output and requests, across saved pages, with batch and service tier', async () => {
    const { read, rows } = await load('openai-usage-completions.json');
    expect(read.format).toBe('openai-usage');
    const tokens = rows.filter((r) => r.unit === 'tokens' && r.quantity !== '0.000000000');
    expect(pick(tokens, ['day', 'model', 'service_tier', 'usage_type', 'quantity', 'cost'])).toEqual([
      {
        day: '2026-12-01',
        model: 'gpt-4o-mini',
        service_tier: 'standard',
        usage_type: 'input',
        quantity: '200.000000000',
        cost: null,
      },
      {
        day: '2026-12-01',
        model: 'gpt-4o-mini',
        service_tier: 'standard',
        usage_type: 'cached_input',
        quantity: '800.000000000',
        cost: null,
      },
      {
        day: '2026-12-01',
        model: 'gpt-4o-mini',
        service_tier: 'standard',
        usage_type: 'output',
        quantity: '500.000000000',
        cost: null,
      },
      {
        day: '2026-12-02',
        model: 'gpt-4.1',
        service_tier: 'flex',
        usage_type: 'input',
        quantity: '2000.000000000',
        cost: null,
      },
      {
        day: '2026-12-02',
        model: 'gpt-4.1',
        service_tier: 'flex',
        usage_type: 'output',
        quantity: '100.000000000',
        cost: null,
      },
      // A result without a model (not grouped by model) is kept, model unknown.
      {
        day: '2026-12-02',
        model: '',
        service_tier: 'batch',
        usage_type: 'input',
        quantity: '300.000000000',
        cost: null,
      },
      {
        day: '2026-12-02',
        model: '',
        service_tier: 'batch',
        usage_type: 'output',
        quantity: '30.000000000',
        cost: null,
      },
    ]);
    expect(rows.filter((r) => r.usage_type === 'requests').map((r) => r.quantity)).toEqual([
      '5.000000000',
      '2.000000000',
      '1.000000000',
    ]);
  });

  it('reads the dashboard CSV export: organization as account, the credit grant negative', async () => {
    const { read, rows } = await load('openai-costs.csv');
    expect(read.format).toBe('openai-costs-csv');
    expect(pick(rows, ['day', 'account', 'project', 'model', 'charge_type', 'cost', 'source_line'])).toEqual([
      {
        day: '2026-12-01',
        account: 'org_demo',
        project: 'proj_support',
        model: 'gpt-4o-mini',
        charge_type: 'usage',
        cost: '0.012345679',
        source_line: 2,
      },
      {
        day: '2026-12-01',
        account: 'org_demo',
        project: 'proj_support',
        model: 'gpt-4o-mini',
        charge_type: 'usage',
        cost: '0.060000000',
        source_line: 3,
      },
      {
        day: '2026-12-02',
        account: 'org_demo',
        project: 'proj_support',
        model: '',
        charge_type: 'usage',
        cost: '0.020000000',
        source_line: 4,
      },
      {
        day: '2026-12-02',
        account: 'org_demo',
        project: '',
        model: '',
        charge_type: 'credit',
        cost: '-1.000000000',
        source_line: 5,
      },
    ]);
  });
});

describe('Anthropic', () => {
  it('reads cost report amounts as cents (decimal strings), tier and token type, web search without a model', async () => {
    const { read, rows } = await load('anthropic-cost-report.json');
    expect(read.format).toBe('anthropic-cost');
    expect(pick(rows, ['project', 'model', 'service_tier', 'usage_type', 'cost', 'cost_text'])).toEqual([
      {
        project: 'wrkspc_support',
        model: 'claude-sonnet-4-6',
        service_tier: 'standard',
        usage_type: 'input',
        cost: '1.234500000',
        cost_text: '1.2345',
      },
      {
        project: 'wrkspc_support',
        model: 'claude-sonnet-4-6',
        service_tier: 'standard',
        usage_type: 'cached_input',
        cost: '0.000375000',
        cost_text: '0.000375',
      },
      {
        project: 'wrkspc_batch',
        model: 'claude-sonnet-4-6',
        service_tier: 'batch',
        usage_type: 'output',
        cost: '0.500000000',
        cost_text: '0.5',
      },
      {
        project: '',
        model: '',
        service_tier: '',
        usage_type: 'web_search',
        cost: '10.000000000',
        cost_text: '10',
      },
    ]);
  });

  it('reads the usage report: each token kind its own row, cache writes by TTL, web search requests', async () => {
    const { read, rows } = await load('anthropic-usage-report.json');
    expect(read.format).toBe('anthropic-usage');
    expect(pick(rows, ['usage_type', 'quantity', 'unit'])).toEqual([
      { usage_type: 'input', quantity: '1500.000000000', unit: 'tokens' },
      { usage_type: 'cached_input', quantity: '200.000000000', unit: 'tokens' },
      { usage_type: 'cache_write', quantity: '500.000000000', unit: 'tokens' },
      { usage_type: 'cache_write', quantity: '1000.000000000', unit: 'tokens' },
      { usage_type: 'output', quantity: '500.000000000', unit: 'tokens' },
      { usage_type: 'web_search', quantity: '10.000000000', unit: 'requests' },
    ]);
    // Two identical-looking cache-write rows of one result stay two rows (occurrence in the hash).
    expect(new Set(rows.map((r) => r.row_hash)).size).toBe(rows.length);
  });
});

describe('Google Cloud Billing export', () => {
  it('reads BigQuery newline-delimited JSON: AI services only, credits as negative rows, EUR kept in EUR', async () => {
    const { read, rows } = await load('gcp-billing-export.jsonl');
    expect(read.format).toBe('gcp-billing');
    expect(read.skipped).toBe(1); // Compute Engine
    expect(
      pick(rows, [
        'day',
        'account',
        'project',
        'model',
        'usage_type',
        'charge_type',
        'quantity',
        'cost',
        'currency',
        'cost_usd',
        'source_line',
      ]),
    ).toEqual([
      {
        day: '2026-12-01',
        account: '01ABCD-234567-89EFGH',
        project: 'support-prod',
        model: 'gemini-2.5-flash',
        usage_type: 'input',
        charge_type: 'usage',
        quantity: '1000000.000000000',
        cost: '0.300000000',
        currency: 'USD',
        cost_usd: '0.300000000',
        source_line: 1,
      },
      {
        day: '2026-12-01',
        account: '01ABCD-234567-89EFGH',
        project: 'support-prod',
        model: 'gemini-2.5-flash',
        usage_type: 'output',
        charge_type: 'usage',
        quantity: '1000000.000000000',
        cost: '2.500000001',
        currency: 'USD',
        cost_usd: '2.500000001',
        source_line: 2,
      },
      {
        day: '2026-12-01',
        account: '01ABCD-234567-89EFGH',
        project: 'support-prod',
        model: 'gemini-2.5-flash',
        usage_type: 'credit:free_tier',
        charge_type: 'credit',
        quantity: null,
        cost: '-0.250000000',
        currency: 'USD',
        cost_usd: '-0.250000000',
        source_line: 2,
      },
      {
        day: '2026-12-02',
        account: '01EURO-000000-000000',
        project: 'eu-batch',
        model: 'gemini-2.5-pro',
        usage_type: 'input',
        charge_type: 'usage',
        quantity: '880000.000000000',
        cost: '1.100000000',
        currency: 'EUR',
        cost_usd: null,
        source_line: 3,
      },
      {
        day: '2026-12-01',
        account: '01ABCD-234567-89EFGH',
        project: 'support-prod',
        model: '',
        usage_type: 'other',
        charge_type: 'usage',
        quantity: '1.000000000',
        cost: '0.004000000',
        currency: 'USD',
        cost_usd: '0.004000000',
        source_line: 4,
      },
    ]);
  });

  it('converts another currency only with a rate the user gave, exactly', async () => {
    const { rows } = await load('gcp-billing-export.jsonl', new Map([['EUR', '1.0834']]));
    const eur = rows.find((r) => r.currency === 'EUR');
    expect(eur).toMatchObject({ cost: '1.100000000', usd_rate: '1.0834', cost_usd: '1.191740000' });
  });

  it('reads the CSV form (flattened record columns, credits as JSON text) like the JSON one', async () => {
    const csv = await load('gcp-billing-export.csv');
    const json = await load('gcp-billing-export.jsonl');
    const keys: (keyof BillingTableRow)[] = [
      'day',
      'project',
      'model',
      'usage_type',
      'charge_type',
      'cost',
      'currency',
    ];
    expect(pick(csv.rows.slice(0, 3), keys)).toEqual(pick(json.rows.slice(0, 3), keys));
    expect(csv.read.skipped).toBe(1);
    expect(csv.rows[3]).toMatchObject({ charge_type: 'tax', cost: '0.120000000', model: '', source_line: 5 });
  });
});

describe('AWS CUR 2.0', () => {
  const expected = [
    {
      line: 2,
      model: 'regional.anthropic.claude-3-5-sonnet-20240620-v1:0',
      usage_type: 'input',
      charge_type: 'usage',
      cost: '3.703500000',
      quantity: '1234.500000000',
    },
    {
      line: 3,
      model: 'regional.anthropic.claude-3-5-sonnet-20240620-v1:0',
      usage_type: 'output',
      charge_type: 'usage',
      cost: '1.500000000',
      quantity: '100.000000000',
    },
    {
      line: 4,
      model: '',
      usage_type: 'input',
      charge_type: 'usage',
      cost: '0.001500000',
      quantity: '50.000000000',
    },
    // 13 decimals: rounded to the nano in `cost`, exact in `cost_text`.
    {
      line: 5,
      model: '',
      usage_type: 'input',
      charge_type: 'credit',
      cost: '-1.000000000',
      quantity: '0.000000000',
    },
    { line: 6, model: '', usage_type: 'other', charge_type: 'tax', cost: '0.420000000', quantity: null },
  ];

  it('reads Bedrock rows of the CSV: model from the resource ARN, batch tier, credit and tax kept, other services skipped', async () => {
    const { read, rows } = await load('aws-cur2-bedrock.csv');
    expect(read.format).toBe('aws-cur2');
    expect(read.skipped).toBe(1);
    expect(
      rows.map((r) => ({
        line: r.source_line,
        model: r.model,
        usage_type: r.usage_type,
        charge_type: r.charge_type,
        cost: r.cost,
        quantity: r.quantity,
      })),
    ).toEqual(expected);
    expect(rows[2]?.service_tier).toBe('batch');
    expect(rows[3]?.cost_text).toBe('-1.0000000000001');
    expect(new Set(rows.map((r) => `${r.account}/${r.project}`))).toEqual(
      new Set(['111122223333/444455556666']),
    );
  });

  it('reads the same report as Parquet (hyparquet): doubles through their shortest decimal text', async () => {
    const engine = openEngine('aicost-parquet-');
    try {
      const out = join(engine.dir, 'cur.parquet');
      engine.exec(
        `SELECT * FROM file('${fixture('aws-cur2-bedrock.csv')}', 'CSVWithNames') INTO OUTFILE '${out}' FORMAT Parquet
         SETTINGS output_format_parquet_compression_method = 'snappy'`,
      );
      const read = await readBillingFile(out);
      expect(read.format).toBe('aws-cur2');
      const rows = toTableRows(read.rows, {
        file: out,
        importId: 'p',
        mapping: EMPTY_MAPPING,
        usdRates: new Map(),
      });
      expect(read.skipped).toBe(1);
      // Parquet has no lines: source_line is the row number (the CSV line minus its header).
      expect(
        rows.map((r) => ({
          line: r.source_line,
          model: r.model,
          usage_type: r.usage_type,
          charge_type: r.charge_type,
          cost: r.cost,
        })),
      ).toEqual(expected.map(({ quantity: _q, ...e }) => ({ ...e, line: e.line - 1 })));
    } finally {
      await engine.close();
    }
  });
});

describe('Azure Cost Management export', () => {
  it('reads an MCA export: Azure OpenAI meters to models, thousands of tokens to tokens, the refund negative', async () => {
    const { read, rows } = await load('azure-cost-mca.csv');
    expect(read.format).toBe('azure-cost');
    expect(read.skipped).toBe(1);
    expect(
      pick(rows, ['project', 'model', 'usage_type', 'charge_type', 'quantity', 'cost', 'currency']),
    ).toEqual([
      {
        project: 'support-prod',
        model: 'gpt-4o-mini',
        usage_type: 'input',
        charge_type: 'usage',
        quantity: '1000000.000000000',
        cost: '0.165000000',
        currency: 'USD',
      },
      {
        project: 'support-prod',
        model: 'gpt-4o-mini',
        usage_type: 'output',
        charge_type: 'usage',
        quantity: '250500.000000000',
        cost: '0.165330000',
        currency: 'USD',
      },
      {
        project: 'support-prod',
        model: 'gpt-4o-mini',
        usage_type: 'input',
        charge_type: 'refund',
        quantity: '-10000.000000000',
        cost: '-0.001650000',
        currency: 'USD',
      },
    ]);
  });

  it('reads an EA export (PascalCase, MM/DD/YYYY, EUR): EUR kept, no USD without a rate', async () => {
    const { rows } = await load('azure-cost-ea.csv');
    expect(pick(rows, ['day', 'account', 'project', 'model', 'cost', 'currency', 'cost_usd'])).toEqual([
      {
        day: '2026-12-02',
        account: 'ea-001',
        project: 'eu-prod',
        model: 'gpt-4o',
        cost: '0.924000000',
        currency: 'EUR',
        cost_usd: null,
      },
    ]);
  });
});

describe('mapping, idempotence keys and errors', () => {
  it('maps projects to services and environments, a provider-qualified key first', async () => {
    const mapping = parseProjectMapping(
      'projects:\n  proj_support: { service: support-app, environment: prod }\n  openai/proj_nightly: { service: nightly-digest }\n',
      'mapping.yaml',
    );
    const rows = [
      ...(await load('openai-costs-page1.json', new Map(), mapping)).rows,
      ...(await load('openai-costs-page2.json', new Map(), mapping)).rows,
    ];
    expect(rows.map((r) => [r.project, r.service, r.environment])).toEqual([
      ['proj_support', 'support-app', 'prod'],
      ['proj_support', 'support-app', 'prod'],
      ['proj_support', 'support-app', 'prod'],
      ['proj_support', 'support-app', 'prod'],
      ['proj_nightly', 'nightly-digest', ''],
      ['', '', ''],
    ]);
    expect(() => parseProjectMapping('projects:\n  p1: { environment: prod }\n', 'm.yaml')).toThrow(
      'm.yaml: projects.p1: expected { service: <name>, environment?: <name> }',
    );
  });

  it('gives the same row hashes to the same file read twice, and different ones to different rows', async () => {
    const a = await load('openai-costs-page1.json');
    const b = await load('openai-costs-page1.json');
    expect(b.rows.map((r) => r.row_hash)).toEqual(a.rows.map((r) => r.row_hash));
    expect(new Set(a.rows.map((r) => r.row_hash)).size).toBe(a.rows.length);
  });

  it('names the file, line and field of a bad amount in a JSON page', async () => {
    const text = readFileSync(fixture('openai-costs-page1.json'), 'utf8').replace(
      '"value": 0.06',
      '"value": "six cents"',
    );
    const path = tempFile('costs.json', text);
    const error = await formatError(path);
    expect(error.message).toBe(
      `${path}:19: field "data[0].results[1].amount.value": not a number: "six cents"`,
    );
    expect([error.line, error.field]).toEqual([19, 'data[0].results[1].amount.value']);
  });

  it('names the line of a JSON syntax error', async () => {
    const path = tempFile('broken.json', '{\n  "object": "page",\n  "data": [\n    {,\n  ]\n}\n');
    const error = await formatError(path);
    expect(error.line).toBe(4);
    expect(error.message).toContain(`${path}:4: not valid JSON`);
  });

  it('names the line and column of a bad CSV cell and of a missing currency', async () => {
    const text = readFileSync(fixture('aws-cur2-bedrock.csv'), 'utf8').replace(',3.7035,USD,', ',3,70,USD,');
    const quoted = tempFile('cur.csv', text.replace(',3,70,USD,', ',"3,70",USD,'));
    expect((await formatError(quoted)).message).toBe(
      `${quoted}:2: field "line_item_unblended_cost": not a number: "3,70"`,
    );
    const noCurrency = tempFile(
      'openai.csv',
      readFileSync(fixture('openai-costs.csv'), 'utf8').replace('0.06,usd,', '0.06,,'),
    );
    expect((await formatError(noCurrency)).message).toBe(`${noCurrency}:3: field "amount_currency": missing`);
  });

  it('refuses a file it does not recognise, saying which formats it reads', async () => {
    const path = tempFile('other.csv', 'a,b\n1,2\n');
    expect((await formatError(path)).message).toMatch(
      /not a billing format aicost reads \(openai-costs, .*azure-cost\)/,
    );
  });
});
