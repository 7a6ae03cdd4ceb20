import type { Logger } from 'pino';
import { ConfigError, type DatabaseConfig } from '../config.js';
import { connectionTarget, IamAuthToken, PasswordFile, type PasswordSource } from './credentials.js';
import type { Database } from './database.js';
import { PgDatabase } from './pg-database.js';
import { PGliteDatabase } from './pglite-database.js';

export interface OpenDatabaseEvents {
  /** Errors on idle pooled connections (server restart, failover). */
  onPoolError?: (error: Error) => void;
  /** A new connection's password was refused and the operation is tried again. */
  onAuthRetry?: (error: unknown, attempt: number) => void;
  /** DATABASE_PASSWORD_FILE holds a password the server does not take yet; the previous one is used. */
  onPasswordFallback?: () => void;
}

/** Opens the configured database: a pg pool for a real server, or embedded PGlite without DATABASE_URL. */
export async function openDatabase(config: DatabaseConfig, on: OpenDatabaseEvents = {}): Promise<Database> {
  if (config.kind === 'pglite') return PGliteDatabase.create(config.dataDir);
  let passwordSource: PasswordSource | undefined;
  if (config.credentials.source === 'file') {
    const file = new PasswordFile(config.credentials.path, { onFallback: on.onPasswordFallback });
    // Fail at start, with the variable named, rather than on the first connection.
    const first = await file.read().catch((error: Error) => {
      const reason = error.cause instanceof Error ? error.cause.message : error.message;
      throw new ConfigError([`DATABASE_PASSWORD_FILE: cannot read ${file.path} (${reason})`]);
    });
    if (first === '') throw new ConfigError([`DATABASE_PASSWORD_FILE: ${file.path} is empty`]);
    passwordSource = file;
  } else if (config.credentials.source === 'iam') {
    const { host, port, user } = connectionTarget(config.url);
    passwordSource = new IamAuthToken({ host, port, user, region: config.credentials.region });
  }
  return new PgDatabase({
    ...config,
    passwordSource,
    onPoolError: on.onPoolError,
    onAuthRetry: on.onAuthRetry,
  });
}

/** The pool's events as log lines. */
export function databaseEvents(logger: Logger): OpenDatabaseEvents {
  return {
    onPoolError: (error) => logger.warn({ err: error }, 'database connection lost'),
    onAuthRetry: (error, attempt) =>
      logger.warn({ err: error, attempt }, 'database refused the password of a new connection: retrying'),
    onPasswordFallback: () =>
      logger.warn(
        'the password in DATABASE_PASSWORD_FILE is refused; using the previous one until the server takes the new one (rotation in progress)',
      ),
  };
}
