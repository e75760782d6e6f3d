// A CommonJS application: both Google SDKs loaded with `require`.
const { GoogleGenAI } = require('@google/genai');
const { GoogleGenerativeAI } = require('@google/generative-ai');

async function main() {
  const baseUrl = process.env.MOCK_URL;
  const ai = new GoogleGenAI({ apiKey: 'test-key', httpOptions: { baseUrl } });
  await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'Why is the sky blue?' });
  const legacy = new GoogleGenerativeAI('test-key').getGenerativeModel(
    { model: 'gemini-2.5-flash' },
    { baseUrl },
  );
  await legacy.generateContent('Why is the sky blue?');
  globalThis.printSpans();
}
main();
