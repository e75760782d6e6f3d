import { trace } from '@opentelemetry/api';
import { InstrumentationNodeModuleDefinition } from '@opentelemetry/instrumentation';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createOtelHarness } from '../../../../test/support/otel.js';
import { GenAIInstrumentationBase, type GenAIInstrumentationConfig } from '../../src/instrumentation/base.js';

const otel = createOtelHarness();
afterAll(() => otel.shutdown());
beforeEach(() => otel.reset());

/** A fake SDK: one class whose `create` the instrumentation wraps. */
function fakeSdk() {
  class Client {
    create(model: string) {
      return `answer from ${model}`;
    }
  }
  return { Client };
}
type FakeSdk = ReturnType<typeof fakeSdk>;

class FakeInstrumentation extends GenAIInstrumentationBase<GenAIInstrumentationConfig> {
  protected readonly expectedExports = 'the fake SDK';
  hookedModules = 0;

  protected init() {
    return new InstrumentationNodeModuleDefinition('aicost-fake-sdk-never-installed', ['*'], (exports) => {
      this.hookedModules++;
      return exports;
    });
  }

  protected patchModule(moduleExports: unknown): boolean {
    const prototype = (moduleExports as FakeSdk | undefined)?.Client?.prototype;
    if (!prototype) return false;
    if (!(prototype.create as { __wrapped?: boolean }).__wrapped) {
      const instrumentation = this;
      this._wrap(
        prototype,
        'create',
        (original: (model: string) => string) =>
          function create(this: unknown, model: string) {
            if (!instrumentation.isActive()) return original.call(this, model);
            const call = instrumentation
              .recorder()
              .start({ provider: 'openai', operation: 'chat', requestModel: model });
            try {
              return original.call(this, model);
            } finally {
              call.end();
            }
          },
      );
    }
    return true;
  }

  protected unpatchModule(moduleExports: unknown): void {
    const prototype = (moduleExports as FakeSdk | undefined)?.Client?.prototype;
    if (prototype && (prototype.create as { __wrapped?: boolean }).__wrapped)
      this._unwrap(prototype, 'create');
  }

  recorderNow() {
    return this.recorder();
  }
}

describe('GenAIInstrumentationBase', () => {
  it('created disabled, a manually instrumented module records; disable() removes the patch, enable() puts it back', async () => {
    const sdk = fakeSdk();
    const instrumentation = new FakeInstrumentation('@aicost/test-fake', '0.0.0', { enabled: false });
    expect(instrumentation.manuallyInstrument(sdk)).toBe(true);
    const client = new sdk.Client();

    expect(client.create('gpt-4o-mini')).toBe('answer from gpt-4o-mini');
    expect((await otel.waitForSpans(1)).map((s) => s.name)).toEqual(['chat gpt-4o-mini']);

    instrumentation.disable();
    expect(client.create('gpt-4o')).toBe('answer from gpt-4o');
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(otel.spans()).toHaveLength(1);

    instrumentation.enable();
    client.create('gpt-4.1');
    expect((await otel.waitForSpans(2)).map((s) => s.name)).toEqual(['chat gpt-4o-mini', 'chat gpt-4.1']);
    instrumentation.disable();
  });

  it('refuses exports that are not the SDK, with a warning, and patches nothing', () => {
    const instrumentation = new FakeInstrumentation('@aicost/test-fake', '0.0.0', { enabled: false });
    expect(instrumentation.manuallyInstrument({ notTheSdk: true })).toBe(false);
  });

  it('builds the recorder once, and again after the config or tracer provider changed', () => {
    const instrumentation = new FakeInstrumentation('@aicost/test-fake', '0.0.0', { enabled: false });
    const first = instrumentation.recorderNow();
    expect(instrumentation.recorderNow()).toBe(first);
    instrumentation.setConfig({ enabled: false, captureMessageContent: true });
    const second = instrumentation.recorderNow();
    expect(second).not.toBe(first);
    instrumentation.setTracerProvider(trace.getTracerProvider());
    expect(instrumentation.recorderNow()).not.toBe(second);
  });
});
