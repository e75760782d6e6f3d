/**
 * `node --import @aicost/node/register app.mjs`
 *
 * Registers the import-in-the-middle loader hook so ECMAScript-module imports of
 * provider SDKs (`import OpenAI from 'openai'`) can be patched, then sets up
 * aicost. The hook intercepts only the modules instrumentations ask for (the
 * message channel carries their names to the loader thread) and the package
 * files they patch (see `module-hooks.ts`), which keeps every other import
 * untouched and fast.
 */
import { aicostEnabledFromEnv, disabledInstrumentationsFromEnv } from './config.js';
import { wantedInstrumentationPackages } from './instrumentations.js';
import { importAhead } from './load.js';
import { createEsmModuleHooks } from './module-hooks.js';
import { registerWith, sdkPackagesNeeded } from './sdk.js';

const enabled = aicostEnabledFromEnv();
const wantedInstrumentations = enabled
  ? wantedInstrumentationPackages(disabledInstrumentationsFromEnv())
  : [];
// No provider SDK the application can load: no loader hook, which would wrap nothing, and no
// JavaScript parser loaded for it.
const moduleHooks =
  wantedInstrumentations.length > 0 ? await createEsmModuleHooks(import.meta.url) : undefined;

// ES module copies of the instrumentations wanted and of @opentelemetry/instrumentation: one copy
// of each in an ESM application (no CommonJS second copy of them, of @opentelemetry/api or of
// @aicost/core).
const loadPackage = enabled
  ? await importAhead([...sdkPackagesNeeded(), ...wantedInstrumentations])
  : undefined;
// The hook is registered once the instrumentations exist, before they are enabled.
registerWith({}, loadPackage, (instrumentations) => moduleHooks?.register(instrumentations));
moduleHooks?.register([]); // already set up by an earlier register(): the hook still goes in, including nothing more

// The application's imports must not be evaluated before the loader knows which modules to patch.
if (moduleHooks) await moduleHooks.waitForHooks();
