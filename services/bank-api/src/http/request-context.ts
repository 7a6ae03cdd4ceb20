import { randomUUID } from 'node:crypto';
import { context, propagation, SpanKind, SpanStatusCode, type Tracer, trace } from '@opentelemetry/api';
import type { Context, Next } from 'koa';
import type { Logger } from 'pino';
import type { ServiceMetrics } from '../observability/metrics.js';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** A UUID path segment (account and transfer ids). */
const ID_SEGMENT = /\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?=\/|$)/gi;

/**
 * The request path with ids replaced by `:id`: what the X-Ray sampling rules match on before the
 * route is known (`/v1/accounts/*\/deposits`), without account or transfer ids in the traces.
 */
export const tracedPath = (path: string): string => path.replace(ID_SEGMENT, '/:id');

export interface RequestContextDeps {
  logger: Logger;
  metrics: ServiceMetrics;
  tracer: Tracer;
}

const routeOf = (ctx: Context): string => {
  const matched = ctx._matchedRoute;
  return typeof matched === 'string' ? matched : 'unmatched';
};

/**
 * Per request: a request id (the caller's, when well formed), a child logger, a server span, the
 * duration histogram and one access-log line. Runs outside the problem handler so it sees final statuses.
 */
export function requestContext({ logger, metrics, tracer }: RequestContextDeps) {
  return async (ctx: Context, next: Next): Promise<void> => {
    const started = process.hrtime.bigint();
    const incoming = ctx.get('X-Request-Id');
    const requestId = REQUEST_ID.test(incoming) ? incoming : randomUUID();
    ctx.state.requestId = requestId;
    ctx.set('X-Request-Id', requestId);
    // Most requests log one access line and nothing else, so the per-request child logger (which
    // serialises its bindings when built) is made only when something else asks for it.
    let child: Logger | undefined;
    Object.defineProperty(ctx.state, 'log', {
      get: () => {
        child ??= logger.child({ reqId: requestId });
        return child;
      },
      configurable: true,
      enumerable: true,
    });
    metrics.inFlight.inc();

    const parent = propagation.extract(context.active(), ctx.headers);
    const span = tracer.startSpan(
      `${ctx.method}`,
      // What the X-Ray sampling rules match on is known before the route is: method and path.
      {
        kind: SpanKind.SERVER,
        attributes: { 'http.request.method': ctx.method, 'url.path': tracedPath(ctx.path) },
      },
      parent,
    );
    try {
      await context.with(trace.setSpan(parent, span), next);
    } finally {
      const route = routeOf(ctx);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.inFlight.dec();
      metrics.httpDuration.observe({ method: ctx.method, route, status_code: String(ctx.status) }, seconds);
      span.updateName(`${ctx.method} ${route}`);
      span.setAttributes({
        'http.route': route,
        'http.response.status_code': ctx.status,
        'bank.request_id': requestId,
      });
      if (ctx.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
      const entry = {
        reqId: requestId,
        method: ctx.method,
        route,
        status: ctx.status,
        durationMs: Math.round(seconds * 1e4) / 10,
        customerId: ctx.state.customerId as string | undefined,
        // The problem type's slug of an error response (insufficient-funds, unauthorized, ...).
        problem: ctx.state.problem as string | undefined,
      };
      if (ctx.status >= 500) logger.error(entry, 'request failed');
      else logger.info(entry, 'request');
    }
  };
}
