/**
 * A failed request is an unhandled rejection exactly when it is one without the
 * instrumentation (fire-and-forget), and never otherwise: test/support/unhandled-rejections.ts.
 */
import { httpError } from '../../../test/support/mock-server.js';
import { describeUnhandledRejectionParity } from '../../../test/support/unhandled-rejections.js';

describeUnhandledRejectionParity({
  packageName: 'instrumentation-groq',
  respond: (server) => server.on('POST', '/openai/v1/chat/completions', httpError(400, undefined)),
  reason: 'BadRequestError',
  cases: [
    ['a request nobody asks the result of', 'forget', 1, 0],
    ['a stream request nobody asks the result of', 'stream', 1, 0],
    ['an awaited request', 'await', 0, 0],
    ['then(ok, err)', 'then', 0, 0],
    ['asResponse()', 'raw', 0, 0],
    ['withResponse()', 'with', 0, 0],
    ['a result asked for after the rejection was reported', 'late', 1, 1],
  ],
});
