import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import pino from 'pino';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebApp } from '../server/app.js';
import { type AuthSettings, ConfigError, loadWebConfig } from '../server/config.js';
import { WebMetrics } from '../server/metrics.js';
import { contentSecurityPolicy } from '../server/security-headers.js';

const MAIN = fileURLToPath(new URL('../server/main.ts', import.meta.url));
const INDEX =
  '<!doctype html><html lang="en"><title>Bank</title><script type="module" src="/assets/app-1a2b.js"></script></html>';
const SCRIPT = `console.log(${JSON.stringify('x'.repeat(2000))});`;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'bank-web-static-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), INDEX);
  writeFileSync(join(dir, 'assets/app-1a2b.js'), SCRIPT);
  writeFileSync(join(dir, 'assets/app-1a2b.js.br'), brotliCompressSync(SCRIPT));
  writeFileSync(join(dir, 'assets/app-1a2b.js.gz'), gzipSync(SCRIPT));
  writeFileSync(join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function app(auth: AuthSettings = { mode: 'dev' }, readiness = { accepting: true }) {
  const metrics = new WebMetrics();
  const koa = createWebApp({ staticDir: dir, auth, metrics, logger: pino({ level: 'silent' }), readiness });
  return { server: koa.callback(), metrics, readiness };
}

describe('configuration', () => {
  it('defaults to dev sign-in on 8080 with metrics on 9464', () => {
    expect(loadWebConfig({})).toEqual({
      env: 'development',
      host: '127.0.0.1',
      port: 8080,
      metricsPort: 9464,
      logLevel: 'info',
      auth: { mode: 'dev' },
    });
  });

  it('reads OIDC settings and listens on all interfaces in production', () => {
    const config = loadWebConfig({
      NODE_ENV: 'production',
      AUTH_MODE: 'oidc',
      OIDC_ISSUER: 'https://auth.bank.example/prod',
      OIDC_CLIENT_ID: 'bank-web',
      PORT: '8081',
      METRICS_PORT: '9465',
      LOG_LEVEL: 'warn',
    });
    expect(config).toMatchObject({
      host: '0.0.0.0',
      port: 8081,
      metricsPort: 9465,
      logLevel: 'warn',
      auth: { mode: 'oidc', issuer: 'https://auth.bank.example/prod', clientId: 'bank-web' },
    });
  });

  it.each([
    [{ PORT: 'eighty' }, "PORT: must be a port number from 0 to 65535 (got 'eighty')"],
    [{ METRICS_PORT: '70000' }, "METRICS_PORT: must be a port number from 0 to 65535 (got '70000')"],
    [{ PORT: '9000', METRICS_PORT: '9000' }, 'METRICS_PORT: must differ from PORT'],
    [{ AUTH_MODE: 'saml' }, "AUTH_MODE: must be one of dev, oidc (got 'saml')"],
    [
      { LOG_LEVEL: 'loud' },
      "LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent (got 'loud')",
    ],
    [{ NODE_ENV: 'production' }, "AUTH_MODE: 'dev' is refused when NODE_ENV=production"],
    [{ AUTH_MODE: 'oidc', OIDC_CLIENT_ID: 'bank-web' }, 'OIDC_ISSUER: required when AUTH_MODE=oidc'],
    [
      { AUTH_MODE: 'oidc', OIDC_ISSUER: 'https://auth.example' },
      'OIDC_CLIENT_ID: required when AUTH_MODE=oidc',
    ],
    [
      { AUTH_MODE: 'oidc', OIDC_ISSUER: 'auth.example', OIDC_CLIENT_ID: 'w' },
      "OIDC_ISSUER: must be an http(s) URL (got 'auth.example')",
    ],
    [
      { NODE_ENV: 'production', AUTH_MODE: 'oidc', OIDC_ISSUER: 'http://auth.example', OIDC_CLIENT_ID: 'w' },
      'OIDC_ISSUER: must be an https:// URL when NODE_ENV=production',
    ],
    [
      { AUTH_MODE: 'oidc', OIDC_ISSUER: 'https://auth.example', OIDC_CLIENT_ID: 'bank web' },
      'OIDC_CLIENT_ID: must be 1-255 visible ASCII',
    ],
  ])('%o is refused naming the variable', (env, message) => {
    let error: unknown;
    try {
      loadWebConfig(env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.join('\n')).toContain(message);
  });

  it('treats an empty variable as unset', () => {
    expect(loadWebConfig({ PORT: '', AUTH_MODE: '' }).port).toBe(8080);
  });
});

describe('Content-Security-Policy', () => {
  it('allows this origin only, and the identity provider for requests in OIDC mode', async () => {
    const dev = await request(app().server).get('/');
    const policy = dev.headers['content-security-policy'] as string;
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("connect-src 'self';");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).not.toMatch(/unsafe-|data:|\*/);

    const oidc = await request(
      app({ mode: 'oidc', issuer: 'https://auth.bank.example/prod', clientId: 'w' }).server,
    ).get('/');
    expect(oidc.headers['content-security-policy']).toContain(
      "connect-src 'self' https://auth.bank.example;",
    );
  });

  it('names every fetch directive the page uses and defaults the rest to none', () => {
    const directives = contentSecurityPolicy({ mode: 'dev' });
    expect(directives.defaultSrc).toEqual(["'none'"]);
    for (const values of Object.values(directives)) expect(values.join(' ')).not.toMatch(/unsafe/);
  });

  it('sends the other security headers', async () => {
    const response = await request(app().server).get('/');
    expect(response.headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'strict-transport-security': 'max-age=31536000; includeSubDomains',
      'cross-origin-opener-policy': 'same-origin',
    });
    expect(response.headers['permissions-policy']).toContain('camera=()');
  });
});

describe('serving the app', () => {
  it('answers every page path with index.html, revalidated on each load', async () => {
    for (const path of ['/', '/accounts/7d2c1f0e-1111-4222-8333-444455556666', '/transfer']) {
      const response = await request(app().server).get(path);
      expect(response.status, path).toBe(200);
      expect(response.headers['content-type']).toMatch(/^text\/html/);
      expect(response.headers['cache-control']).toBe('no-cache');
      expect(response.text).toBe(INDEX);
    }
  });

  it('redirects /index.html to /', async () => {
    const response = await request(app().server).get('/index.html');
    expect(response.status).toBe(302);
    expect(response.headers.location).toBe('/');
  });

  it('sends the precompressed file the browser accepts, cached for a year', async () => {
    const br = await request(app().server).get('/assets/app-1a2b.js').set('Accept-Encoding', 'br, gzip');
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(br.headers.vary).toBe('Accept-Encoding');
    expect(br.text).toBe(SCRIPT);
    const gzip = await request(app().server).get('/assets/app-1a2b.js').set('Accept-Encoding', 'gzip');
    expect(gzip.headers['content-encoding']).toBe('gzip');
    const plain = await request(app().server).get('/assets/app-1a2b.js').set('Accept-Encoding', 'identity');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.text).toBe(SCRIPT);
  });

  it('answers 404 for a missing file instead of the page', async () => {
    for (const path of ['/assets/gone-0000.js', '/robots.txt', '/assets/nothing']) {
      const response = await request(app().server).get(path);
      expect(response.status, path).toBe(404);
      expect(response.text).not.toContain('<!doctype html>');
    }
  });

  it('refuses a path outside the build', async () => {
    const response = await request(app().server).get('/..%2f..%2fetc%2fpasswd');
    expect([400, 403, 404]).toContain(response.status);
    expect(response.text).not.toContain('root:');
  });

  it('takes only GET and HEAD', async () => {
    const response = await request(app().server).post('/').send({});
    expect(response.status).toBe(405);
    expect(response.headers.allow).toBe('GET, HEAD');
  });

  it('refuses to start without a build', () => {
    expect(() =>
      createWebApp({
        staticDir: join(dir, 'assets'),
        auth: { mode: 'dev' },
        metrics: new WebMetrics(),
        logger: pino({ level: 'silent' }),
        readiness: { accepting: true },
      }),
    ).toThrow(/no built web app in .* \(run npm run web:build\)/);
  });
});

describe('runtime config, health and metrics', () => {
  it('tells the browser how to sign in, never cached', async () => {
    const dev = await request(app().server).get('/config.json');
    expect(dev.body).toEqual({ authMode: 'dev' });
    expect(dev.headers['cache-control']).toBe('no-store');
    const oidc = await request(
      app({ mode: 'oidc', issuer: 'https://auth.example/p', clientId: 'bank-web' }).server,
    ).get('/config.json');
    expect(oidc.body).toEqual({
      authMode: 'oidc',
      oidc: { issuer: 'https://auth.example/p', clientId: 'bank-web' },
    });
  });

  it('is live and ready, and not ready once shutting down', async () => {
    const { server, readiness } = app();
    expect((await request(server).get('/livez')).body).toEqual({ status: 'ok' });
    expect((await request(server).get('/readyz')).status).toBe(200);
    readiness.accepting = false;
    const draining = await request(server).get('/readyz');
    expect(draining.status).toBe(503);
    expect(draining.body).toEqual({ status: 'shutting-down' });
    expect((await request(server).get('/livez')).status).toBe(200);
  });

  it('counts and times requests by route kind, not by path', async () => {
    const { server, metrics } = app();
    await request(server).get('/accounts/7d2c1f0e-1111-4222-8333-444455556666');
    await request(server).get('/assets/app-1a2b.js');
    await request(server).get('/assets/gone.js');
    await request(server).get('/config.json');
    const text = await metrics.registry.metrics();
    expect(text).toContain('bank_web_http_requests_total{method="GET",route="index",status="200"} 1');
    expect(text).toContain('bank_web_http_requests_total{method="GET",route="asset",status="200"} 1');
    expect(text).toContain('bank_web_http_requests_total{method="GET",route="not-found",status="404"} 1');
    expect(text).toContain('bank_web_http_requests_total{method="GET",route="config",status="200"} 1');
    expect(text).toMatch(/bank_web_http_request_duration_seconds_count\{method="GET",route="index"\} 1/);
    expect(text).not.toContain('7d2c1f0e');
  });
});

describe('the process', () => {
  const run = (args: string[], env: Record<string, string>) =>
    new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', MAIN, ...args],
        { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000 },
        (error, _stdout, stderr) => resolve({ code: error ? (error.code as number) : 0, stderr }),
      );
    });

  it('exits 78 naming the bad variable', async () => {
    const outcome = await run([], { AUTH_MODE: 'dev', NODE_ENV: 'production' });
    expect(outcome.code).toBe(78);
    expect(outcome.stderr).toContain("AUTH_MODE: 'dev' is refused when NODE_ENV=production");
  });

  it('exits 2 with the usage on an argument', async () => {
    const outcome = await run(['--port=1'], {});
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toContain("unexpected argument '--port=1'");
    expect(outcome.stderr).toContain('usage:');
  });
});
