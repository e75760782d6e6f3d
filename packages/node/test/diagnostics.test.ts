import { DiagLogLevel, diag } from '@opentelemetry/api';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { installAicostWarningLogger } from '../src/diagnostics.js';

afterEach(() => {
  diag.disable();
  vi.restoreAllMocks();
  delete process.env.OTEL_LOG_LEVEL;
});

describe('the default aicost warning logger', () => {
  it("prints aicost's warnings and errors as one line, with the error's message, and nothing else", () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(installAicostWarningLogger()).toBe(true);
    diag.warn(
      'aicost: recording a stream failed; telemetry for this call may be incomplete',
      new Error('boom'),
    );
    diag.error('aicost: price overrides ignored: prices[0].model is required');
    diag.warn('some other library warns');
    diag.error('OTLPExporterError: connect ECONNREFUSED');
    diag.info('aicost: info is below the level');
    diag.debug('aicost: debug is below the level');
    expect(warn.mock.calls).toEqual([
      ['aicost: recording a stream failed; telemetry for this call may be incomplete: boom'],
      ['aicost: price overrides ignored: prices[0].model is required'],
    ]);
  });

  it('leaves a logger the application registered in place', () => {
    const own = { error: vi.fn(), warn: vi.fn(), info: vi.fn(), debug: vi.fn(), verbose: vi.fn() };
    diag.setLogger(own, DiagLogLevel.WARN);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(installAicostWarningLogger()).toBe(false);
    diag.warn('aicost: no price for provider "openai" model "x"; cost left unknown');
    expect(own.warn).toHaveBeenCalledTimes(1);
    expect(warn).not.toHaveBeenCalled();
  });

  it('installs nothing when OTEL_LOG_LEVEL is set (the Node SDK installs its own logger then)', () => {
    process.env.OTEL_LOG_LEVEL = 'error';
    expect(installAicostWarningLogger()).toBe(false);
    process.env.OTEL_LOG_LEVEL = '';
    // Empty counts as unset, as the SDK reads it.
    expect(installAicostWarningLogger()).toBe(true);
  });
});
