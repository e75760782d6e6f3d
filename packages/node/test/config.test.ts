import { afterEach, describe, expect, it } from 'vitest';
import { aicostEnabledFromEnv, exportersFromEnv, numberFromEnv, otlpProtocolFromEnv } from '../src/config.js';

const saved = {
  AICOST_ENABLED: process.env.AICOST_ENABLED,
  OTEL_SDK_DISABLED: process.env.OTEL_SDK_DISABLED,
};

function setEnv(name: keyof typeof saved, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

afterEach(() => {
  setEnv('AICOST_ENABLED', saved.AICOST_ENABLED);
  setEnv('OTEL_SDK_DISABLED', saved.OTEL_SDK_DISABLED);
});

function enabledWith(aicostEnabled: string | undefined, sdkDisabled?: string): boolean {
  setEnv('AICOST_ENABLED', aicostEnabled);
  setEnv('OTEL_SDK_DISABLED', sdkDisabled);
  return aicostEnabledFromEnv();
}

describe('AICOST_ENABLED', () => {
  it('is turned off by every word core envFlag reads as false, in any case', () => {
    for (const value of ['false', '0', 'no', 'off', 'OFF', ' Off ']) {
      expect(enabledWith(value), value).toBe(false);
    }
  });

  it('stays on when unset, true-ish or unrecognised', () => {
    for (const value of [undefined, 'true', '1', 'yes', 'on', '', 'disabled?']) {
      expect(enabledWith(value), String(value)).toBe(true);
    }
  });
});

describe('OTEL_SDK_DISABLED', () => {
  it('turns aicost off when it is true, as the OpenTelemetry SDK reads it', () => {
    expect(enabledWith(undefined, 'true')).toBe(false);
    expect(enabledWith(undefined, 'TRUE')).toBe(false);
    expect(enabledWith('on', 'true')).toBe(false);
  });

  it('leaves aicost on for values the SDK does not read as true', () => {
    expect(enabledWith(undefined, 'false')).toBe(true);
    expect(enabledWith(undefined, '')).toBe(true);
  });
});

describe('OTLP settings from the environment', () => {
  const names = [
    'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL',
    'OTEL_EXPORTER_OTLP_PROTOCOL',
    'OTEL_METRIC_EXPORT_INTERVAL',
    'OTEL_TRACES_EXPORTER',
  ] as const;
  const before = Object.fromEntries(names.map((name) => [name, process.env[name]]));
  afterEach(() => {
    for (const name of names) {
      if (before[name] === undefined) delete process.env[name];
      else process.env[name] = before[name];
    }
  });

  it('an empty signal-specific protocol is unset, so the general one applies', () => {
    process.env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL = '';
    process.env.OTEL_EXPORTER_OTLP_PROTOCOL = 'http/json';
    expect(otlpProtocolFromEnv('TRACES')).toBe('http/json');
  });

  it('a count is a finite number >= 0, else unset', () => {
    for (const [raw, expected] of [
      ['250', 250],
      [' 0 ', 0],
      ['-1', undefined],
      ['Infinity', undefined],
      ['soon', undefined],
      ['', undefined],
    ] as const) {
      process.env.OTEL_METRIC_EXPORT_INTERVAL = raw;
      expect(numberFromEnv('OTEL_METRIC_EXPORT_INTERVAL'), raw).toBe(expected);
    }
  });

  it('the exporter list: otlp by default, none turns it off, duplicates and case do not matter', () => {
    delete process.env.OTEL_TRACES_EXPORTER;
    expect(exportersFromEnv('TRACES')).toEqual(['otlp']);
    process.env.OTEL_TRACES_EXPORTER = ' Console , otlp,console ';
    expect(exportersFromEnv('TRACES')).toEqual(['console', 'otlp']);
    process.env.OTEL_TRACES_EXPORTER = 'otlp,none';
    expect(exportersFromEnv('TRACES')).toEqual([]);
  });
});
