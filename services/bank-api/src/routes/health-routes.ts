import Router from '@koa/router';
import type { Database } from '../db/database.js';
import { appliedVersion } from '../db/migrations.js';
import type { ServiceMetrics } from '../observability/metrics.js';

export interface Readiness {
  /** False once shutdown begins, so the load balancer drains this instance first. */
  accepting: boolean;
}

const READY_CHECK_TIMEOUT_MS = 2_000;

/** /livez says the process is alive (never touches the database); /readyz says it can serve traffic. */
export function healthRoutes(deps: {
  db: Database;
  metrics: ServiceMetrics;
  requiredVersion: number;
  readiness: Readiness;
}): Router {
  const router = new Router();
  router.get('/livez', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    if (!deps.readiness.accepting) {
      ctx.status = 503;
      ctx.body = { status: 'shutting-down' };
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('readiness check timed out')), READY_CHECK_TIMEOUT_MS);
    });
    try {
      const version = await Promise.race([appliedVersion(deps.db), timeout]);
      const ready = version >= deps.requiredVersion;
      deps.metrics.dbUp.set(ready ? 1 : 0);
      ctx.status = ready ? 200 : 503;
      ctx.body = ready
        ? { status: 'ready', schemaVersion: version }
        : { status: 'migrations-pending', schemaVersion: version, requiredVersion: deps.requiredVersion };
    } catch {
      deps.metrics.dbUp.set(0);
      ctx.status = 503;
      ctx.body = { status: 'database-unreachable' };
    } finally {
      clearTimeout(timer);
    }
  });
  return router;
}
