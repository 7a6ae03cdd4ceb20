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
      postingBatch: { maxSize: 64, windowMs: 1 },
    });
  });

  it('reads the batching bounds; POSTING_BATCH_MAX=1 posts one at a time', () => {
    expect(loadConfig({ POSTING_BATCH_MAX: '1', POSTING_BATCH_WINDOW_MS: '0' }).postingBatch).toEqual({
      maxSize: 1,
      windowMs: 0,
    });
    expect(loadConfig({ POSTING_BATCH_MAX: '1000', POSTING_BATCH_WINDOW_MS: '10' }).postingBatch).toEqual({
      maxSize: 1000,
      windowMs: 10,
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
    [{ XRAY_SAMPLING_ENDPOINT: 'http://collector:2000' }, 'XRAY_SAMPLING_ENDPOINT'],
    [
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', XRAY_SAMPLING_ENDPOINT: 'collector:2000' },
      'XRAY_SAMPLING_ENDPOINT',
    ],
    [{ NODE_ENV: 'staging' }, 'NODE_ENV'],
    [{ POSTING_BATCH_MAX: '0' }, 'POSTING_BATCH_MAX'],
    [{ POSTING_BATCH_MAX: '1001' }, 'POSTING_BATCH_MAX'],
    [{ POSTING_BATCH_MAX: 'many' }, 'POSTING_BATCH_MAX'],
    [{ POSTING_BATCH_MAX: '2.5' }, 'POSTING_BATCH_MAX'],
    [{ POSTING_BATCH_WINDOW_MS: '11' }, 'POSTING_BATCH_WINDOW_MS'],
    [{ POSTING_BATCH_WINDOW_MS: '-1' }, 'POSTING_BATCH_WINDOW_MS'],
    [{ POSTING_BATCH_WINDOW_MS: '0.5' }, 'POSTING_BATCH_WINDOW_MS'],
  ])('names the bad variable: %j', (env, name) => {
    expect(problemsOf(env).some((p) => p.startsWith(`${name}:`))).toBe(true);
  });

  it('reads the X-Ray sampling endpoint only beside an OTLP endpoint', () => {
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }).tracing).toEqual({
      endpoint: 'http://collector:4318',
      serviceName: 'bank-api',
    });
    expect(
      loadConfig({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        XRAY_SAMPLING_ENDPOINT: 'http://collector:2000',
      }).tracing,
    ).toEqual({
      endpoint: 'http://collector:4318',
      serviceName: 'bank-api',
      samplingEndpoint: 'http://collector:2000',
    });
    expect(problemsOf({ XRAY_SAMPLING_ENDPOINT: 'http://collector:2000' })).toEqual([
      'XRAY_SAMPLING_ENDPOINT: needs OTEL_EXPORTER_OTLP_ENDPOINT (sampling rules only matter when spans are exported)',
    ]);
  });

  it('refuses AUTH_MODE=dev in production', () => {
    const problems = problemsOf({
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://h/db',
      DATABASE_SSL_MODE: 'verify-full',
      PROBLEM_TYPE_BASE: 'https://bank.test/problems/',
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
      PROBLEM_TYPE_BASE: 'https://bank.test/problems/',
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

  describe('problem type base (PROBLEM_TYPE_BASE)', () => {
    const message =
      "PROBLEM_TYPE_BASE: must be an http(s) URL or an absolute path ending in '/', without query or fragment";
    it.each([
      'https://bank.test/problems/',
      'http://localhost:8080/problems/',
      'https://bank.test/',
      '/problems/',
      '/',
    ])('accepts %j', (value) => {
      expect(loadConfig({ PROBLEM_TYPE_BASE: value }).problemTypeBase).toBe(value);
    });

    it.each([
      'https://bank.test/problems',
      'problems/',
      '//bank.test/problems/',
      'ftp://bank.test/problems/',
      'https://bank.test/problems/?a=/',
      'https://bank.test/problems/#/',
      '/pro blems/',
      'https://Bank.test/problems/',
    ])('refuses %j', (value) => {
      expect(problemsOf({ PROBLEM_TYPE_BASE: value })).toEqual([`${message} (got '${value}')`]);
    });

    it('defaults to a path relative to the service, and keeps what is set', () => {
      expect(loadConfig({}).problemTypeBase).toBe('/problems/');
      expect(loadConfig({ PROBLEM_TYPE_BASE: 'https://bank.test/p/' }).problemTypeBase).toBe(
        'https://bank.test/p/',
      );
    });

    it('must be an https:// URL in production', () => {
      const production = {
        NODE_ENV: 'production',
        AUTH_MODE: 'oidc',
        OIDC_ISSUER: 'https://id.example',
        OIDC_AUDIENCE: 'bank',
        OIDC_JWKS_URI: 'https://id.example/jwks',
        DATABASE_URL: 'postgres://h/db',
        DATABASE_SSL_MODE: 'verify-full',
      };
      const refused = (value?: string) =>
        `PROBLEM_TYPE_BASE: must be an https:// URL when NODE_ENV=production (got '${value}'): clients compare problem types across hosts`;
      expect(problemsOf(production)).toEqual([refused('/problems/')]);
      expect(problemsOf({ ...production, PROBLEM_TYPE_BASE: 'http://bank.test/p/' })).toEqual([
        refused('http://bank.test/p/'),
      ]);
      expect(loadConfig({ ...production, PROBLEM_TYPE_BASE: 'https://bank.test/p/' }).problemTypeBase).toBe(
        'https://bank.test/p/',
      );
    });
  });

  describe('database credentials', () => {
    const iam = {
      DATABASE_URL: 'postgres://bank_api@bank.cluster-x.eu-central-1.rds.amazonaws.com:5432/bank',
      DATABASE_AUTH: 'iam',
      AWS_REGION: 'eu-central-1',
      DATABASE_SSL_MODE: 'verify-full',
    };

    it('takes the password from DATABASE_URL by default, from a file, or signs IAM tokens', () => {
      expect(loadConfig({ DATABASE_URL: 'postgres://u:p@db/bank' }).database).toMatchObject({
        credentials: { source: 'url' },
      });
      expect(
        loadConfig({
          DATABASE_URL: 'postgres://bank_api@db/bank',
          DATABASE_PASSWORD_FILE: '/secrets/password',
        }).database,
      ).toMatchObject({ credentials: { source: 'file', path: '/secrets/password' } });
      expect(loadConfig(iam).database).toMatchObject({
        kind: 'postgres',
        sslMode: 'verify-full',
        credentials: { source: 'iam', region: 'eu-central-1' },
      });
      // AWS_REGION is only looked at for IAM authentication.
      expect(() => loadConfig({ AWS_REGION: 'somewhere' })).not.toThrow();
    });

    it.each([
      [{ DATABASE_AUTH: 'kerberos' }, 'DATABASE_AUTH', /^DATABASE_AUTH: /],
      [{ ...iam, DATABASE_URL: undefined }, 'DATABASE_URL', /^DATABASE_URL: required when DATABASE_AUTH=iam/],
      [{ ...iam, AWS_REGION: undefined }, 'AWS_REGION', /^AWS_REGION: required when DATABASE_AUTH=iam/],
      [{ ...iam, AWS_REGION: 'Frankfurt' }, 'AWS_REGION', /^AWS_REGION: must be an AWS region/],
      [
        { ...iam, DATABASE_SSL_MODE: 'require' },
        'DATABASE_SSL_MODE',
        /^DATABASE_SSL_MODE: must be 'verify-full'/,
      ],
      [
        { ...iam, DATABASE_SSL_MODE: undefined },
        'DATABASE_SSL_MODE',
        /^DATABASE_SSL_MODE: must be 'verify-full'/,
      ],
      [
        { ...iam, DATABASE_URL: 'postgres://bank_api:hunter2@db/bank' },
        'DATABASE_URL',
        /^DATABASE_URL: must not contain a password when DATABASE_AUTH=iam/,
      ],
      [
        { ...iam, DATABASE_URL: 'postgres://db/bank' },
        'DATABASE_URL',
        /^DATABASE_URL: must name the database user/,
      ],
      [
        { ...iam, DATABASE_PASSWORD_FILE: '/secrets/password' },
        'DATABASE_PASSWORD_FILE',
        /^DATABASE_PASSWORD_FILE: must be unset when DATABASE_AUTH=iam/,
      ],
      [
        { DATABASE_PASSWORD_FILE: '/secrets/password' },
        'DATABASE_PASSWORD_FILE',
        /^DATABASE_PASSWORD_FILE: needs DATABASE_URL/,
      ],
      [
        { DATABASE_URL: 'postgres://bank_api:hunter2@db/bank', DATABASE_PASSWORD_FILE: '/secrets/password' },
        'DATABASE_URL',
        /^DATABASE_URL: must not contain a password when DATABASE_PASSWORD_FILE is set/,
      ],
    ])('refuses %j naming %s', (env, _name, message) => {
      const defined = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)) as Record<
        string,
        string
      >;
      const problems = problemsOf(defined);
      expect(problems).toEqual([expect.stringMatching(message)]);
      expect(problems.join('\n')).not.toMatch(/hunter2/);
    });
  });

  it('never echoes secrets in its messages', () => {
    const problems = problemsOf({ DEV_AUTH_SECRET: 'tooshort-secret', DATABASE_URL: 'ftp://user:hunter2@x' });
    expect(problems.join('\n')).not.toMatch(/hunter2|tooshort-secret/);
  });
});
