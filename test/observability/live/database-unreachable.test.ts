import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryVector } from '../../../scripts/local/prometheus-api.js';
import { routeTimers, seconds, watchFiring, watchResolved } from './support/drill.js';
import { type Load, startLoad } from './support/load.js';
import { type LiveStack, liveStackAvailable, startLiveStack } from './support/stack.js';

// The database drill, live: PostgreSQL stops under traffic, and the rendered
// BankApiDatabaseUnreachable rule must fire in Prometheus and reach the on-call receiver through
// Alertmanager's route within its `for:` plus the pipeline's own delays (a scrape, a rule evaluation,
// the route's group_wait); PostgreSQL starts again and the alert must resolve, and the resolution
// reach the receiver within the route's group_interval. The measured times are printed (they are
// quoted in docs/observability.md).

const ALERT = 'BankApiDatabaseUnreachable';
const available = liveStackAvailable('database-unreachable.test.ts');
/** Slack for the HTTP hops and the one-second polling of this test. */
const SLACK_SECONDS = 10;

describe.skipIf(!available)('database unreachable: live alert drill', () => {
  let stack: LiveStack;
  let load: Load;

  beforeAll(async () => {
    stack = await startLiveStack();
    load = await startLoad(stack.service, 2, 100);
    // A healthy baseline first: the readiness probe has reported the database up in a scrape.
    const t0 = Date.now();
    while ((await queryVector(stack.plan.prometheusUrl, 'bank_db_up == 1')).length === 0) {
      if (Date.now() - t0 > 120_000) throw new Error('bank_db_up never reached 1');
      await new Promise((r) => setTimeout(r, 1000));
    }
  }, 300_000);

  afterAll(async () => {
    await load?.stop();
    await stack?.stop();
  });

  it('fires within for: plus the pipeline delays, and resolves when the database is back', async () => {
    const rule = stack.plan.ruleGroups.flatMap((g) => g.rules ?? []).find((r) => r.alert === ALERT);
    expect(rule, `${ALERT} in the rendered PrometheusRule`).toBeDefined();
    const forSeconds = seconds(String(rule?.for ?? '0s'));
    const labels = (rule?.labels ?? {}) as Record<string, string>;
    const route = routeTimers(stack.plan.alertmanagerConfig, { alertname: ALERT, ...labels });
    const scrape = seconds(stack.plan.endpoints[0]?.interval ?? '30s');
    const evaluation = seconds('30s');
    const probe = 5;
    const fireBound = probe + scrape + forSeconds + 2 * evaluation + route.groupWait + SLACK_SECONDS;

    const stoppedAt = Date.now();
    await stack.postgres.stop('fast');
    const fired = await watchFiring(stack, ALERT, stoppedAt, (fireBound + 60) * 1000);
    expect(fired.delivered.receiver).toBe(route.receiver);

    const startedAt = Date.now();
    await stack.postgres.start();
    const resolveBound = probe + scrape + 2 * evaluation + route.groupInterval + SLACK_SECONDS;
    const resolved = await watchResolved(stack, ALERT, startedAt, (resolveBound + 60) * 1000);

    console.log(
      `database-unreachable drill (for: ${rule?.for}, scrape ${scrape}s, evaluation ${evaluation}s, ` +
        `group_wait ${route.groupWait}s, group_interval ${route.groupInterval}s):\n` +
        `  database stopped -> pending ${fired.pending.toFixed(0)}s, firing ${fired.firing.toFixed(0)}s, ` +
        `at the '${fired.delivered.receiver}' receiver ${fired.deliveredAfter.toFixed(0)}s (bound ${fireBound}s; ` +
        `${(fired.deliveredAfter - forSeconds).toFixed(0)}s beyond for:)\n` +
        `  database started -> inactive ${resolved.inactive.toFixed(0)}s, resolved at the receiver ` +
        `${resolved.deliveredAfter.toFixed(0)}s (bound ${resolveBound}s)`,
    );
    expect(fired.firing).toBeGreaterThanOrEqual(forSeconds);
    expect(fired.deliveredAfter).toBeLessThanOrEqual(fireBound);
    expect(resolved.deliveredAfter).toBeLessThanOrEqual(resolveBound);
  }, 900_000);
});
