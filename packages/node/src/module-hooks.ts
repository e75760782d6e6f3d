import { register as registerModuleHooks } from 'node:module';
import { sep } from 'node:path';
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

/** The message channel to the loader; `undefined` (with one warning) when it cannot be set up. */
export function createEsmModuleHooks(parentURL: string): EsmModuleHooks | undefined {
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
