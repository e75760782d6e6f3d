import { register as registerModuleHooks } from 'node:module';
import { sep } from 'node:path';
import { diag } from '@opentelemetry/api';
import type { Instrumentation, InstrumentationModuleDefinition } from '@opentelemetry/instrumentation';
import { createAddHookMessageChannel } from 'import-in-the-middle';
import { describeError, warnOnce } from './log.js';

/**
 * The import-in-the-middle loader hook with an include list: only the modules
 * instrumentations hook are wrapped, every other import stays untouched.
 *
 * The names instrumentations hand to the loader (over the hook's message
 * channel) are their modules' names, which match `import 'openai'`. A file
 * inside a package (`InstrumentationNodeModuleFile`, e.g. the
 * `@anthropic-ai/sdk/resources/messages/messages.mjs` that defines `Messages`)
 * is imported by a relative specifier from the package's own code, which no
 * name matches: the loader would never wrap it and the instrumentation would
 * never see it. Those files are added to the include list as URL patterns,
 * which the channel cannot carry (it takes strings), so the hook is registered
 * once the instrumentations are known, with the patterns in its initial list.
 */
export interface EsmModuleHooks {
  /**
   * Registers the loader hook, including the files `instrumentations` patch.
   * Call it before the instrumentations are enabled; later calls do nothing.
   */
  register(instrumentations: readonly Instrumentation[]): void;
  /** Resolves once the loader knows every module the instrumentations asked for. */
  waitForHooks(): Promise<void>;
}

/** What the loader's `initialize` receives: the include list, the message port... */
interface LoaderData {
  include?: Array<string | RegExp>;
  [option: string]: unknown;
}

/**
 * The loader hook for this Node: in-thread synchronous hooks
 * (`module.registerHooks`) where import-in-the-middle supports them (Node
 * >= 22.22.3, >= 24.11.1): no loader thread to start (a second V8 isolate, tens
 * of megabytes and most of the start-up time of `--import`), no message channel
 * to wait for. Elsewhere the loader-thread hook, included modules sent over
 * its message channel. `undefined` (with one warning) when neither can be set up.
 */
export async function createEsmModuleHooks(parentURL: string): Promise<EsmModuleHooks | undefined> {
  let syncHooks: SyncHooksModule | undefined;
  try {
    const { supportsSyncHooks } = (await import(SYNC_HOOKS_CHECK)) as { supportsSyncHooks(): boolean };
    // The loader itself (a JavaScript parser comes with it) is loaded only when it will be used.
    if (supportsSyncHooks()) syncHooks = (await import(SYNC_HOOKS)) as SyncHooksModule;
  } catch (error) {
    diag.debug(`aicost: synchronous loader hooks unavailable: ${describeError(error)}`);
  }
  return syncHooks ? createSyncModuleHooks(syncHooks) : createAsyncModuleHooks(parentURL);
}

// Subpaths of import-in-the-middle 3.x without type declarations of their own in the `exports` map.
const SYNC_HOOKS_CHECK = 'import-in-the-middle/supports-sync-hooks.mjs';
const SYNC_HOOKS = 'import-in-the-middle/register-hooks.mjs';
interface SyncHooksModule {
  register(options: { include: Array<string | RegExp> }): void;
}

function createSyncModuleHooks(syncHooks: SyncHooksModule): EsmModuleHooks {
  let registered = false;
  return {
    register(instrumentations) {
      if (registered) return;
      registered = true;
      try {
        syncHooks.register({
          include: [...moduleNames(instrumentations), ...moduleFilePatterns(instrumentations)],
        });
      } catch (error) {
        warnNotRegistered(error);
      }
    },
    waitForHooks: () => Promise.resolve(),
  };
}

function moduleNames(instrumentations: readonly Instrumentation[]): string[] {
  return [
    ...new Set(
      instrumentations.flatMap((instrumentation) =>
        moduleDefinitions(instrumentation).map((definition) => definition.name),
      ),
    ),
  ];
}

/** The loader thread's message channel; `undefined` (with one warning) when it cannot be set up. */
function createAsyncModuleHooks(parentURL: string): EsmModuleHooks | undefined {
  let channel: ReturnType<typeof createAddHookMessageChannel<LoaderData>>;
  try {
    channel = createAddHookMessageChannel<LoaderData>();
  } catch (error) {
    warnNotRegistered(error);
    return undefined;
  }
  let registered = false;
  let failed = false;
  return {
    register(instrumentations) {
      if (registered) return;
      registered = true;
      try {
        const { registerOptions } = channel;
        const include = [...(registerOptions.data?.include ?? []), ...moduleFilePatterns(instrumentations)];
        registerModuleHooks('import-in-the-middle/hook.mjs', parentURL, {
          ...registerOptions,
          data: { ...registerOptions.data, include },
        });
      } catch (error) {
        failed = true;
        warnNotRegistered(error);
      }
    },
    // Without a loader nobody acknowledges the modules: waiting would never end.
    waitForHooks: () => (failed ? Promise.resolve() : channel.waitForAllMessagesAcknowledged()),
  };
}

function warnNotRegistered(error: unknown): void {
  warnOnce(
    'esm-hook',
    `ESM loader hook not registered, ESM imports will not be instrumented: ${describeError(error)}`,
  );
}

/**
 * URL patterns of the package files (not main modules) that `instrumentations`
 * hook: `@scope/pkg/dir/file.mjs` matches `.../node_modules/@scope/pkg/dir/file.mjs`
 * wherever the package is installed (nested, or pnpm's `.pnpm/...` store).
 */
export function moduleFilePatterns(instrumentations: readonly Instrumentation[]): RegExp[] {
  const files = new Set<string>();
  for (const instrumentation of instrumentations) {
    for (const definition of moduleDefinitions(instrumentation)) {
      for (const file of definition.files ?? []) files.add(file.name.split(sep).join('/'));
    }
  }
  return [...files].map((file) => new RegExp(`/node_modules/${escapeRegExp(file)}$`));
}

function moduleDefinitions(instrumentation: Instrumentation): InstrumentationModuleDefinition[] {
  const withDefinitions = instrumentation as Partial<{
    getModuleDefinitions(): InstrumentationModuleDefinition[];
  }>;
  try {
    return withDefinitions.getModuleDefinitions?.() ?? [];
  } catch (error) {
    warnOnce(
      `module-files-${instrumentation.instrumentationName}`,
      `the files ${instrumentation.instrumentationName} hooks are unknown, its ESM imports may not be instrumented: ${describeError(error)}`,
    );
    return [];
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
