import { setTimeout as sleep } from 'node:timers/promises';

/** One client's standing order: move 1 cent from `fromAccountId` to `toAccountId`, again and again. */
export interface Payer {
  token: string;
  fromAccountId: string;
  toAccountId: string;
}

export interface LoadReport {
  /** Idempotency key → transfer id, for every transfer a client got a 201 for. */
  acknowledged: Map<string, string>;
  /**
   * Every key a client started, with the wall-clock ms before its first request went out and after
   * its 201 arrived: a drill that restores to a point in time judges each transfer by these.
   */
  timings: Map<string, { sentAt: number; acknowledgedAt: number | undefined }>;
  requests: number;
  /** Requests sent again with the same Idempotency-Key after an error or timeout. */
  retries: number;
  /** Non-201 answers and transport errors, by status code or error name. */
  failures: Record<string, number>;
  firstFailureAt: number | undefined;
  lastFailureAt: number | undefined;
  /** First 201 after the last failure. */
  recoveredAt: number | undefined;
  /** From the first failed request to the first successful one after the last failure (0 when none failed). */
  errorWindowMs: number;
}

export interface RunningLoad {
  /** Stops starting new transfers, lets every started one finish (retrying), and reports. */
  stop(): Promise<LoadReport>;
  /** Successful transfers so far. */
  readonly acknowledgedCount: number;
}

/**
 * Steady transfer traffic from concurrent clients that behave as the API asks: on a 5xx, a timeout
 * or a dropped connection they send the same request again with the same Idempotency-Key until it is
 * answered, so a transfer either never happened or happened exactly once.
 */
export function startTransferLoad(options: {
  baseUrl: () => string;
  payers: Payer[];
  label: string;
  requestTimeoutMs?: number;
  retryPauseMs?: number;
  /** Give up on one key after this long: a drill must not hang forever on a dead service. */
  keyDeadlineMs?: number;
}): RunningLoad {
  const timeout = options.requestTimeoutMs ?? 5_000;
  const pause = options.retryPauseMs ?? 50;
  const keyDeadline = options.keyDeadlineMs ?? 60_000;
  const report: LoadReport = {
    acknowledged: new Map(),
    timings: new Map(),
    requests: 0,
    retries: 0,
    failures: {},
    firstFailureAt: undefined,
    lastFailureAt: undefined,
    recoveredAt: undefined,
    errorWindowMs: 0,
  };
  let stopping = false;

  const fail = (reason: string) => {
    const now = Date.now();
    report.failures[reason] = (report.failures[reason] ?? 0) + 1;
    report.firstFailureAt ??= now;
    report.lastFailureAt = now;
    report.recoveredAt = undefined;
  };

  const worker = async (payer: Payer, index: number) => {
    for (let n = 0; !stopping; n++) {
      const key = `${options.label}-${index}-${n}`;
      const body = JSON.stringify({
        fromAccountId: payer.fromAccountId,
        toAccountId: payer.toAccountId,
        amount: 1,
      });
      const started = Date.now();
      const timing = { sentAt: started, acknowledgedAt: undefined as number | undefined };
      report.timings.set(key, timing);
      for (let attempt = 0; ; attempt++) {
        if (attempt > 0) report.retries++;
        if (Date.now() - started > keyDeadline)
          throw new Error(`transfer ${key} unanswered after ${keyDeadline} ms`);
        report.requests++;
        try {
          const res = await fetch(`${options.baseUrl()}/v1/transfers`, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              authorization: `Bearer ${payer.token}`,
              'idempotency-key': key,
            },
            body,
            signal: AbortSignal.timeout(timeout),
          });
          const payload = (await res.json()) as { id?: string };
          if (res.status === 201 && payload.id) {
            timing.acknowledgedAt = Date.now();
            report.acknowledged.set(key, payload.id);
            if (report.lastFailureAt !== undefined && report.recoveredAt === undefined) {
              report.recoveredAt = Date.now();
            }
            break;
          }
          fail(String(res.status));
        } catch (error) {
          fail((error as Error).name === 'TimeoutError' ? 'timeout' : 'connection');
        }
        await sleep(pause);
      }
    }
  };

  const running = Promise.all(options.payers.map(worker));
  return {
    get acknowledgedCount() {
      return report.acknowledged.size;
    },
    async stop() {
      stopping = true;
      await running;
      if (report.firstFailureAt !== undefined && report.recoveredAt !== undefined) {
        report.errorWindowMs = report.recoveredAt - report.firstFailureAt;
      }
      return report;
    },
  };
}

/** Polls /readyz and records every change, to show readiness fell during an outage and came back. */
export function watchReadiness(baseUrl: string, intervalMs = 100) {
  const changes: { at: number; ready: boolean }[] = [];
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const ready = await fetch(`${baseUrl}/readyz`, { signal: AbortSignal.timeout(3_000) }).then(
        (r) => r.status === 200,
        () => false,
      );
      if (changes.at(-1)?.ready !== ready) changes.push({ at: Date.now(), ready });
      await sleep(intervalMs);
    }
  })();
  return {
    changes,
    async stop() {
      stopped = true;
      await loop;
      return changes;
    },
  };
}
