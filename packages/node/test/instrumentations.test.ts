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

const everySdkPresent = () => true;
const sdkPresentExcept =
  (...names: string[]) =>
  (entry: { name: string }) =>
    !names.includes(entry.name);

describe('loadAicostInstrumentations', () => {
  it('instantiates each installed package, disabled until the SDK enables it, with its config', () => {
    const loaded = loadAicostInstrumentations(
      [],
      { openai: { captureContent: true } },
      (packageName) => {
        const entry = AICOST_INSTRUMENTATIONS.find((candidate) => candidate.packageName === packageName);
        return { [entry?.exportName ?? '']: FakeInstrumentation };
      },
      everySdkPresent,
    );
    expect(loaded).toHaveLength(AICOST_INSTRUMENTATIONS.length);
    expect(loaded[0]?.getConfig()).toMatchObject({ enabled: false, captureContent: true });
  });

  it('skips broken packages with one line each, never throwing', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const loaded = loadAicostInstrumentations(
      [],
      {},
      (packageName) => {
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
      },
      sdkPresentExcept('mistral', 'cohere', 'groq', 'ollama', 'openrouter'),
    );
    expect(loaded).toHaveLength(1);
    const lines = warn.mock.calls.map(([line]) => String(line));
    expect(lines).toEqual([
      'aicost: skipped @aicost/instrumentation-openai: it does not export OpenAIInstrumentation',
      'aicost: skipped @aicost/instrumentation-anthropic: failed to load (syntax error in dist)',
      'aicost: skipped @aicost/instrumentation-google-genai: GoogleGenAIInstrumentation threw (bad config)',
    ]);
  });

  it('loads only the instrumentations whose provider SDK the application can resolve', () => {
    const requested: string[] = [];
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const loaded = loadAicostInstrumentations(
      [],
      {},
      (packageName) => {
        requested.push(packageName);
        return { OpenAIInstrumentation: FakeInstrumentation };
      },
      (entry) => entry.name === 'openai',
    );
    expect(requested).toEqual(['@aicost/instrumentation-openai']);
    expect(loaded).toHaveLength(1);
    expect(warn).not.toHaveBeenCalled();
  });

  it('says once which package to install when the provider SDK is there but its instrumentation is not', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const absent = (packageName: string) => {
      throw notFound(packageName);
    };
    loadAicostInstrumentations([], {}, absent, (entry) => entry.name === 'cohere');
    loadAicostInstrumentations([], {}, absent, (entry) => entry.name === 'cohere');
    expect(warn.mock.calls.map(([line]) => String(line))).toEqual([
      'aicost: cohere-ai is installed but @aicost/instrumentation-cohere is not, so its calls are not priced (npm install @aicost/instrumentation-cohere)',
    ]);
  });

  it('does not load disabled instrumentations', () => {
    const requested: string[] = [];
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    loadAicostInstrumentations(
      ['openai', 'cohere'],
      {},
      (packageName) => {
        requested.push(packageName);
        throw notFound(packageName);
      },
      everySdkPresent,
    );
    expect(requested).not.toContain('@aicost/instrumentation-openai');
    expect(requested).not.toContain('@aicost/instrumentation-cohere');
    expect(requested).toHaveLength(AICOST_INSTRUMENTATIONS.length - 2);
  });
});
