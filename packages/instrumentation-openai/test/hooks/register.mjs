// Loaded with `node --import`: what an application does to get the
// instrumentation through module hooks (require and import), without vitest.
// The shared part: test/support/hooks-register.mjs.
import { registerWithSpansInMemory } from '../../../../test/support/hooks-register.mjs';
import { OpenAIInstrumentation } from '../../dist/index.js';

registerWithSpansInMemory(import.meta.url, () => new OpenAIInstrumentation());
