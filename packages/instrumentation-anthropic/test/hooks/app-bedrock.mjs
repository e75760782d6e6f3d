// An ESM application of the Bedrock client, which loads the Messages resources of
// @anthropic-ai/sdk without its main module.
import { AnthropicBedrock } from '@anthropic-ai/bedrock-sdk';

const client = new AnthropicBedrock({
  awsRegion: 'us-east-1',
  skipAuth: true,
  baseURL: process.env.MOCK_URL,
});
await client.messages.create({
  model: 'global.anthropic.claude-haiku-4-5-20251001-v1:0',
  max_tokens: 8,
  messages: [],
});
