import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

const problemsOf = (env: Record<string, string>): string[] => {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
};

describe('loadConfig', () => {
  it('defaults to the embedded database, dev auth and the documented ports', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      env: 'development',
      host: '127.0.0.1',
      port: 8080,
      metricsPort: 9464,
      database: { kind: 'pglite' },
      auth: { mode: 'dev' },
      keepAliveTimeoutMs: 65_000,
      migrateOnStart: true,
      tracing: undefined,
    });
  });

  it('uses a real server when DATABASE_URL is set', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://u:p@db:5432/bank', DATABASE_POOL_MAX: '25' });
    expect(config.database).toMatchObject({ kind: 'postgres', poolMax: 25, sslMode: 'disable' });
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ METRICS_PORT: '-1' }, 'METRICS_PORT'],
    [{ PORT: '9000', METRICS_PORT: '9000' }, 'METRICS_PORT'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ DATABASE_POOL_MAX: '0' }, 'DATABASE_POOL_MAX'],
    [{ DATABASE_SSL_MODE: 'prefer' }, 'DATABASE_SSL_MODE'],
    [{ MIGRATE_ON_START: 'yes' }, 'MIGRATE_ON_START'],
    [{ AUTH_MODE: 'none' }, 'AUTH_MODE'],
    [{ AUTH_MODE: 'oidc' }, 'OIDC_ISSUER'],
    [{ DEV_AUTH_SECRET: 'short' }, 'DEV_AUTH_SECRET'],
    [{ KEEP_ALIVE_TIMEOUT_MS: '60000' }, 'KEEP_ALIVE_TIMEOUT_MS'],
    [{ SHUTDOWN_DELAY_MS: '30000', SHUTDOWN_TIMEOUT_MS: '10000' }, 'SHUTDOWN_DELAY_MS'],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url' }, 'OTEL_EXPORTER_OTLP_ENDPOINT'],
    [{ NODE_ENV: 'staging' }, 'NODE_ENV'],
  ])('names the bad variable: %j', (env, name) => {
    expect(problemsOf(env).some((p) => p.startsWith(`${name}:`))).toBe(true);
  });

  it('refuses AUTH_MODE=dev in production', () => {
    const problems = problemsOf({
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://h/db',
      DATABASE_SSL_MODE: 'verify-full',
    });
    expect(problems).toEqual([
      expect.stringMatching(/^AUTH_MODE: 'dev' is refused when NODE_ENV=production/),
    ]);
  });

  it('refuses the embedded database and unencrypted connections in production', () => {
    const oidc = {
      AUTH_MODE: 'oidc',
      OIDC_ISSUER: 'https://id.example',
      OIDC_AUDIENCE: 'bank',
      OIDC_JWKS_URI: 'https://id.example/jwks',
    };
    expect(problemsOf({ NODE_ENV: 'production', ...oidc })).toEqual([
      expect.stringMatching(/^DATABASE_URL: required/),
    ]);
    expect(problemsOf({ NODE_ENV: 'production', ...oidc, DATABASE_URL: 'postgres://h/db' })).toEqual([
      expect.stringMatching(/^DATABASE_SSL_MODE:/),
    ]);
    const ok = loadConfig({
      NODE_ENV: 'production',
      ...oidc,
      DATABASE_URL: 'postgres://h/db',
      DATABASE_SSL_MODE: 'verify-full',
    });
    expect(ok).toMatchObject({ host: '0.0.0.0', auth: { mode: 'oidc', issuer: 'https://id.example' } });
  });

  it('never echoes secrets in its messages', () => {
    const problems = problemsOf({ DEV_AUTH_SECRET: 'tooshort-secret', DATABASE_URL: 'ftp://user:hunter2@x' });
    expect(problems.join('\n')).not.toMatch(/hunter2|tooshort-secret/);
  });
});
