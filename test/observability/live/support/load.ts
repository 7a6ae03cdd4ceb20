import { randomUUID } from 'node:crypto';
import { openAccount, type TestService } from '../../../../services/bank-api/test/support/harness.js';

// Steady customer traffic for the live tests: reads, transfers, idempotent replays and the usual
// client mistakes (an unknown account, a transfer beyond the balance), so every route, status class
// and transfer outcome the dashboards show has series. Counts what it got back, by status.

export interface Load {
  readonly statuses: Map<number, number>;
  stop(): Promise<void>;
}

export async function startLoad(svc: TestService, workers = 3, pauseMs = 60): Promise<Load> {
  const alice = await openAccount(svc, 'cust-live-alice', { deposit: 10_000_000 });
  const bob = await openAccount(svc, 'cust-live-bob', { deposit: 10_000_000 });
  const headers = { ...(await svc.auth('cust-live-alice')), 'content-type': 'application/json' };
  const base = svc.server.url;
  const statuses = new Map<number, number>();
  const usedKeys: string[] = [];
  let running = true;

  const send = async (method: string, path: string, body?: unknown, key?: string) => {
    try {
      const response = await fetch(`${base}${path}`, {
        method,
        headers: key ? { ...headers, 'idempotency-key': key } : headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(10_000),
      });
      await response.arrayBuffer();
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
    } catch {
      statuses.set(0, (statuses.get(0) ?? 0) + 1);
    }
  };

  const operations: (() => Promise<void>)[] = [
    () => send('GET', `/v1/accounts/${alice}`),
    () => send('GET', '/v1/accounts'),
    () => send('GET', `/v1/accounts/${alice}/entries`),
    () => {
      const key = randomUUID();
      usedKeys.push(key);
      return send('POST', '/v1/transfers', { fromAccountId: alice, toAccountId: bob, amount: 1 }, key);
    },
    () => {
      const key = usedKeys[Math.floor(Math.random() * usedKeys.length)] ?? randomUUID();
      return send('POST', '/v1/transfers', { fromAccountId: alice, toAccountId: bob, amount: 1 }, key);
    },
    () => send('GET', `/v1/accounts/${randomUUID()}`),
    () =>
      send(
        'POST',
        '/v1/transfers',
        { fromAccountId: alice, toAccountId: bob, amount: 1_000_000_000 },
        randomUUID(),
      ),
  ];

  const worker = async (index: number) => {
    let i = index;
    while (running) {
      await (operations[i++ % operations.length] as () => Promise<void>)();
      await new Promise((r) => setTimeout(r, pauseMs));
    }
  };
  const done = Promise.all(Array.from({ length: workers }, (_, i) => worker(i)));
  return {
    statuses,
    async stop() {
      running = false;
      await done;
    },
  };
}
