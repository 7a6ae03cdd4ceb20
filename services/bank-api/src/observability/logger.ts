import { type DestinationStream, type Logger, pino } from 'pino';

// Tokens, passwords and connection strings never reach the logs, whatever object they hide in.
export const REDACTED_PATHS = [
  'authorization',
  'token',
  'password',
  'secret',
  'databaseUrl',
  '*.authorization',
  '*.token',
  '*.password',
  '*.secret',
  '*.databaseUrl',
  'headers.authorization',
  'headers.cookie',
  'req.headers.authorization',
  'req.headers.cookie',
];

/**
 * Stdout written in 4 KiB batches instead of one write(2) per line: the per-request access log was
 * a measurable share of the service's CPU under load. The server flushes it on shutdown.
 */
export const bufferedStdout = (): DestinationStream =>
  pino.destination({ dest: 1, sync: false, minLength: 4096 });

/**
 * Where the service logs: JSON for machines (pods, pipes, files), readable colored lines when a
 * person runs it in a terminal. pino-pretty is loaded only then, so production never imports it.
 */
export async function logDestination(
  format: 'auto' | 'json' | 'pretty',
  stdoutIsTerminal = process.stdout.isTTY === true,
): Promise<DestinationStream> {
  if (format === 'json' || (format === 'auto' && !stdoutIsTerminal)) return bufferedStdout();
  const { default: pretty } = await import('pino-pretty');
  return pretty({ colorize: stdoutIsTerminal, sync: true, translateTime: 'SYS:HH:MM:ss.l' });
}

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'bank-api' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}

/** A URL safe to log: the password replaced. */
export function redactUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.password) url.password = 'redacted';
    return url.toString();
  } catch {
    return '[unparseable url]';
  }
}
