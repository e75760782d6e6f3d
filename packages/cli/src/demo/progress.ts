/**
 * Progress of `aicost demo` on stderr. On a terminal: one bar redrawn in
 * place. Otherwise (CI logs, pipes): plain lines, one per phase and one per
 * 25% of the requests, so logs stay short and readable.
 */

export interface Progress {
  /** A phase starts ("starting the local collector"). */
  phase(message: string): void;
  /** `done` of `total` steps finished; `detail` names the last one. */
  update(done: number, total: number, detail?: string): void;
  /** Ends the bar (keeps its last state on screen). */
  finish(message?: string): void;
}

interface Output {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

const BAR_WIDTH = 28;

export function createProgress(out: Output = process.stderr, enabled = true): Progress {
  if (!enabled) return { phase() {}, update() {}, finish() {} };
  return out.isTTY ? terminalProgress(out) : lineProgress(out);
}

function terminalProgress(out: Output): Progress {
  let drawn = false;
  const clear = () => {
    if (drawn) out.write('\r\x1b[2K');
    drawn = false;
  };
  return {
    phase(message) {
      clear();
      out.write(`aicost demo: ${message}\n`);
    },
    update(done, total, detail) {
      const ratio = total > 0 ? Math.min(1, done / total) : 0;
      const filled = Math.round(ratio * BAR_WIDTH);
      const bar = `${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}`;
      let line = `  ${bar} ${String(done).padStart(String(total).length)}/${total} ${detail ?? ''}`;
      const columns = out.columns ?? 80;
      if (line.length > columns - 1) line = line.slice(0, columns - 1);
      out.write(`\r\x1b[2K${line}`);
      drawn = true;
    },
    finish(message) {
      if (drawn) out.write('\n');
      drawn = false;
      if (message) out.write(`aicost demo: ${message}\n`);
    },
  };
}

function lineProgress(out: Output): Progress {
  let lastQuarter = 0;
  return {
    phase(message) {
      out.write(`aicost demo: ${message}\n`);
    },
    update(done, total) {
      const quarter = total > 0 ? Math.floor((done / total) * 4) : 0;
      if (quarter === lastQuarter) return;
      lastQuarter = quarter;
      out.write(`aicost demo: ${done}/${total} requests\n`);
    },
    finish(message) {
      if (message) out.write(`aicost demo: ${message}\n`);
    },
  };
}
