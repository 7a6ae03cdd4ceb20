import { bodyParser } from '@koa/bodyparser';
import type { Tracer } from '@opentelemetry/api';
import Koa from 'koa';
import type { Logger } from 'pino';
import type { Database } from './db/database.js';
import type { Authenticator } from './http/auth.js';
import { problemHandler } from './http/problem.js';
import { requestContext } from './http/request-context.js';
import { securityHeaders } from './http/security-headers.js';
import { Ledger } from './ledger/ledger.js';
import { type BatchingOptions, PostingBatcher } from './ledger/posting-batcher.js';
import type { ServiceMetrics } from './observability/metrics.js';
import { apiRoutes, devTokenRoutes } from './routes/api-routes.js';
import { healthRoutes, type Readiness } from './routes/health-routes.js';
import { openApiRoutes } from './routes/openapi-routes.js';

export interface AppDeps {
  db: Database;
  logger: Logger;
  metrics: ServiceMetrics;
  tracer: Tracer;
  authenticator: Authenticator;
  bodyLimitBytes: number;
  /** Base of the problem `type` URIs (config PROBLEM_TYPE_BASE). */
  problemTypeBase: string;
  requiredSchemaVersion: number;
  readiness: Readiness;
  /** How transfers and deposits are gathered into batches (config postingBatch). */
  postingBatch: BatchingOptions;
}

/** The koa application: middleware order is request context → problems → headers → body → routes. */
export function createApp(deps: AppDeps): Koa {
  const app = new Koa();
  app.proxy = true; // behind the ALB: trust X-Forwarded-* for protocol and client address
  app.silent = true; // errors are logged by the problem handler, not koa's default stderr printer

  const ledger = new Ledger(deps.db, (error, attempt) =>
    deps.logger.warn({ err: error, attempt }, 'retrying database operation'),
  );

  const postings = new PostingBatcher(ledger, deps.postingBatch, (size) =>
    deps.metrics.postingBatchSize.observe(size),
  );

  app.use(async (ctx, next) => {
    await next();
    // Once draining, ask keep-alive clients to reconnect (to another replica) after this response.
    if (!deps.readiness.accepting) ctx.set('Connection', 'close');
  });
  app.use(requestContext({ logger: deps.logger, metrics: deps.metrics, tracer: deps.tracer }));
  app.use(problemHandler(deps.bodyLimitBytes, deps.problemTypeBase));
  app.use(securityHeaders());
  app.use(
    bodyParser({
      enableTypes: ['json'],
      jsonLimit: deps.bodyLimitBytes,
      jsonStrict: true,
      encoding: 'utf-8',
      onError: (error) => {
        throw error;
      },
    }),
  );

  const routers = [
    healthRoutes({
      db: deps.db,
      metrics: deps.metrics,
      requiredVersion: deps.requiredSchemaVersion,
      readiness: deps.readiness,
    }),
    openApiRoutes(),
    devTokenRoutes(deps.authenticator),
    apiRoutes({ ledger, postings, authenticator: deps.authenticator, metrics: deps.metrics }),
  ];
  for (const router of routers) {
    if (!router) continue;
    app.use(router.routes());
    app.use(router.allowedMethods());
  }
  return app;
}
