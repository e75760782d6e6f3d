/**
 * `node --import @aicost/node/register app.mjs`
 *
 * Registers the import-in-the-middle loader hook so ECMAScript-module imports of
 * provider SDKs (`import OpenAI from 'openai'`) can be patched, then sets up
 * aicost. The hook starts with an empty include list and intercepts only the
 * modules instrumentations ask for (the message channel carries their names to
 * the loader thread), which keeps every other import untouched and fast.
 */
import { register as registerModuleHooks } from 'node:module';
import { createAddHookMessageChannel } from 'import-in-the-middle';
import { aicostEnabledFromEnv, disabledInstrumentationsFromEnv } from './config.js';
import { importAicostInstrumentations } from './instrumentations.js';
import { describeError, warnOnce } from './log.js';
import { registerWith } from './sdk.js';

let waitForHooks: (() => Promise<void>) | undefined;
try {
  const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
  registerModuleHooks('import-in-the-middle/hook.mjs', import.meta.url, registerOptions);
  waitForHooks = waitForAllMessagesAcknowledged;
} catch (error) {
  warnOnce(
    'esm-hook',
    `ESM loader hook not registered, ESM imports will not be instrumented: ${describeError(error)}`,
  );
}

// ES module copies of the instrumentations: no second (CommonJS) copy of them and of @aicost/core.
const loadPackage = aicostEnabledFromEnv()
  ? await importAicostInstrumentations(disabledInstrumentationsFromEnv())
  : undefined;
registerWith({}, loadPackage);

// The application's imports must not be evaluated before the loader knows which modules to patch.
if (waitForHooks) await waitForHooks();
