// The web server's configuration: environment variables only, checked once at start so a bad value
// stops the process naming the variable (exit 78, as bank-api) instead of failing on first use. The
// names are the contract with the Kubernetes manifests (charts/): keep them.

export type AuthSettings = { mode: 'dev' } | { mode: 'oidc'; issuer: string; clientId: string };

export interface WebConfig {
  env: 'development' | 'test' | 'production';
  host: string;
  port: number;
  metricsPort: number;
  logLevel: string;
  auth: AuthSettings;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const NODE_ENVS = ['development', 'test', 'production'] as const;
// A client id goes into URLs and the identity provider's logs: printable ASCII without spaces.
const CLIENT_ID = /^[\x21-\x7E]{1,255}$/;

export function loadWebConfig(raw: Record<string, string | undefined> = process.env): WebConfig {
  // Empty means unset: Kubernetes and shells often export VAR= for optional values.
  const env = (name: string) => (raw[name] === '' ? undefined : raw[name]);
  const problems: string[] = [];
  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const value = env(name) ?? fallback;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    problems.push(`${name}: must be one of ${allowed.join(', ')} (got '${value}')`);
    return fallback;
  };
  const port = (name: string, fallback: number): number => {
    const value = env(name);
    if (value === undefined) return fallback;
    if (/^\d{1,5}$/.test(value) && Number(value) <= 65_535) return Number(value);
    problems.push(`${name}: must be a port number from 0 to 65535 (got '${value}')`);
    return fallback;
  };

  const nodeEnv = oneOf('NODE_ENV', NODE_ENVS, 'development');
  const production = nodeEnv === 'production';
  const portNumber = port('PORT', 8080);
  const metricsPort = port('METRICS_PORT', 9464);
  const logLevel = oneOf('LOG_LEVEL', LOG_LEVELS, 'info');
  const mode = oneOf('AUTH_MODE', ['dev', 'oidc'] as const, 'dev');
  if (portNumber !== 0 && portNumber === metricsPort) {
    problems.push('METRICS_PORT: must differ from PORT (metrics are served on their own port)');
  }
  if (production && mode === 'dev') {
    problems.push("AUTH_MODE: 'dev' is refused when NODE_ENV=production (use 'oidc')");
  }

  let auth: AuthSettings = { mode: 'dev' };
  if (mode === 'oidc') {
    const issuer = env('OIDC_ISSUER');
    const clientId = env('OIDC_CLIENT_ID');
    if (!issuer) problems.push('OIDC_ISSUER: required when AUTH_MODE=oidc');
    else if (!URL.canParse(issuer) || !['https:', 'http:'].includes(new URL(issuer).protocol)) {
      problems.push(`OIDC_ISSUER: must be an http(s) URL (got '${issuer}')`);
    } else if (production && new URL(issuer).protocol !== 'https:') {
      problems.push(`OIDC_ISSUER: must be an https:// URL when NODE_ENV=production (got '${issuer}')`);
    }
    if (!clientId) problems.push('OIDC_CLIENT_ID: required when AUTH_MODE=oidc');
    else if (!CLIENT_ID.test(clientId)) {
      problems.push('OIDC_CLIENT_ID: must be 1-255 visible ASCII characters without spaces');
    }
    auth = { mode: 'oidc', issuer: issuer ?? '', clientId: clientId ?? '' };
  }
  if (problems.length > 0) throw new ConfigError(problems);

  return {
    env: nodeEnv,
    // Containers listen on all interfaces; a developer's laptop does not by default.
    host: env('HOST') ?? (production ? '0.0.0.0' : '127.0.0.1'),
    port: portNumber,
    metricsPort,
    logLevel,
    auth,
  };
}

/** What the browser app reads at GET /config.json: nothing secret, only what it needs to sign in. */
export function publicConfig(auth: AuthSettings) {
  return auth.mode === 'dev'
    ? { authMode: 'dev' as const }
    : { authMode: 'oidc' as const, oidc: { issuer: auth.issuer, clientId: auth.clientId } };
}
