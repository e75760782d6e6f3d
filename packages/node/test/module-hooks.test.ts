import { AnthropicInstrumentation } from '@aicost/instrumentation-anthropic';
import { OpenAIInstrumentation } from '@aicost/instrumentation-openai';
import { describe, expect, it } from 'vitest';
import { moduleFilePatterns } from '../src/module-hooks.js';

const MESSAGES_MJS = '@anthropic-ai/sdk/resources/messages/messages.mjs';

describe('moduleFilePatterns', () => {
  const patterns = moduleFilePatterns([
    new AnthropicInstrumentation({ enabled: false }),
    new OpenAIInstrumentation({ enabled: false }),
  ]);
  const included = (url: string) => patterns.some((pattern) => pattern.test(url));

  it('includes the package files an instrumentation hooks, wherever the package is installed', () => {
    expect(included(`file:///app/node_modules/${MESSAGES_MJS}`)).toBe(true);
    expect(
      included(`file:///app/node_modules/.pnpm/@anthropic-ai+sdk@1.14.0/node_modules/${MESSAGES_MJS}`),
    ).toBe(true);
    // Nested under the Bedrock client, which loads the Messages resources without the main module.
    expect(included(`file:///app/node_modules/@anthropic-ai/bedrock-sdk/node_modules/${MESSAGES_MJS}`)).toBe(
      true,
    );
    expect(included('file:///app/node_modules/@anthropic-ai/sdk/resources/beta/messages/messages.mjs')).toBe(
      true,
    );
  });

  it('includes nothing else: other files of the package, look-alike names, main modules', () => {
    expect(included('file:///app/node_modules/@anthropic-ai/sdk/index.mjs')).toBe(false);
    expect(included('file:///app/node_modules/@anthropic-ai/sdk/resources/messages/batches.mjs')).toBe(false);
    expect(included(`file:///app/node_modules/${MESSAGES_MJS}.map`)).toBe(false);
    expect(included(`file:///app/node_modules/x${MESSAGES_MJS}`)).toBe(false);
    expect(included('file:///app/src/resources/messages/messages.mjs')).toBe(false);
    // The OpenAI instrumentation hooks its main module only: the message channel names it.
    expect(patterns.every((pattern) => !pattern.source.includes('openai'))).toBe(true);
  });
});
