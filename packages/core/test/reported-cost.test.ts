/**
 * A cost a provider states in its response body is read where the provider registry says it is
 * (`reportedCost: { in: 'body', field }`), for the instrumentations that meet such responses.
 */
import { describe, expect, it } from 'vitest';
import {
  PROVIDER_REGISTRY,
  type ProviderRecord,
  providerByName,
  reportedCostFromBody,
} from '../src/index.js';

describe('reportedCostFromBody', () => {
  const openRouter = providerByName('openrouter');

  it("reads OpenRouter's usage.cost exactly, naming the field as its source", () => {
    expect(reportedCostFromBody({ usage: { prompt_tokens: 19, cost: 0.0000088512345 } }, openRouter)).toEqual(
      {
        amount: '0.0000088512345',
        source: 'body.usage.cost',
      },
    );
    expect(reportedCostFromBody({ usage: { cost: 6e-7 } }, openRouter)).toEqual({
      amount: '0.0000006',
      source: 'body.usage.cost',
    });
  });

  it('reads nothing for a provider that states no cost in the body (none, or in a header)', () => {
    const body = { usage: { cost: 0.25 } };
    const withoutBodyCost = PROVIDER_REGISTRY.filter(
      (record: ProviderRecord) => record.reportedCost?.in !== 'body',
    );
    expect(withoutBodyCost.map((record) => record.genaiName)).toEqual(
      expect.arrayContaining(['openai', 'litellm']),
    );
    for (const record of withoutBodyCost) expect(reportedCostFromBody(body, record)).toBeUndefined();
    expect(reportedCostFromBody(body, undefined)).toBeUndefined();
  });

  it('ignores a body or field that holds no sane amount', () => {
    for (const body of [
      undefined,
      null,
      'usage',
      {},
      { usage: null },
      { usage: 'x' },
      { cost: 0.25 },
      { usage: { cost: '0.1' } },
      { usage: { cost: -1 } },
      { usage: { cost: Number.NaN } },
      { usage: { cost: 1e9 } },
    ]) {
      expect(reportedCostFromBody(body, openRouter), JSON.stringify(body)).toBeUndefined();
    }
  });
});
