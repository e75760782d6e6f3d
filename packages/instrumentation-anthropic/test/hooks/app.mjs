// An ESM application, started with `node --import @aicost/node/register app.mjs`:
// one plain and one streamed Messages call, with the SDK's own tracing left on.
import Anthropic from '@anthropic-ai/sdk';

const client = new Anthropic({ apiKey: 'test-key', baseURL: process.env.MOCK_URL });
await client.messages.create({ model: 'claude-haiku-4-5-20251001', max_tokens: 8, messages: [] });
const stream = await client.messages.create({
  model: 'claude-haiku-4-5-20251001',
  max_tokens: 8,
  messages: [],
  stream: true,
});
for await (const _event of stream);
