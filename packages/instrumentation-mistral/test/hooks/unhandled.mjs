// The unhandled-rejection probe (test/support/rejection-probe.mjs) for
// @mistralai/mistralai: chat.complete() (chat.stream() in mode `stream`)
// against a failing server.
import * as sdk from '@mistralai/mistralai';
import { probeUnhandledRejections } from '../../../../test/support/rejection-probe.mjs';

await probeUnhandledRejections({
  instrument: async () => (await import('../../dist/index.js')).instrument(sdk),
  request(mode, fetch) {
    const client = new sdk.Mistral({
      apiKey: 'test-key',
      serverURL: process.env.MOCK_URL,
      httpClient: new sdk.HTTPClient({ fetcher: fetch }),
    });
    const request = { model: 'mistral-small-latest', messages: [{ role: 'user', content: 'Hi' }] };
    return mode === 'stream' ? client.chat.stream(request) : client.chat.complete(request);
  },
});
