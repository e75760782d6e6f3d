/**
 * `instrument()`, the entry for applications the module hooks cannot reach:
 * the contract every aicost instrumentation keeps (test/support/instrument-contract.ts),
 * and spans from a real esbuild bundle run without hooks (test/support/bundled-app.ts).
 */

import * as bedrockRuntime from '@aws-sdk/client-bedrock-runtime';
import { expect } from 'vitest';
import { describeBundledApp } from '../../../test/support/bundled-app.js';
import { describeInstrumentContract } from '../../../test/support/instrument-contract.js';
import { BedrockInstrumentation, instrument } from '../src/index.js';
import { awsJson, fixture, ROUTES } from './setup.js';

describeInstrumentContract({
  packageName: '@aicost/instrumentation-bedrock',
  instrument,
  Instrumentation: BedrockInstrumentation,
  sdkModule: bedrockRuntime,
  patchedMethod: () => bedrockRuntime.BedrockRuntimeClient.prototype.send,
  lookalikes: [{ BedrockRuntimeClient: {} }, { BedrockRuntimeClient: class {} }],
});

describeBundledApp({
  app: new URL('./bundled/app.ts', import.meta.url),
  respond: (server) => server.on('POST', ROUTES.converse, awsJson(fixture('converse-basic'))),
  stdout: 'response ',
  sdkPath: '@aws-sdk/client-bedrock-runtime/',
  span: {
    scope: '@aicost/instrumentation-bedrock',
    attributes: {
      'aicost.cost.status': 'priced',
      'aicost.feature': 'bundled-app',
      'gen_ai.usage.input_tokens': 30,
      'gen_ai.usage.output_tokens': 628,
    },
  },
  alsoCheck: (span) => expect(span.attributes['aicost.cost.total']).toMatch(/^0\.\d{9}$/),
});
