/**
 * `node -r @aicost/node/register app.js`
 *
 * CommonJS needs no loader hook: instrumentations patch `require` itself. `register()` comes
 * from the package's CommonJS main file (left outside this entry's bundle, see tsup.config.ts),
 * so an application that also requires `@aicost/node` loads the bundled SDK once.
 */
const { register } = require('./index.cjs') as typeof import('./sdk.js');

register();

export {};
