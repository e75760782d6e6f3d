// An ESM application importing cohere-ai (a CommonJS package).
import { CohereClientV2 } from 'cohere-ai';

const client = new CohereClientV2({ token: 'test-key', environment: process.env.MOCK_URL });
await client.chat({
  model: 'command-a-03-2025',
  messages: [{ role: 'user', content: 'Tell me about LLMs' }],
});
globalThis.printSpans();
