import { afterEach, describe, expect, it } from 'vitest';
import { aicostEnabledFromEnv } from '../src/config.js';

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
