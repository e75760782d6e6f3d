const { OpenAI } = require('openai');

const client = new OpenAI({ apiKey: 'sk-test', baseURL: process.env.MOCK_URL });
client.chat.completions
  .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] })
  .then((completion) => {
    if (!completion.id) throw new Error('no completion');
    globalThis.printSpans();
  });
