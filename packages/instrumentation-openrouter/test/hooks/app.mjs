// An ESM application importing @openrouter/sdk (an ES module package): a plain call and a stream.
import { OpenRouter } from '@openrouter/sdk';

const client = new OpenRouter({ apiKey: 'test-key', serverURL: `${process.env.MOCK_URL}/api/v1` });
const chatRequest = { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'Hello!' }] };
await client.chat.send({ chatRequest });
for await (const _ of await client.chat.send({ chatRequest: { ...chatRequest, stream: true } })) {
  // drain
}
globalThis.printSpans();
