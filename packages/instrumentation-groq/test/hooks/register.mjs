// Loaded with `node --import`, as an application does: the ESM loader hook,
// a tracer provider keeping spans in memory, and the instrumentation (built
// package). No vitest in the process.
// The shared part: test/support/hooks-register.mjs.
import { registerWithSpansInMemory } from '../../../../test/support/hooks-register.mjs';
import { GroqInstrumentation } from '../../dist/index.js';

registerWithSpansInMemory(import.meta.url, () => new GroqInstrumentation());
