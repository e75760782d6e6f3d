/**
 * Group commit for the local collector. Requests hand in their rows and wait;
 * one writer takes everything pending, inserts it table by table, and only
 * then answers every request in the group, so an acknowledged span is on disk
 * (in the engine) before the client hears "200". Memory is bounded by the
 * bytes allowed to wait; past that, callers are told to come back later.
 */

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

interface Pending {
  parts: TableRows[];
  bytes: number;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class IngestQueue {
  private pending: Pending[] = [];
  private queuedBytes = 0;
  private writing: Promise<void> | undefined;
  private writingCount = 0;
  private closing = false;
  /** Counters for /health. */
  readonly stats = { batches: 0, requests: 0, failedRequests: 0, rejectedBusy: 0 };

  constructor(private readonly opts: IngestQueueOptions) {}

  get bytesQueued(): number {
    return this.queuedBytes;
  }

  /** Resolves once every part is written; rejects with the engine's error or {@link QueueBusyError}. */
  submit(parts: TableRows[]): Promise<void> {
    const nonEmpty = parts.filter((p) => p.rows.length > 0);
    if (nonEmpty.length === 0) return Promise.resolve();
    if (this.closing) return Promise.reject(new QueueBusyError('the collector is shutting down', true));
    const bytes = nonEmpty.reduce((n, p) => n + p.rows.length, 0);
    if (this.queuedBytes > 0 && this.queuedBytes + bytes > this.opts.maxQueuedBytes) {
      this.stats.rejectedBusy++;
      return Promise.reject(new QueueBusyError('the collector is busy writing; retry later'));
    }
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ parts: nonEmpty, bytes, resolve, reject });
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
        for (const p of group) p.resolve();
        this.stats.requests += group.length;
      } catch (groupErr) {
        // One bad request must not fail its neighbours: write them one by one.
        if (group.length === 1) {
          this.stats.failedRequests++;
          group[0]!.reject(groupErr);
        } else {
          for (const p of group) {
            try {
              await this.writeGroup([p]);
              this.stats.requests++;
              p.resolve();
            } catch (err) {
              this.stats.failedRequests++;
              p.reject(err);
            }
          }
        }
      } finally {
        for (const p of group) this.queuedBytes -= p.bytes;
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

  /** Requests handed in and not yet answered. */
  get requestsQueued(): number {
    return this.pending.length + this.writingCount;
  }

  private takeGroup(): Pending[] {
    const max = this.opts.maxBatchBytes ?? 16 * 1024 * 1024;
    const group: Pending[] = [];
    let bytes = 0;
    while (this.pending.length > 0) {
      const next = this.pending[0]!;
      if (group.length > 0 && bytes + next.bytes > max) break;
      group.push(this.pending.shift()!);
      bytes += next.bytes;
    }
    return group;
  }

  private async writeGroup(group: Pending[]): Promise<void> {
    const byTable = new Map<string, string[]>();
    for (const p of group) {
      for (const part of p.parts) {
        const list = byTable.get(part.table) ?? [];
        list.push(part.rows);
        byTable.set(part.table, list);
      }
    }
    for (const [table, chunks] of byTable) await this.opts.insert(table, chunks.join(''));
  }
}
