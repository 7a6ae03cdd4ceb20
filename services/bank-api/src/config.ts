import { z } from 'zod';

// Configuration comes only from environment variables (12-factor), validated once at start so a
// bad value stops the process with the variable named instead of failing on first use.

const port = (fallback: number) =>
  z.coerce
    .number({ message: 'must be a number' })
    .int('must be an integer')
    .min(0, 'must be between 0 and 65535')
    .max(65535, 'must be between 0 and 65535')
    .default(fallback);

const millis = (fallback: number, min = 0, max = 600_000) =>
  z.coerce
    .number({ message: 'must be a number of milliseconds' })
    .int('must be an integer number of milliseconds')
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`)
    .default(fallback);

const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0'], { message: "must be 'true' or 'false'" })
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1');

const url = (protocols: string[]) =>
  z.string().refine((v) => URL.canParse(v) && protocols.includes(new URL(v).protocol), {
    message: `must be a URL (${protocols.join(' or ')})`,
  });

/**
 * The base of the problem `type` URIs (RFC 9457): `<base><slug>`. An http(s) URL or an absolute path,
 * ending in '/', without query or fragment. The manifests set the bank's own https:// base (from the
 * environment config); the local default is relative, so a developer's types resolve against the
 * service they called and name no organisation.
 */
export const DEFAULT_PROBLEM_TYPE_BASE = '/problems/';
const problemTypeBase = z
  .string()
  .refine(
    (v) => {
      if (!v.endsWith('/') || /[?#\s]/.test(v)) return false;
      if (v.startsWith('/')) return !v.startsWith('//');
      return URL.canParse(v) && ['https:', 'http:'].includes(new URL(v).protocol) && new URL(v).href === v;
    },
    { message: "must be an http(s) URL or an absolute path ending in '/', without query or fragment" },
  )
  .default(DEFAULT_PROBLEM_TYPE_BASE);

const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().min(1).optional(),
  PORT: port(8080),
  METRICS_PORT: port(9464),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FORMAT: z.enum(['auto', 'json', 'pretty']).default('auto'),
  DATABASE_URL: url(['postgres:', 'postgresql:']).optional(),
  DATABASE_SSL_MODE: z.enum(['disable', 'require', 'verify-full']).default('disable'),
  DATABASE_SSL_CA_FILE: z.string().min(1).optional(),
  DATABASE_AUTH: z.enum(['password', 'iam']).default('password'),
  DATABASE_PASSWORD_FILE: z.string().min(1).optional(),
  AWS_REGION: z.string().optional(),
  DATABASE_POOL_MAX: z.coerce
    .number()
    .int()
    .min(1, 'must be at least 1')
    .max(500, 'must be at most 500')
    .default(10),
  DATABASE_CONNECT_TIMEOUT_MS: millis(5_000, 100),
  DATABASE_STATEMENT_TIMEOUT_MS: millis(5_000, 100),
  DATABASE_IDLE_TIMEOUT_MS: millis(30_000, 1_000),
  PGLITE_DATA_DIR: z.string().min(1).optional(),
  MIGRATE_ON_START: bool(true),
  AUTH_MODE: z.enum(['dev', 'oidc']).default('dev'),
  DEV_AUTH_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  OIDC_ISSUER: url(['https:', 'http:']).optional(),
  OIDC_AUDIENCE: z.string().min(1).optional(),
  OIDC_JWKS_URI: url(['https:', 'http:']).optional(),
  BODY_LIMIT_BYTES: z.coerce.number().int().min(256).max(1_048_576).default(16_384),
  PROBLEM_TYPE_BASE: problemTypeBase,
  KEEP_ALIVE_TIMEOUT_MS: millis(65_000, 61_000),
  SHUTDOWN_DELAY_MS: millis(0),
  SHUTDOWN_TIMEOUT_MS: millis(25_000, 1_000),
  OTEL_EXPORTER_OTLP_ENDPOINT: url(['https:', 'http:']).optional(),
  OTEL_SERVICE_NAME: z.string().min(1).default('bank-api'),
  /**
   * Where the AWS X-Ray remote sampler reads the sampling rules (the collector's awsproxy extension).
   * Unset: every request is recorded unless the caller's trace context says otherwise.
   */
  XRAY_SAMPLING_ENDPOINT: url(['http:', 'https:']).optional(),
  /** Most postings gathered into one database call; 1 turns batching off. */
  POSTING_BATCH_MAX: z.coerce
    .number({ message: 'must be a number' })
    .int('must be an integer')
    .min(1, 'must be at least 1')
    .max(1_000, 'must be at most 1000')
    .default(64),
  /** How long the first posting of a batch waits for more; 0: only those of the same event-loop turn. */
  POSTING_BATCH_WINDOW_MS: millis(1, 0, 10),
});

/**
 * Where a real server's password comes from: DATABASE_URL itself, a file read for every new
 * connection (DATABASE_PASSWORD_FILE, rotated without a restart), or an IAM token signed for every
 * new connection (DATABASE_AUTH=iam).
 */
export type DatabaseCredentials =
  | { source: 'url' }
  | { source: 'file'; path: string }
  | { source: 'iam'; region: string };

export type DatabaseConfig =
  | { kind: 'pglite'; dataDir: string | undefined }
  | {
      kind: 'postgres';
      url: string;
      credentials: DatabaseCredentials;
      sslMode: 'disable' | 'require' | 'verify-full';
      sslCaFile: string | undefined;
      poolMax: number;
      connectTimeoutMs: number;
      statementTimeoutMs: number;
      idleTimeoutMs: number;
    };

export type AuthConfig =
  | { mode: 'dev'; secret: string | undefined }
  | { mode: 'oidc'; issuer: string; audience: string; jwksUri: string };

export interface Config {
  env: 'development' | 'test' | 'production';
  host: string;
  port: number;
  metricsPort: number;
  logLevel: string;
  /** `auto`: readable lines when stdout is a terminal, JSON otherwise (pods, pipes, files). */
  logFormat: 'auto' | 'json' | 'pretty';
  database: DatabaseConfig;
  migrateOnStart: boolean;
  auth: AuthConfig;
  bodyLimitBytes: number;
  /** Base of the problem `type` URIs (PROBLEM_TYPE_BASE). */
  problemTypeBase: string;
  keepAliveTimeoutMs: number;
  shutdownDelayMs: number;
  shutdownTimeoutMs: number;
  tracing: { endpoint: string; serviceName: string; samplingEndpoint?: string } | undefined;
  /** Batched posting (POSTING_BATCH_MAX, POSTING_BATCH_WINDOW_MS). */
  postingBatch: { maxSize: number; windowMs: number };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

// eu-central-1, us-gov-west-1, ap-southeast-5, ...
const AWS_REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/** DATABASE_AUTH, DATABASE_PASSWORD_FILE and what they require of the other variables. */
function databaseCredentialProblems(e: z.infer<typeof EnvSchema>): string[] {
  const problems: string[] = [];
  const url = e.DATABASE_URL ? new URL(e.DATABASE_URL) : undefined;
  if (e.DATABASE_AUTH === 'iam') {
    if (!url) {
      problems.push('DATABASE_URL: required when DATABASE_AUTH=iam (IAM authentication needs a real server)');
    } else {
      if (url.password) {
        problems.push(
          'DATABASE_URL: must not contain a password when DATABASE_AUTH=iam (the password is an IAM token signed per connection)',
        );
      }
      if (!url.username) {
        problems.push(
          'DATABASE_URL: must name the database user when DATABASE_AUTH=iam (the token is signed for it)',
        );
      }
      if (!url.hostname) {
        problems.push('DATABASE_URL: must name the host when DATABASE_AUTH=iam (the token is signed for it)');
      }
    }
    if (!e.AWS_REGION) {
      problems.push(
        'AWS_REGION: required when DATABASE_AUTH=iam (the token is signed for the database region)',
      );
    } else if (!AWS_REGION_PATTERN.test(e.AWS_REGION)) {
      problems.push(`AWS_REGION: must be an AWS region such as eu-central-1 (got '${e.AWS_REGION}')`);
    }
    if (e.DATABASE_SSL_MODE !== 'verify-full') {
      problems.push(
        `DATABASE_SSL_MODE: must be 'verify-full' when DATABASE_AUTH=iam (got '${e.DATABASE_SSL_MODE}'): the token is a bearer credential for 15 minutes`,
      );
    }
    if (e.DATABASE_PASSWORD_FILE) {
      problems.push(
        'DATABASE_PASSWORD_FILE: must be unset when DATABASE_AUTH=iam (the password is an IAM token)',
      );
    }
  } else if (e.DATABASE_PASSWORD_FILE) {
    if (!url) {
      problems.push('DATABASE_PASSWORD_FILE: needs DATABASE_URL (the embedded database has no password)');
    } else if (url.password) {
      problems.push(
        'DATABASE_URL: must not contain a password when DATABASE_PASSWORD_FILE is set (the file is the one source)',
      );
    }
  }
  return problems;
}

/** Parses the environment; throws ConfigError naming every bad variable. */
export function loadConfig(env: Env = process.env): Config {
  // Empty strings mean "unset": Kubernetes and shells often export VAR= for optional values.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const name = String(issue.path[0] ?? '(environment)');
        const got = cleaned[name];
        const shown = got === undefined || /SECRET|PASSWORD|DATABASE_URL/.test(name) ? '' : ` (got '${got}')`;
        return `${name}: ${issue.message}${shown}`;
      }),
    );
  }
  const e = parsed.data;
  const problems: string[] = [];
  const production = e.NODE_ENV === 'production';

  if (production && e.AUTH_MODE === 'dev') {
    problems.push("AUTH_MODE: 'dev' is refused when NODE_ENV=production (use 'oidc')");
  }
  if (e.AUTH_MODE === 'oidc') {
    for (const name of ['OIDC_ISSUER', 'OIDC_AUDIENCE', 'OIDC_JWKS_URI'] as const) {
      if (!e[name]) problems.push(`${name}: required when AUTH_MODE=oidc`);
    }
  }
  if (production && !e.DATABASE_URL) {
    problems.push(
      'DATABASE_URL: required when NODE_ENV=production (the embedded PGlite database is for development)',
    );
  }
  if (production && e.DATABASE_URL && e.DATABASE_SSL_MODE === 'disable') {
    problems.push("DATABASE_SSL_MODE: 'disable' is refused when NODE_ENV=production (use 'verify-full')");
  }
  problems.push(...databaseCredentialProblems(e));
  if (e.PORT !== 0 && e.PORT === e.METRICS_PORT) {
    problems.push('METRICS_PORT: must differ from PORT (metrics are served on their own port)');
  }
  if (production && !e.PROBLEM_TYPE_BASE.startsWith('https://')) {
    problems.push(
      `PROBLEM_TYPE_BASE: must be an https:// URL when NODE_ENV=production (got '${e.PROBLEM_TYPE_BASE}'): clients compare problem types across hosts`,
    );
  }
  if (e.SHUTDOWN_DELAY_MS >= e.SHUTDOWN_TIMEOUT_MS) {
    problems.push('SHUTDOWN_DELAY_MS: must be shorter than SHUTDOWN_TIMEOUT_MS');
  }
  if (e.XRAY_SAMPLING_ENDPOINT && !e.OTEL_EXPORTER_OTLP_ENDPOINT) {
    problems.push(
      'XRAY_SAMPLING_ENDPOINT: needs OTEL_EXPORTER_OTLP_ENDPOINT (sampling rules only matter when spans are exported)',
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const database: DatabaseConfig = e.DATABASE_URL
    ? {
        kind: 'postgres',
        url: e.DATABASE_URL,
        credentials:
          e.DATABASE_AUTH === 'iam'
            ? { source: 'iam', region: e.AWS_REGION as string }
            : e.DATABASE_PASSWORD_FILE
              ? { source: 'file', path: e.DATABASE_PASSWORD_FILE }
              : { source: 'url' },
        sslMode: e.DATABASE_SSL_MODE,
        sslCaFile: e.DATABASE_SSL_CA_FILE,
        poolMax: e.DATABASE_POOL_MAX,
        connectTimeoutMs: e.DATABASE_CONNECT_TIMEOUT_MS,
        statementTimeoutMs: e.DATABASE_STATEMENT_TIMEOUT_MS,
        idleTimeoutMs: e.DATABASE_IDLE_TIMEOUT_MS,
      }
    : { kind: 'pglite', dataDir: e.PGLITE_DATA_DIR };

  const auth: AuthConfig =
    e.AUTH_MODE === 'dev'
      ? { mode: 'dev', secret: e.DEV_AUTH_SECRET }
      : {
          mode: 'oidc',
          issuer: e.OIDC_ISSUER as string,
          audience: e.OIDC_AUDIENCE as string,
          jwksUri: e.OIDC_JWKS_URI as string,
        };

  return {
    env: e.NODE_ENV,
    // Containers must listen on all interfaces; a developer laptop should not by default.
    host: e.HOST ?? (production ? '0.0.0.0' : '127.0.0.1'),
    port: e.PORT,
    metricsPort: e.METRICS_PORT,
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT,
    database,
    migrateOnStart: e.MIGRATE_ON_START,
    auth,
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    problemTypeBase: e.PROBLEM_TYPE_BASE,
    keepAliveTimeoutMs: e.KEEP_ALIVE_TIMEOUT_MS,
    shutdownDelayMs: e.SHUTDOWN_DELAY_MS,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    tracing: e.OTEL_EXPORTER_OTLP_ENDPOINT
      ? {
          endpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT,
          serviceName: e.OTEL_SERVICE_NAME,
          ...(e.XRAY_SAMPLING_ENDPOINT ? { samplingEndpoint: e.XRAY_SAMPLING_ENDPOINT } : {}),
        }
      : undefined,
    postingBatch: { maxSize: e.POSTING_BATCH_MAX, windowMs: e.POSTING_BATCH_WINDOW_MS },
  };
}
