export {
  type Authorization,
  type Authorize,
  type BoundAddress,
  browserRequestRefusal,
  browserRequestsFrom,
  closeAfterAnswer,
  isLoopbackHost,
} from './server/access.js';
export { bindDashboardSql, queryParameters, type Selection, type TimeRange } from './server/bind.js';
export { loginCode } from './server/login.js';
export { createUiServer, TOKEN_PARAM, type UiEngine, type UiServerOptions } from './server/server.js';

/** The UI's default port (next to OTLP's 4318; see the README). */
export const DEFAULT_UI_PORT = 4319;
