import { setTimeout as sleep } from 'node:timers/promises';
import { isDatabaseUnavailable, isStatementTimeout, isTransientConflict } from './errors.js';

export interface RetryOptions {
  /**
   * True when running the operation twice cannot do its effect twice (reads, or writes guarded by
   * an idempotency key). Only then is a lost connection retried: the first attempt may have committed.
   */
  idempotent: boolean;
  attempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  onRetry?: (error: unknown, attempt: number) => void;
}

/** Runs a whole database operation again on conflicts and (when idempotent) on lost connections. */
export async function withRetry<T>(operation: () => Promise<T>, options: RetryOptions): Promise<T> {
  const attempts = options.attempts ?? 4;
  const base = options.baseDelayMs ?? 25;
  const cap = options.maxDelayMs ?? 500;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      const retryable =
        isTransientConflict(error) ||
        (options.idempotent && (isDatabaseUnavailable(error) || isStatementTimeout(error)));
      if (!retryable || attempt >= attempts) throw error;
      options.onRetry?.(error, attempt);
      // Full jitter keeps a crowd of retrying requests from hitting a recovering server in lockstep.
      await sleep(Math.random() * Math.min(cap, base * 2 ** attempt));
    }
  }
}
