import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { request as httpRequest } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../../test/support/postgres.js';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

async function startProcess(
  env: Record<string, string>,
): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const port = await freePort();
  const metricsPort = await freePort();
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    env: {
      ...process.env,
      NODE_ENV: 'development',
      PORT: String(port),
      METRICS_PORT: String(metricsPort),
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (c) => {
    output += String(c);
  });
  child.stderr?.on('data', (c) => {
    output += String(c);
  });
  const url = `http://127.0.0.1:${port}`;
  const started = Date.now();
  while (Date.now() - started < 60_000) {
    if (child.exitCode !== null) throw new Error(`service exited early:\n${output}`);
    if (
      await fetch(`${url}/readyz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return { child, url, output: () => output };
    await sleep(100);
  }
  child.kill('SIGKILL');
  throw new Error(`service did not become ready:\n${output}`);
}

describe('graceful shutdown (real process, SIGTERM)', () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
  });

  it('turns readiness off, finishes the in-flight request, then exits 0', async () => {
    const svc = await startProcess({ SHUTDOWN_DELAY_MS: '1500', SHUTDOWN_TIMEOUT_MS: '10000' });
    child = svc.child;
    const token = (
      (await (
        await fetch(`${svc.url}/v1/dev/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"customerId":"sd"}',
        })
      ).json()) as { token: string }
    ).token;

    // An in-flight request: headers sent, body still on its way when SIGTERM arrives.
    const body = JSON.stringify({ currency: 'EUR' });
    const inFlight = new Promise<{ status: number; connection: string | undefined; text: string }>(
      (resolve, reject) => {
        const req = httpRequest(`${svc.url}/v1/accounts`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            authorization: `Bearer ${token}`,
          },
        });
        req.on('response', (res) => {
          let text = '';
          res.on('data', (c) => {
            text += String(c);
          });
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, text }),
          );
        });
        req.on('error', reject);
        req.write(body.slice(0, 5));
        setTimeout(() => req.end(body.slice(5)), 1_000);
      },
    );
    await sleep(200);
    const exited = once(svc.child, 'exit');
    svc.child.kill('SIGTERM');
    await sleep(300);
    // During the pause the load balancer sees it unready, while requests are still served.
    const readyz = await fetch(`${svc.url}/readyz`);
    expect(readyz.status).toBe(503);
    expect(await readyz.json()).toEqual({ status: 'shutting-down' });

    const result = await inFlight;
    expect(result.status).toBe(201);
    expect(result.connection).toBe('close');
    const [code] = (await exited) as [number | null];
    expect(code).toBe(0);
    expect(svc.output()).toContain('shutdown complete');
  });

  it('exits non-zero with the variable named when the config is bad', async () => {
    const bad = spawn(process.execPath, ['--import', 'tsx', MAIN], {
      env: { ...process.env, PORT: 'http' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = bad;
    let stderr = '';
    bad.stderr?.on('data', (c) => {
      stderr += String(c);
    });
    const [code] = (await once(bad, 'exit')) as [number];
    expect(code).toBe(78);
    expect(stderr).toContain("PORT: must be a number (got 'http')");
  });
});
