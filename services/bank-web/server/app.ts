import { existsSync } from 'node:fs';
import { STATUS_CODES } from 'node:http';
import { extname, join, sep } from 'node:path';
import Koa, { type Context } from 'koa';
import serve from 'koa-static';
import type { Logger } from 'pino';
import { type AuthSettings, publicConfig } from './config.js';
import type { RouteLabel, WebMetrics } from './metrics.js';
import { securityHeaders } from './security-headers.js';

export interface Readiness {
  /** False once shutdown begins, so the load balancer drains this instance first. */
  accepting: boolean;
}

export interface WebAppDeps {
  /** The built app (index.html, assets/), e.g. services/bank-web/dist/public. */
  staticDir: string;
  auth: AuthSettings;
  metrics: WebMetrics;
  logger: Logger;
  readiness: Readiness;
}

const HASHED_ASSETS = `${sep}assets${sep}`;
const noop = async () => {};

/**
 * The web server: the built files (precompressed .br/.gz when the browser takes them), index.html for
 * every other page path (the app routes in the browser), the runtime config and health endpoints.
 */
export function createWebApp(deps: WebAppDeps): Koa {
  if (!existsSync(join(deps.staticDir, 'index.html'))) {
    throw new Error(`no built web app in ${deps.staticDir} (run npm run web:build)`);
  }
  const app = new Koa();
  app.proxy = true; // behind the ALB
  app.silent = true;
  const config = JSON.stringify(publicConfig(deps.auth));
  const files = serve(deps.staticDir, {
    index: false,
    gzip: true,
    brotli: true,
    hidden: false,
    setHeaders(res, path) {
      // Hashed file names never change content: cache them for a year. Everything else (index.html,
      // the favicon) is revalidated, so a release is seen on the next load.
      res.setHeader(
        'Cache-Control',
        path.includes(HASHED_ASSETS) ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
      res.setHeader('Vary', 'Accept-Encoding');
    },
  });
  const route = (ctx: Context, label: RouteLabel) => {
    ctx.state.route = label;
  };

  app.use(deps.metrics.middleware());
  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      // koa-send refuses paths outside the root (403) and malformed ones (400): the client's doing.
      const status = Number((error as { status?: unknown }).status);
      const client = Number.isInteger(status) && status >= 400 && status < 500;
      if (!client) deps.logger.error({ err: error, path: ctx.path }, 'request failed');
      ctx.status = client ? status : 500;
      ctx.type = 'text/plain';
      ctx.body = `${STATUS_CODES[ctx.status] ?? 'Error'}\n`;
    }
  });
  app.use(securityHeaders(deps.auth));
  app.use(async (ctx, next) => {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
      ctx.status = 405;
      ctx.set('Allow', 'GET, HEAD');
      ctx.type = 'text/plain';
      ctx.body = 'Method not allowed\n';
      return;
    }
    switch (ctx.path) {
      case '/livez':
        route(ctx, 'health');
        ctx.set('Cache-Control', 'no-store');
        ctx.body = { status: 'ok' };
        return;
      case '/readyz':
        route(ctx, 'health');
        ctx.set('Cache-Control', 'no-store');
        ctx.status = deps.readiness.accepting ? 200 : 503;
        ctx.body = { status: deps.readiness.accepting ? 'ready' : 'shutting-down' };
        return;
      case '/config.json':
        route(ctx, 'config');
        ctx.set('Cache-Control', 'no-store');
        ctx.type = 'application/json';
        ctx.body = config;
        return;
      case '/index.html':
        // One address per page: the app's root is '/'.
        ctx.redirect('/');
        return;
    }
    await next();
  });
  app.use(async (ctx, next) => {
    await files(ctx, noop);
    if (ctx.body !== undefined && ctx.body !== null) {
      route(ctx, 'asset');
      return;
    }
    await next();
  });
  app.use(async (ctx) => {
    // A path with a file extension names a file that is not there; any other path is a page.
    if (extname(ctx.path) !== '' || ctx.path.startsWith('/assets/')) {
      ctx.status = 404;
      ctx.type = 'text/plain';
      ctx.body = 'Not found\n';
      return;
    }
    route(ctx, 'index');
    const requested = ctx.path;
    ctx.path = '/index.html';
    await files(ctx, noop);
    ctx.path = requested;
  });
  return app;
}
