// A CommonJS application: the SDK loaded with `require`.
const {
  BedrockRuntimeClient,
  ConverseCommand,
  ConverseStreamCommand,
} = require('@aws-sdk/client-bedrock-runtime');
const { NodeHttpHandler } = require('@smithy/node-http-handler');

async function main() {
  const client = new BedrockRuntimeClient({
    endpoint: process.env.MOCK_URL,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    requestHandler: new NodeHttpHandler(),
  });
  const request = {
    modelId: 'anthropic.claude-3-haiku-20240307-v1:0',
    messages: [{ role: 'user', content: [{ text: 'Hello there' }] }],
  };
  await client.send(new ConverseCommand(request));
  const { stream } = await client.send(new ConverseStreamCommand(request));
  for await (const _ of stream) {
    // drain
  }
  globalThis.printSpans();
}

main();
