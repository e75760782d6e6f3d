/**
 * A failed request is an unhandled rejection exactly when it is one without the
 * instrumentation (fire-and-forget), and never otherwise: test/support/unhandled-rejections.ts.
 */
import { httpError } from '../../../test/support/mock-server.js';
import {
  describeUnhandledRejectionParity,
  promiseCases,
} from '../../../test/support/unhandled-rejections.js';

describeUnhandledRejectionParity({
  packageName: 'instrumentation-ollama',
  respond: (server) => server.on('POST', '/api/chat', httpError(400, { error: 'bad request' })),
  reason: 'ResponseError',
  cases: promiseCases(),
});
