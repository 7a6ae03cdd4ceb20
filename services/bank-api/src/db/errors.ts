// Which database failures may be retried, and which ones mean "the database is unavailable".

const SERIALIZATION_FAILURE = '40001';
const DEADLOCK_DETECTED = '40P01';

// Server going away or refusing connections (class 08, admin shutdown, crash shutdown, starting up,
// read-only standby during promotion), and the service's login refused (28000, 28P01: a credential
// rotation gone wrong is an outage to callers, not a bug in their request).
const UNAVAILABLE_SQLSTATES = new Set([
  '28000',
  '28P01',
  '57P01',
  '57P02',
  '57P03',
  '25006',
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '08007',
  '53300',
]);
const UNAVAILABLE_ERRNOS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
const UNAVAILABLE_MESSAGES = [
  'Connection terminated',
  'connection error',
  'timeout exceeded when trying to connect',
  'Client was closed and is not queryable',
  'Cannot use a pool after calling end',
  'Query read timeout',
];

interface ErrorLike {
  code?: unknown;
  message?: unknown;
}

const codeOf = (error: unknown): string | undefined => {
  const code = (error as ErrorLike | null)?.code;
  return typeof code === 'string' ? code : undefined;
};

/** The transaction was aborted by the server and nothing was committed: always safe to run again. */
export function isTransientConflict(error: unknown): boolean {
  const code = codeOf(error);
  return code === SERIALIZATION_FAILURE || code === DEADLOCK_DETECTED;
}

/** The database could not be reached or went away; whether a commit happened is unknown. */
export function isDatabaseUnavailable(error: unknown): boolean {
  const code = codeOf(error);
  if (code && (UNAVAILABLE_SQLSTATES.has(code) || UNAVAILABLE_ERRNOS.has(code))) return true;
  const message = (error as ErrorLike | null)?.message;
  return typeof message === 'string' && UNAVAILABLE_MESSAGES.some((m) => message.includes(m));
}

/** A statement ran into statement_timeout (or was cancelled); the transaction was rolled back. */
export function isStatementTimeout(error: unknown): boolean {
  return codeOf(error) === '57014';
}

export function sqlState(error: unknown): string | undefined {
  return codeOf(error);
}

/** pg's constraint name on integrity errors, when present. */
export function constraintOf(error: unknown): string | undefined {
  const constraint = (error as { constraint?: unknown } | null)?.constraint;
  return typeof constraint === 'string' ? constraint : undefined;
}
