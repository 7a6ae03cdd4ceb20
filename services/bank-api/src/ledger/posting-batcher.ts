import { isDatabaseUnavailable, isStatementTimeout, isTransientConflict } from '../db/errors.js';
import type { PostingCommand, PostingOutcome } from './ledger.js';

/** How postings are gathered (POSTING_BATCH_MAX, POSTING_BATCH_WINDOW_MS). */
export interface BatchingOptions {
  /** Most postings in one call; 1 posts every one on its own (no batching). */
  maxSize: number;
  /**
   * How long the first posting of a batch waits for others, in ms. 0 waits only for the postings that
   * arrive in the same turn of the event loop (one read of all ready sockets).
   */
  windowMs: number;
}

/** The two ways the ledger posts: one at a time, or many in one call. */
export interface Postings {
  post(command: PostingCommand): Promise<PostingOutcome>;
  postBatch(commands: readonly PostingCommand[]): Promise<PostingOutcome[]>;
}

interface Waiting {
  command: PostingCommand;
  resolve: (outcome: PostingOutcome) => void;
  reject: (error: unknown) => void;
}

/**
 * Gathers the postings that arrive within a short window (bounded by time and by count) into one call
 * of post_transfers: one round trip and one commit for all of them instead of one each, which is where
 * a database spends most of a one-row transaction. A window that holds one posting goes the single way.
 *
 * Batches run concurrently (each on its own pooled connection); the database orders their locks. When
 * a batch fails as a whole for a reason of the database (unavailable, conflicts after the ledger's own
 * retries, a timeout) every posting in it gets that error, exactly as a single posting would. Any other
 * failure is about one posting's data (a constraint the API does not check first): then each posting
 * is tried again on its own, so only the one at fault fails. Retries are safe: every posting carries
 * its idempotency key, and a key never moves money twice.
 */
export class PostingBatcher {
  private pending: Waiting[] = [];
  /** The pending window's close: a timer, or an immediate for a window of 0 ms. */
  private timer:
    | { kind: 'timeout'; handle: NodeJS.Timeout }
    | { kind: 'immediate'; handle: NodeJS.Immediate }
    | undefined;

  constructor(
    private readonly postings: Postings,
    private readonly options: BatchingOptions,
    private readonly onBatch?: (size: number) => void,
  ) {}

  post(command: PostingCommand): Promise<PostingOutcome> {
    if (this.options.maxSize <= 1) {
      this.onBatch?.(1);
      return this.postings.post(command);
    }
    return new Promise<PostingOutcome>((resolve, reject) => {
      this.pending.push({ command, resolve, reject });
      if (this.pending.length >= this.options.maxSize) this.flush();
      else if (this.timer === undefined) {
        this.timer =
          this.options.windowMs === 0
            ? { kind: 'immediate', handle: setImmediate(() => this.flush()) }
            : { kind: 'timeout', handle: setTimeout(() => this.flush(), this.options.windowMs) };
      }
    });
  }

  /** Postings waiting for their window to close. */
  get waiting(): number {
    return this.pending.length;
  }

  private flush(): void {
    // Each handle is cleared by its own function: clearImmediate on a Timeout corrupts Node's
    // count of pending immediates.
    if (this.timer?.kind === 'timeout') clearTimeout(this.timer.handle);
    else if (this.timer?.kind === 'immediate') clearImmediate(this.timer.handle);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    if (batch.length > 0) void this.run(batch);
  }

  private async run(batch: Waiting[]): Promise<void> {
    this.onBatch?.(batch.length);
    if (batch.length === 1) {
      const [only] = batch as [Waiting];
      this.postings.post(only.command).then(only.resolve, only.reject);
      return;
    }
    let outcomes: PostingOutcome[];
    try {
      outcomes = await this.postings.postBatch(batch.map((w) => w.command));
    } catch (error) {
      if (isDatabaseUnavailable(error) || isTransientConflict(error) || isStatementTimeout(error)) {
        for (const waiting of batch) waiting.reject(error);
        return;
      }
      for (const waiting of batch) this.postings.post(waiting.command).then(waiting.resolve, waiting.reject);
      return;
    }
    batch.forEach((waiting, i) => {
      waiting.resolve(outcomes[i] as PostingOutcome);
    });
  }
}
