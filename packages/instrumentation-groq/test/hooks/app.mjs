// An ESM application importing groq-sdk (its ESM build).
import Groq from 'groq-sdk';

const client = new Groq({ apiKey: 'test-key', baseURL: process.env.MOCK_URL });
await client.chat.completions.create({
  model: 'llama-3.3-70b-versatile',
  messages: [{ role: 'user', content: 'Explain the importance of fast language models' }],
});
globalThis.printSpans();
