/**
 * `node -r @aicost/node/register app.js`
 *
 * CommonJS needs no loader hook: instrumentations patch `require` itself.
 */
import { register } from './sdk.js';

register();
