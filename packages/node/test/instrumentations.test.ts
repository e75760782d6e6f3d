import { InstrumentationBase } from '@opentelemetry/instrumentation';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AICOST_INSTRUMENTATIONS, loadAicostInstrumentations } from '../src/instrumentations.js';

class FakeInstrumentation extends InstrumentationBase {
  constructor(config: Record<string, unknown> = {}) {
    super('@aicost/fake', '0.0.0', config);
  }
  protected init() {
    return [];
  }
}

function notFound(packageName: string): Error {
  return Object.assign(new Error(`Cannot find module '${packageName}'`), { code: 'MODULE_NOT_FOUND' });
}

afterEach(() => vi.restoreAllMocks());

describe('loadAicostInstrumentations', () => {
  it('instantiates each installed package, disabled until the SDK enables it, with its config', () => {
    const loaded = loadAicostInstrumentations([], { openai: { captureContent: true } }, (packageName) => {
      const entry = AICOST_INSTRUMENTATIONS.find((candidate) => candidate.packageName === packageName);
      return { [entry?.exportName ?? '']: FakeInstrumentation };
    });
    expect(loaded).toHaveLength(AICOST_INSTRUMENTATIONS.length);
    expect(loaded[0]?.getConfig()).toMatchObject({ enabled: false, captureContent: true });
  });

  it('skips absent packages silently and broken ones with one line each, never throwing', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const loaded = loadAicostInstrumentations([], {}, (packageName) => {
      switch (packageName) {
        case '@aicost/instrumentation-openai':
          return {}; // a stub without its class
        case '@aicost/instrumentation-anthropic':
          throw new Error('syntax error in dist');
        case '@aicost/instrumentation-google-genai':
          return {
            GoogleGenAIInstrumentation: class {
              constructor() {
                throw new Error('bad config');
              }
            },
          };
        case '@aicost/instrumentation-bedrock':
          return { BedrockInstrumentation: FakeInstrumentation };
        default:
          throw notFound(packageName);
      }
    });
    expect(loaded).toHaveLength(1);
    const lines = warn.mock.calls.map(([line]) => String(line));
    expect(lines).toEqual([
      'aicost: skipped @aicost/instrumentation-openai: it does not export OpenAIInstrumentation',
      'aicost: skipped @aicost/instrumentation-anthropic: failed to load (syntax error in dist)',
      'aicost: skipped @aicost/instrumentation-google-genai: GoogleGenAIInstrumentation threw (bad config)',
    ]);
  });

  it('does not load disabled instrumentations', () => {
    const requested: string[] = [];
    loadAicostInstrumentations(['openai', 'cohere'], {}, (packageName) => {
      requested.push(packageName);
      throw notFound(packageName);
    });
    expect(requested).not.toContain('@aicost/instrumentation-openai');
    expect(requested).not.toContain('@aicost/instrumentation-cohere');
    expect(requested).toHaveLength(AICOST_INSTRUMENTATIONS.length - 2);
  });
});
