/**
 * The demo's progress output: a bar redrawn in place on a terminal, a few
 * plain lines in logs, nothing when disabled.
 */
import { describe, expect, it } from 'vitest';
import { createProgress } from '../../packages/cli/src/demo/progress.js';

/** Carriage return + "erase line": how the bar is redrawn in place. */
const CLEAR_LINE = '\r\x1b[2K';

function output(isTTY: boolean, columns = 100) {
  const writes: string[] = [];
  return { writes, out: { isTTY, columns, write: (text: string) => writes.push(text) } };
}

describe('on a terminal', () => {
  it('redraws one line in place and ends it with a newline', () => {
    const { writes, out } = output(true);
    const progress = createProgress(out);
    progress.phase('running the app');
    for (let done = 1; done <= 4; done++) progress.update(done, 4, `step ${done}`);
    progress.finish('done');
    const text = writes.join('');
    expect(text.startsWith('aicost demo: running the app\n')).toBe(true);
    expect(text.split(CLEAR_LINE)).toHaveLength(5);
    expect(text).toContain(`${'█'.repeat(28)} 4/4 step 4\naicost demo: done\n`);
    expect(text).toContain(`${'█'.repeat(7)}${'░'.repeat(21)} 1/4 step 1`);
  });

  it('never writes a bar line wider than the terminal', () => {
    const { writes, out } = output(true, 40);
    createProgress(out).update(3, 10, 'a very long description of the step that would wrap');
    const line = (writes.at(-1) ?? '').replace(CLEAR_LINE, '');
    expect(line.length).toBeLessThanOrEqual(39);
  });

  it('a phase clears a half-drawn bar first', () => {
    const { writes, out } = output(true);
    const progress = createProgress(out);
    progress.update(1, 2);
    progress.phase('next');
    expect(writes.at(-2)).toBe(CLEAR_LINE);
    expect(writes.at(-1)).toBe('aicost demo: next\n');
  });
});

describe('not on a terminal', () => {
  it('prints plain lines: one per phase and one per quarter of the steps', () => {
    const { writes, out } = output(false);
    const progress = createProgress(out);
    progress.phase('running the app');
    for (let done = 1; done <= 100; done++) progress.update(done, 100);
    progress.finish('100 requests recorded');
    expect(writes).toEqual([
      'aicost demo: running the app\n',
      'aicost demo: 25/100 requests\n',
      'aicost demo: 50/100 requests\n',
      'aicost demo: 75/100 requests\n',
      'aicost demo: 100/100 requests\n',
      'aicost demo: 100 requests recorded\n',
    ]);
    expect(writes.join('')).not.toContain('\r');
    expect(writes.join('')).not.toContain('\x1b');
  });
});

it('prints nothing when disabled (--quiet)', () => {
  const { writes, out } = output(true);
  const progress = createProgress(out, false);
  progress.phase('x');
  progress.update(1, 1);
  progress.finish('y');
  expect(writes).toEqual([]);
});
