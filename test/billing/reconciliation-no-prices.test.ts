/**
 * The reconciliation of a store where no price rows or tier rules were loaded (the spans keep
 * the cost @aicost/core gave them): a flex day traced at the flex rate must not show the flex
 * bill as unexplained. Its own file: the engine allows one data directory per process.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { insertStatements, toTableRows } from '../../packages/cli/src/billing/load.js';
import { EMPTY_MAPPING } from '../../packages/cli/src/billing/mapping.js';
import { readBillingFile } from '../../packages/cli/src/billing/read.js';
import { queryReconciliation } from '../../packages/cli/src/reconcile/query.js';
import type { SqlBackend } from '../../packages/cli/src/store/backend.js';
import { aicostCostAttributes, callSpan } from '../schema/fixtures.js';
import { insertSpans, openMigratedEngine } from '../support/chdb.js';

describe('a flex day in a store without price rows', () => {
  it('leaves nothing unexplained when the spans were costed at the flex rate by the SDK', async () => {
    // No prices and no tier rules loaded: the spans keep the cost @aicost/core gave them.
    const bare = await openMigratedEngine();
    const page = {
      object: 'page',
      data: [
        {
          object: 'bucket',
          start_time: 1796256000, // 2026-12-03
          end_time: 1796342400,
          results: [
            {
              object: 'organization.costs.result',
              amount: { value: 0.0105, currency: 'usd' },
              line_item: 'gpt-4.1-2025-04-14, input, flex',
              project_id: 'proj_support',
              quantity: 11000,
            },
          ],
        },
      ],
      has_more: false,
      next_page: null,
    };
    try {
      await insertSpans(bare, [
        callSpan({
          provider: 'openai',
          requestModel: 'gpt-4.1',
          responseModel: 'gpt-4.1',
          service: 'support-app',
          start: '2026-12-03 09:00:00',
          usage: { input: 10000, output: 1000 },
          attributes: {
            ...aicostCostAttributes({
              total: '0.010500000',
              providerId: 'openai',
              modelId: 'gpt-4.1',
              version: 'genai-prices@0.1.8+service-tiers@2026-12-07',
            }),
            'aicost.service_tier': 'flex',
          },
        }),
      ]);
      writeFileSync(join(bare.dir, 'flex.json'), `${JSON.stringify(page)}\n`);
      const read = await readBillingFile(join(bare.dir, 'flex.json'));
      for (const statement of insertStatements(
        toTableRows(read.rows, {
          file: 'flex.json',
          importId: 'flex',
          mapping: EMPTY_MAPPING,
          usdRates: new Map(),
        }),
      ))
        bare.exec(statement);
      const bareBackend: SqlBackend = {
        description: 'bare engine',
        async run(sql, format = 'TabSeparated', params) {
          return params ? bare.session.queryBind(sql, params, format) : bare.session.query(sql, format);
        },
        async close() {},
      };
      const { rows, totals } = await queryReconciliation(bareBackend, {
        fromDay: '2026-12-03',
        toDay: '2026-12-03',
        providers: [],
      });
      // Before: "flex is traced at standard prices" made up -$0.0105 of tier explanation, left
      // +$0.0105 unexplained.
      expect(rows.find((r) => r.model === 'gpt-4.1')).toMatchObject({
        billedUsd: 10_500_000n,
        tracedUsd: 10_500_000n,
        ghostUsd: 0n,
        explainedTierUsd: 0n,
        unexplainedUsd: 0n,
      });
      expect(totals.unexplainedUsd).toBe(0n);
    } finally {
      await bare.close();
    }
  }, 120_000);
});
