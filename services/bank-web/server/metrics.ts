import type { Context, Next } from 'koa';
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/** Which kind of response a path is: a bounded label (paths themselves would explode the series). */
export type RouteLabel = 'asset' | 'index' | 'config' | 'health' | 'not-found';

export class WebMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'bank_web_http_requests_total',
    help: 'HTTP requests served by bank-web, by method, route kind and status code.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  readonly duration = new Histogram({
    name: 'bank_web_http_request_duration_seconds',
    help: 'Time to answer an HTTP request of bank-web, by route kind.',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'bank_web_' });
  }

  /** Counts and times every request; the route kind is set by the handler on ctx.state.route. */
  middleware() {
    return async (ctx: Context, next: Next): Promise<void> => {
      const stop = this.duration.startTimer();
      try {
        await next();
      } finally {
        const route = (ctx.state.route as RouteLabel | undefined) ?? 'not-found';
        const method = ['GET', 'HEAD'].includes(ctx.method) ? ctx.method : 'OTHER';
        stop({ method, route });
        this.requests.inc({ method, route, status: String(ctx.status) });
      }
    };
  }
}
