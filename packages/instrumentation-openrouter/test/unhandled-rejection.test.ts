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
  packageName: 'instrumentation-openrouter',
  respond: (server) =>
    server.on(
      'POST',
      '/api/v1/chat/completions',
      httpError(400, { error: { code: 400, message: 'bad request' } }),
    ),
  reason: 'BadRequestResponseError',
  cases: promiseCases(),
  // Two processes that each load the SDK's ~1,000 ES modules (~10 s apiece on a loaded machine).
  timeoutMs: 90_000,
});
