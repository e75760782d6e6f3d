// The unhandled-rejection probe (test/support/rejection-probe.mjs) for
// @openrouter/sdk: chat.send() against a failing server, no retries.
import * as sdk from '@openrouter/sdk';
import { probeUnhandledRejections } from '../../../../test/support/rejection-probe.mjs';

await probeUnhandledRejections({
  instrument: async () => (await import('../../dist/index.js')).instrument(sdk),
  request(mode, fetch) {
    const client = new sdk.OpenRouter({
      apiKey: 'test-key',
      serverURL: `${process.env.MOCK_URL}/api/v1`,
      httpClient: new sdk.HTTPClient({ fetcher: fetch }),
    });
    const chatRequest = {
      model: 'openai/gpt-4o-mini',
      messages: [{ role: 'user', content: 'Hi' }],
      stream: mode === 'stream',
    };
    return client.chat.send({ chatRequest }, { retries: { strategy: 'none' } });
  },
});
