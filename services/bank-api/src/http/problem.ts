import type { Context, Next } from 'koa';
import type { Logger } from 'pino';
import { isDatabaseUnavailable, isStatementTimeout } from '../db/errors.js';

// RFC 9457 problem details. Every error the API returns goes through here, so clients see one shape.
// A problem's `type` is `<base><slug>`; the base is configuration (PROBLEM_TYPE_BASE, config.ts), set
// by the manifests from the environment config, so no organisation's domain is written here.

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  [extension: string]: unknown;
}

export class ProblemError extends Error {
  readonly status: number;
  readonly slug: string;
  readonly title: string;
  readonly extensions: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    slug: string,
    title: string,
    detail: string,
    extensions: Record<string, unknown> = {},
    headers: Record<string, string> = {},
  ) {
    super(detail);
    this.name = 'ProblemError';
    this.status = status;
    this.slug = slug;
    this.title = title;
    this.extensions = extensions;
    this.headers = headers;
  }

  /** The problem+json body; `typeBase` is the configured base of the `type` URIs. */
  toProblemDetails(typeBase: string, instance?: string): ProblemDetails {
    return {
      type: `${typeBase}${this.slug}`,
      title: this.title,
      status: this.status,
      detail: this.message,
      ...(instance ? { instance } : {}),
      ...this.extensions,
    };
  }
}

export const problems = {
  validation: (detail: string, errors: { path: string; message: string }[]) =>
    new ProblemError(400, 'validation-error', 'Request validation failed', detail, { errors }),
  malformedJson: () =>
    new ProblemError(400, 'malformed-json', 'Malformed JSON', 'The request body is not valid JSON.'),
  unsupportedMediaType: () =>
    new ProblemError(
      415,
      'unsupported-media-type',
      'Unsupported media type',
      "Send the request body as 'application/json'.",
      {},
      {
        'Accept-Post': 'application/json',
      },
    ),
  payloadTooLarge: (limit: number) =>
    new ProblemError(
      413,
      'payload-too-large',
      'Payload too large',
      `The request body exceeds ${limit} bytes.`,
    ),
  unauthorized: (detail: string) =>
    new ProblemError(
      401,
      'unauthorized',
      'Unauthorized',
      detail,
      {},
      { 'WWW-Authenticate': 'Bearer realm="bank-api"' },
    ),
  notFound: (detail: string) => new ProblemError(404, 'not-found', 'Not found', detail),
  // The router sets the Allow header itself before this is thrown.
  methodNotAllowed: () =>
    new ProblemError(
      405,
      'method-not-allowed',
      'Method not allowed',
      'The resource does not support this method; see the Allow header.',
    ),
  idempotencyKeyRequired: () =>
    new ProblemError(
      400,
      'idempotency-key-required',
      'Idempotency-Key required',
      'Send an Idempotency-Key header (1-255 visible ASCII characters) with every request that moves money.',
    ),
  idempotencyConflict: () =>
    new ProblemError(
      409,
      'idempotency-conflict',
      'Idempotency key reused',
      'This Idempotency-Key was already used with a different request.',
    ),
  insufficientFunds: () =>
    new ProblemError(
      422,
      'insufficient-funds',
      'Insufficient funds',
      'The source account balance is lower than the amount.',
    ),
  currencyMismatch: (from: string, to: string) =>
    new ProblemError(
      422,
      'currency-mismatch',
      'Currency mismatch',
      `Cannot move ${from} into a ${to} account.`,
    ),
  sameAccount: () =>
    new ProblemError(422, 'same-account', 'Same account', 'The source and destination accounts must differ.'),
  unsupportedCurrency: (currency: string) =>
    new ProblemError(
      422,
      'unsupported-currency',
      'Unsupported currency',
      `The bank does not hold accounts in ${currency}.`,
    ),
  unavailable: (detail: string) =>
    new ProblemError(503, 'service-unavailable', 'Service unavailable', detail, {}, { 'Retry-After': '1' }),
};

interface HttpErrorLike {
  status?: unknown;
  statusCode?: unknown;
  type?: unknown;
  expose?: unknown;
}

/** Maps errors thrown by koa's body parser and friends to problems; unknown ones become 500. */
function toProblem(error: unknown, bodyLimit: number): { problem: ProblemError; unexpected: boolean } {
  if (error instanceof ProblemError) return { problem: error, unexpected: false };
  if (isDatabaseUnavailable(error) || isStatementTimeout(error)) {
    return {
      problem: problems.unavailable(
        'The ledger database is unavailable; retry with the same Idempotency-Key.',
      ),
      unexpected: false,
    };
  }
  const e = (error ?? {}) as HttpErrorLike;
  const status = Number(e.status ?? e.statusCode);
  if (e.type === 'entity.too.large' || status === 413)
    return { problem: problems.payloadTooLarge(bodyLimit), unexpected: false };
  // co-body marks JSON syntax errors with a bare status 400.
  if (e.type === 'entity.parse.failed' || status === 400)
    return { problem: problems.malformedJson(), unexpected: false };
  if (status === 415 || e.type === 'charset.unsupported' || e.type === 'encoding.unsupported') {
    return { problem: problems.unsupportedMediaType(), unexpected: false };
  }
  if (Number.isInteger(status) && status >= 400 && status < 500) {
    return {
      problem: new ProblemError(status, 'bad-request', 'Bad request', 'The request could not be processed.'),
      unexpected: false,
    };
  }
  return {
    problem: new ProblemError(
      500,
      'internal-error',
      'Internal server error',
      'An unexpected error occurred.',
    ),
    unexpected: true,
  };
}

/** Outermost error boundary: renders problem+json and logs what the client did not cause. */
export function problemHandler(bodyLimit: number, problemTypeBase: string) {
  return async (ctx: Context, next: Next): Promise<void> => {
    try {
      await next();
      // The router answers unknown paths and methods with empty bodies; give them problem bodies.
      if (ctx.body === undefined || ctx.body === null) {
        if (ctx.status === 404) throw problems.notFound(`No route for ${ctx.method} ${ctx.path}.`);
        if (ctx.status === 405) throw problems.methodNotAllowed();
        if (ctx.status === 501)
          throw new ProblemError(
            501,
            'not-implemented',
            'Not implemented',
            `Method ${ctx.method} is not supported.`,
          );
      }
    } catch (error) {
      const { problem, unexpected } = toProblem(error, bodyLimit);
      const log = (ctx.state.log ?? undefined) as Logger | undefined;
      if (unexpected) log?.error({ err: error }, 'unhandled error');
      else if (problem.status >= 500) log?.warn({ err: error }, problem.title);
      ctx.status = problem.status;
      ctx.state.problem = problem.slug;
      for (const [name, value] of Object.entries(problem.headers)) ctx.set(name, value);
      ctx.type = PROBLEM_CONTENT_TYPE;
      ctx.body = problem.toProblemDetails(
        problemTypeBase,
        ctx.state.requestId ? `urn:request:${ctx.state.requestId}` : undefined,
      );
    }
  };
}
