import { Writable } from 'node:stream';
import { type RunningServer, startServer } from '../../../services/bank-api/src/server.js';
import type { Payer } from './transfer-load.js';

// The real service in this process, for drills that run outside vitest (CLIs): no harness, no
// inject(), just startServer and HTTP. The restore and regional failover drills share it.

/** Log lines of the in-process service, kept in memory (the last 500); shown when something fails. */
export function logSink(lines: string[]): Writable {
  return new Writable({
    write(chunk, _encoding, callback) {
      lines.push(String(chunk));
      if (lines.length > 500) lines.splice(0, lines.length - 500);
      callback();
    },
  });
}

export async function startDrillService(
  databaseUrl: string,
  secret: string,
  lines: string[],
  env: Record<string, string> = {},
): Promise<RunningServer> {
  return startServer({
    env: {
      NODE_ENV: 'test',
      PORT: '0',
      METRICS_PORT: '0',
      LOG_LEVEL: 'warn',
      AUTH_MODE: 'dev',
      DEV_AUTH_SECRET: secret,
      DATABASE_URL: databaseUrl,
      DATABASE_POOL_MAX: '10',
      ...env,
    },
    logDestination: logSink(lines),
  });
}

/** POST that must answer 201; anything else throws with the status and body. */
export async function apiPost(
  baseUrl: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Record<string, unknown>> {
  const res = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const payload = (await res.json()) as Record<string, unknown>;
  if (res.status !== 201) throw new Error(`POST ${path} answered ${res.status}: ${JSON.stringify(payload)}`);
  return payload;
}

/** One funded account per worker, each paying the next one: money circulates, nobody runs dry. */
export async function openPayers(
  baseUrl: string,
  label: string,
  workers: number,
  seedPerAccount = 1_000_000_000,
): Promise<Payer[]> {
  const accounts: { token: string; id: string }[] = [];
  for (let i = 0; i < workers; i++) {
    const { token } = (await apiPost(baseUrl, '/v1/dev/token', { customerId: `${label}-c${i}` })) as {
      token: string;
    };
    const auth = { authorization: `Bearer ${token}` };
    const { id } = (await apiPost(baseUrl, '/v1/accounts', { currency: 'EUR' }, auth)) as { id: string };
    await apiPost(
      baseUrl,
      `/v1/accounts/${id}/deposits`,
      { amount: seedPerAccount },
      { ...auth, 'idempotency-key': `seed-${id}` },
    );
    accounts.push({ token, id });
  }
  return accounts.map((account, i) => ({
    token: account.token,
    fromAccountId: account.id,
    toAccountId: (accounts[(i + 1) % workers] as { id: string }).id,
  }));
}
