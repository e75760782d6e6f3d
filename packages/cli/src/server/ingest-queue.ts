/**
 * Group commit for the local collector. Requests hand in their rows and wait;
 * one writer takes everything pending of one signal, inserts it table by
 * table, and only then answers the requests, so an acknowledged span is on
 * disk (in the engine) before the client hears "200". Memory is bounded by the
 * bytes allowed to wait; past that, callers are told to come back later.
 *
 * No row is written twice by the queue: it tracks which (request, table) parts
 * are committed and retries only the parts that failed. A request is answered
 * with success only when all its parts are committed. A client that retries a
 * refused request (same body, so the same rows) finds the parts that did
 * commit remembered, and only the rest is written; a retry that arrives while
 * the first try still waits shares its parts instead of adding a copy.
 */
import { createHash } from 'node:crypto';

export interface TableRows {
  table: string;
  /** JSONEachRow text, newline-terminated. */
  rows: string;
}

export interface IngestQueueOptions {
  /** Inserts one table's rows; resolves when the engine has written them. */
  insert: (table: string, rows: string) => Promise<void>;
  /** Bytes of row text allowed to wait for the writer. */
  maxQueuedBytes: number;
  /** Bytes taken into one group insert. */
  maxBatchBytes?: number;
  /**
   * Whether more requests are about to submit (being read or decoded). Each
   * insert has a large fixed cost, so the writer waits for them briefly.
   */
  expectMore?: () => boolean;
  /** Longest wait for those requests, in ms (default 10). */
  lingerMs?: number;
  /**
   * How many committed parts are remembered so that a retried request does
   * not write them again (default 65,536; about 100 bytes each).
   */
  committedMemory?: number;
}

/** The queue is full or closing: the request may be retried later (429/503). */
export class QueueBusyError extends Error {
  override name = 'QueueBusyError';
  constructor(
    message: string,
    readonly closing = false,
  ) {
    super(message);
  }
}

interface Part extends TableRows {
  /** Identity of the rows: the same table and text is the same write. */
  key: string;
  committed: boolean;
  error?: unknown;
  /** Unanswered requests that carry these rows (a retry that arrives while the first try waits shares them). */
  holders: number;
}

interface Pending {
  /** Requests of different signals are never written in one group. */
  signal: string;
  parts: Part[];
  bytes: number;
  resolve: () => void;
  reject: (err: unknown) => void;
}

function partKey(table: string, rows: string): string {
  return createHash('sha256').update(table).update('\0').update(rows).digest('base64');
}

export class IngestQueue {
  private pending: Pending[] = [];
  private queuedBytes = 0;
  private writing: Promise<void> | undefined;
  private writingCount = 0;
  private closing = false;
  /** Keys of recently committed parts, oldest first (a Set keeps insertion order). */
  private readonly committed = new Set<string>();
  /** Parts handed in and not committed yet, by key. */
  private readonly live = new Map<string, Part>();
  /** Counters for /health. */
  readonly stats = {
    batches: 0,
    requests: 0,
    failedRequests: 0,
    rejectedBusy: 0,
    /** Parts of retried requests that were already committed, not written again. */
    skippedParts: 0,
    /** Parts of retried requests that joined the same rows still waiting to be written. */
    sharedParts: 0,
  };

  constructor(private readonly opts: IngestQueueOptions) {}

  get bytesQueued(): number {
    return this.queuedBytes;
  }

  /** Requests handed in and not yet answered. */
  get requestsQueued(): number {
    return this.pending.length + this.writingCount;
  }

  /**
   * Resolves once every part is written; rejects with the engine's error (of
   * the first part that failed) or {@link QueueBusyError}. `signal` keeps
   * requests of different kinds (traces, metrics) in separate groups.
   */
  submit(parts: TableRows[], signal = 'default'): Promise<void> {
    const nonEmpty = parts.filter((p) => p.rows.length > 0);
    if (nonEmpty.length === 0) return Promise.resolve();
    if (this.closing) return Promise.reject(new QueueBusyError('the collector is shutting down', true));
    const keyed = nonEmpty.map((p) => ({ ...p, key: partKey(p.table, p.rows) }));
    const toWrite = keyed.filter((p) => !this.committed.has(p.key));
    this.stats.skippedParts += keyed.length - toWrite.length;
    if (toWrite.length === 0) return Promise.resolve();
    // Only rows not already waiting take room in the queue.
    const bytes = toWrite.filter((p) => !this.live.has(p.key)).reduce((n, p) => n + p.rows.length, 0);
    if (this.queuedBytes > 0 && this.queuedBytes + bytes > this.opts.maxQueuedBytes) {
      this.stats.rejectedBusy++;
      return Promise.reject(new QueueBusyError('the collector is busy writing; retry later'));
    }
    const held = toWrite.map((p) => {
      const waiting = this.live.get(p.key);
      if (waiting) {
        this.stats.sharedParts++;
        waiting.holders++;
        return waiting;
      }
      const part: Part = { table: p.table, rows: p.rows, key: p.key, committed: false, holders: 1 };
      this.live.set(p.key, part);
      return part;
    });
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ signal, parts: held, bytes, resolve, reject });
      this.queuedBytes += bytes;
      this.kick();
    });
  }

  /** Stops taking rows and waits until everything accepted is written. */
  async drain(): Promise<void> {
    this.closing = true;
    while (this.writing) await this.writing;
  }

  private kick(): void {
    if (this.writing) return;
    this.writing = this.writeLoop().finally(() => {
      this.writing = undefined;
      if (this.pending.length > 0) this.kick();
    });
  }

  private async writeLoop(): Promise<void> {
    while (this.pending.length > 0) {
      await this.linger();
      const group = this.takeGroup();
      this.writingCount = group.length;
      try {
        await this.writeGroup(group);
      } catch (err) {
        // Not an insert failure (those are kept per part): every part not written gets this error.
        for (const p of group) for (const part of p.parts) if (!part.committed) part.error ??= err;
      } finally {
        for (const p of group) {
          this.queuedBytes -= p.bytes;
          for (const part of p.parts) {
            part.holders--;
            if (part.holders === 0 && this.live.get(part.key) === part) this.live.delete(part.key);
          }
          const failed = p.parts.find((part) => !part.committed);
          if (failed) {
            this.stats.failedRequests++;
            p.reject(failed.error);
          } else {
            this.stats.requests++;
            p.resolve();
          }
        }
        this.writingCount = 0;
      }
      this.stats.batches++;
    }
  }

  private async linger(): Promise<void> {
    const { expectMore } = this.opts;
    if (!expectMore || this.closing) return;
    const deadline = performance.now() + (this.opts.lingerMs ?? 10);
    while (expectMore() && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }

  /** Consecutive pending requests of the first one's signal, up to the batch size. */
  private takeGroup(): Pending[] {
    const max = this.opts.maxBatchBytes ?? 16 * 1024 * 1024;
    const signal = this.pending[0]!.signal;
    const group: Pending[] = [];
    let bytes = 0;
    while (this.pending.length > 0) {
      const next = this.pending[0]!;
      if (next.signal !== signal) break;
      if (group.length > 0 && bytes + next.bytes > max) break;
      group.push(this.pending.shift()!);
      bytes += next.bytes;
    }
    return group;
  }

  /**
   * One insert per table for the whole group. When a table's insert fails,
   * that table's parts are written request by request, so only the request
   * whose rows are bad (or that meets a failure again) is refused; parts
   * already committed are never written again.
   */
  private async writeGroup(group: Pending[]): Promise<void> {
    const byTable = new Map<string, Part[]>();
    const seen = new Set<Part>();
    for (const p of group) {
      for (const part of p.parts) {
        // Shared by two requests of the group, or committed by an earlier group for a request that waits.
        if (part.committed || seen.has(part)) continue;
        seen.add(part);
        part.error = undefined;
        const list = byTable.get(part.table) ?? [];
        list.push(part);
        byTable.set(part.table, list);
      }
    }
    for (const [table, parts] of byTable) {
      try {
        await this.opts.insert(table, parts.map((part) => part.rows).join(''));
        for (const part of parts) this.markCommitted(part);
      } catch (groupErr) {
        if (parts.length === 1) {
          parts[0]!.error = groupErr;
          continue;
        }
        for (const part of parts) {
          try {
            await this.opts.insert(table, part.rows);
            this.markCommitted(part);
          } catch (err) {
            part.error = err;
          }
        }
      }
    }
  }

  private markCommitted(part: Part): void {
    part.committed = true;
    if (this.live.get(part.key) === part) this.live.delete(part.key);
    this.committed.delete(part.key);
    this.committed.add(part.key);
    const limit = this.opts.committedMemory ?? 65_536;
    while (this.committed.size > limit) {
      const oldest = this.committed.values().next().value as string;
      this.committed.delete(oldest);
    }
  }
}
