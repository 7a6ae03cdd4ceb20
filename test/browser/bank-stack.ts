import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildWebApp } from '../../services/bank-web/build/build.js';
import { type LocalBank, startLocalBank } from '../../services/bank-web/local/local-bank.js';

// What `npm start` runs (services/bank-web/local): bank-api on embedded PGlite and bank-web behind
// one front door, with the app freshly built by the production build into a temporary folder.

export interface BankStack {
  bank: LocalBank;
  url: string;
  stop(): Promise<void>;
}

export async function startBankStack(env: Record<string, string> = {}): Promise<BankStack> {
  const dir = mkdtempSync(join(tmpdir(), 'bank-web-build-'));
  const staticDir = await buildWebApp(join(dir, 'public'));
  const bank = await startLocalBank({
    staticDir,
    env: { NODE_ENV: 'test', PORT: '0', METRICS_PORT: '0', LOG_LEVEL: 'silent', ...env },
  });
  return {
    bank,
    url: bank.url,
    async stop() {
      await bank.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The API as a test client sees it (to set up and to check what the browser did). */
export function apiClient(base: string) {
  const call = async <T>(method: string, path: string, token?: string, body?: unknown, key?: string) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...(key ? { 'Idempotency-Key': key } : {}),
      },
      body: body === undefined ? null : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };
  return {
    token: async (customerId: string) =>
      (await call<{ token: string }>('POST', '/v1/dev/token', undefined, { customerId })).token,
    openAccount: (token: string, currency = 'EUR') =>
      call<{ id: string; balance: number }>('POST', '/v1/accounts', token, { currency }),
    deposit: (token: string, id: string, amount: number) =>
      call('POST', `/v1/accounts/${id}/deposits`, token, { amount }, crypto.randomUUID()),
    account: (token: string, id: string) => call<{ balance: number }>('GET', `/v1/accounts/${id}`, token),
    entries: (token: string, id: string) =>
      call<{ items: { kind: string; amount: number; direction: string }[] }>(
        'GET',
        `/v1/accounts/${id}/entries?limit=100`,
        token,
      ),
  };
}
