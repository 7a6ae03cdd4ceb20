import autocannon from 'autocannon';
import { accountIdOf, customerOf } from './dataset.js';

export interface HttpPhaseResult {
  concurrency: number;
  tps: number;
  requests: number;
  completed: number;
  errors: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** The q-quantile (0..1) of sorted values, nearest-rank. */
export function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] as number;
}

const round = (value: number, digits = 2): number => Math.round(value * 10 ** digits) / 10 ** digits;

/**
 * Drives POST /v1/transfers at a fixed number of keep-alive connections for `durationSeconds`.
 * Every request is a new transfer of 1 cent between two random accounts, by the source account's
 * owner, with a fresh Idempotency-Key. Anything but 201 (and any socket error or timeout) is an error.
 */
export async function runHttpPhase(options: {
  url: string;
  tokens: string[];
  concurrency: number;
  durationSeconds: number;
  label: string;
}): Promise<HttpPhaseResult> {
  const accounts = options.tokens.length;
  let sequence = 0;
  let latencies = new Float64Array(1 << 16);
  let recorded = 0;
  let created = 0;
  let failed = 0;

  let finished!: (value: { errors: number; timeouts: number }) => void;
  let failedRun!: (error: Error) => void;
  const done = new Promise<{ errors: number; timeouts: number }>((resolve, reject) => {
    finished = resolve;
    failedRun = reject;
  });
  const started = process.hrtime.bigint();
  // The callback form returns the running instance, whose 'response' events carry each latency.
  const instance = autocannon(
    {
      url: options.url,
      connections: options.concurrency,
      duration: options.durationSeconds,
      timeout: 10,
      requests: [
        {
          method: 'POST',
          path: '/v1/transfers',
          setupRequest: (request) => {
            const from = 1 + Math.floor(Math.random() * accounts);
            const to = ((from + Math.floor(Math.random() * (accounts - 1))) % accounts) + 1;
            sequence += 1;
            return {
              ...request,
              headers: {
                'content-type': 'application/json',
                authorization: `Bearer ${options.tokens[from - 1]}`,
                'idempotency-key': `${options.label}-${sequence}`,
              },
              body: JSON.stringify({
                fromAccountId: accountIdOf(from),
                toAccountId: accountIdOf(to),
                amount: 1,
              }),
            };
          },
        },
      ],
    },
    (error, result) => (error ? failedRun(error) : finished(result)),
  );
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    if (recorded === latencies.length) {
      const grown = new Float64Array(latencies.length * 2);
      grown.set(latencies);
      latencies = grown;
    }
    latencies[recorded++] = responseTime;
    if (statusCode === 201) created++;
    else failed++;
  });
  const result = await done;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const sorted = latencies.subarray(0, recorded).sort();
  return {
    concurrency: options.concurrency,
    tps: round(created / seconds, 1),
    requests: recorded,
    completed: created,
    errors: failed + result.errors + result.timeouts,
    p50Ms: round(quantile(sorted, 0.5)),
    p95Ms: round(quantile(sorted, 0.95)),
    p99Ms: round(quantile(sorted, 0.99)),
    maxMs: round(quantile(sorted, 1)),
  };
}

/** Tokens for customers 1..n, signed with the service's own dev-mode signer and secret. */
export async function devTokens(
  issue: (customerId: string) => Promise<{ token: string }>,
  count: number,
): Promise<string[]> {
  const tokens: string[] = [];
  for (let n = 1; n <= count; n++) tokens.push((await issue(customerOf(n))).token);
  return tokens;
}
