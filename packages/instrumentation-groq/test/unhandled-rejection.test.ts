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
  packageName: 'instrumentation-groq',
  respond: (server) => server.on('POST', '/openai/v1/chat/completions', httpError(400, undefined)),
  reason: 'BadRequestError',
  cases: promiseCases(['asResponse()', 'raw', 0, 0], ['withResponse()', 'with', 0, 0]),
});
