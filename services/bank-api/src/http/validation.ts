import type { Context } from 'koa';
import type { z } from 'zod';
import { IDEMPOTENCY_KEY_RULE, IdempotencyKey } from '../routes/schemas.js';
import { problems } from './problem.js';

/** Parses input with a zod schema; failure is a 400 problem listing each bad field. */
export function validate<S extends z.ZodType>(schema: S, input: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const errors = result.error.issues.map((issue) => ({
    path: issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)',
    message: issue.message,
  }));
  throw problems.validation(
    `The ${what} is invalid: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}.`,
    errors,
  );
}

/**
 * The JSON body, or a 415 when a body was sent in another format. A request without a body yields
 * undefined, which the route's schema rejects.
 */
export function jsonBody(ctx: Context): unknown {
  const hasBody = Number(ctx.get('Content-Length') || 0) > 0 || ctx.get('Transfer-Encoding') !== '';
  if (!hasBody) return undefined;
  if (!ctx.is('application/json')) throw problems.unsupportedMediaType();
  return (ctx.request as { body?: unknown }).body;
}

export function idempotencyKey(ctx: Context): string {
  const key = ctx.get('Idempotency-Key');
  if (!key) throw problems.idempotencyKeyRequired();
  if (!IdempotencyKey.safeParse(key).success) {
    throw problems.validation(`The Idempotency-Key header ${IDEMPOTENCY_KEY_RULE}.`, [
      { path: 'headers.Idempotency-Key', message: IDEMPOTENCY_KEY_RULE },
    ]);
  }
  return key;
}
