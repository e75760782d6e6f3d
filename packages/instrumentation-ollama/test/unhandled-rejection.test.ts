/**
 * A failed request is an unhandled rejection exactly when it is one without the
 * instrumentation (fire-and-forget), and never otherwise: test/support/unhandled-rejections.ts.
 */
import { httpError } from '../../../test/support/mock-server.js';
import { describeUnhandledRejectionParity } from '../../../test/support/unhandled-rejections.js';

describeUnhandledRejectionParity({
  packageName: 'instrumentation-ollama',
  respond: (server) => server.on('POST', '/api/chat', httpError(400, { error: 'bad request' })),
  reason: 'ResponseError',
  cases: [
    ['a request nobody asks the result of', 'forget', 1, 0],
    ['a stream request nobody asks the result of', 'stream', 1, 0],
    ['an awaited request', 'await', 0, 0],
    ['then(ok, err)', 'then', 0, 0],
    ['a result asked for after the rejection was reported', 'late', 1, 1],
  ],
});
