import OpenAI from 'openai';

const client = new OpenAI({ apiKey: 'sk-test', baseURL: process.env.MOCK_URL });
const completion = await client.chat.completions.create({
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content: 'Hi' }],
});
if (!completion.id) throw new Error('no completion');
globalThis.printSpans();
