import { execFile as execFileCb } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServiceProcess, startServiceProcess } from '../bench/service-process.js';

// What the image runs is the compiled service, not the TypeScript the other suites import: this
// suite compiles it as the Dockerfile's build stage does (tsconfig.build.json) and starts it with the
// image's own CMD from the service folder (dist/, migrations/ and package.json side by side, as in
// /app), then moves money through it.

const execFile = promisify(execFileCb);
const serviceDir = fileURLToPath(new URL('..', import.meta.url));
const dockerfile = readFileSync(join(serviceDir, 'Dockerfile'), 'utf8');
const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(dockerfile)?.[1] ?? '[]') as string[];

describe('the compiled entry point the image runs', () => {
  let service: ServiceProcess;

  beforeAll(async () => {
    expect(cmd[0]).toBe('node');
    await execFile(
      process.execPath,
      [createRequire(import.meta.url).resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
      {
        cwd: serviceDir,
      },
    );
    const logDir = await mkdtemp(join(tmpdir(), 'compiled-entry-'));
    service = await startServiceProcess({
      script: { path: cmd[1] as string, cwd: serviceDir },
      // The embedded database and dev tokens: no server or issuer needed to prove the build works.
      env: { MIGRATE_ON_START: 'true', LOG_LEVEL: 'warn' },
      logFile: join(logDir, 'service.log'),
    });
  }, 180_000);

  afterAll(async () => {
    if (service) expect(await service.stop()).toBe(0);
  });

  it('serves a transfer end to end', async () => {
    const json = async (path: string, init: RequestInit & { token?: string; key?: string } = {}) => {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (init.token) headers.authorization = `Bearer ${init.token}`;
      if (init.key) headers['idempotency-key'] = init.key;
      const res = await fetch(`${service.url}${path}`, { ...init, headers });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const token = (
      await json('/v1/dev/token', { method: 'POST', body: JSON.stringify({ customerId: 'c-1' }) })
    ).body.token as string;
    const open = () =>
      json('/v1/accounts', { method: 'POST', token, body: JSON.stringify({ currency: 'EUR' }) });
    const from = (await open()).body.id as string;
    const to = (await open()).body.id as string;
    const deposit = await json(`/v1/accounts/${from}/deposits`, {
      method: 'POST',
      token,
      key: 'dep-1',
      body: JSON.stringify({ amount: 5000 }),
    });
    expect(deposit.status).toBe(201);
    const transfer = await json('/v1/transfers', {
      method: 'POST',
      token,
      key: 'tr-1',
      body: JSON.stringify({ fromAccountId: from, toAccountId: to, amount: 1234 }),
    });
    expect(transfer.status).toBe(201);
    expect((await json(`/v1/accounts/${to}`, { token })).body.balance).toBe(1234);
    expect((await json(`/v1/accounts/${from}`, { token })).body.balance).toBe(5000 - 1234);
  });
});
