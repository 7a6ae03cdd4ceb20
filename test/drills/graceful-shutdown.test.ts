import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type ServiceProcess, startServiceProcess } from '../../services/bank-api/bench/service-process.js';
import { createAuthenticator } from '../../services/bank-api/src/http/auth.js';
import { createScratchDatabase } from '../support/postgres.js';
import { customerBalanceTotal, describeReport, drillViolations } from './support/ledger-checks.js';
import { type LoadBalancer, startLoadBalancer } from './support/load-balancer.js';
import { pgQuery } from './support/sql.js';
import { type Payer, startTransferLoad } from './support/transfer-load.js';

// A rollout, locally: two real service processes behind a load balancer under steady transfers; one
// gets SIGTERM as Kubernetes sends it. Its readiness turns off at once, the balancer stops routing to
// it within a probe interval, in-flight requests finish, and it exits 0 well inside its grace period.
// Not one client request may fail.

const SHUTDOWN_DELAY_MS = 2_000; // stands in for the pod's preStop pause
const SHUTDOWN_TIMEOUT_MS = 10_000;
const GRACE_PERIOD_MS = 15_000; // terminationGracePeriodSeconds

describe.skipIf(!inject('postgresAdminUrl'))(
  'graceful shutdown drill (two instances behind a load balancer)',
  () => {
    let scratch: { url: string; drop(): Promise<void> };
    let logDir: string;
    const instances: ServiceProcess[] = [];
    let balancer: LoadBalancer;
    const secret = randomBytes(32).toString('base64url');

    beforeAll(async () => {
      scratch = await createScratchDatabase(inject('postgresAdminUrl'), 'bank_drill');
      logDir = await mkdtemp(join(tmpdir(), 'bank-drill-'));
      for (const name of ['a', 'b']) {
        instances.push(
          await startServiceProcess({
            env: {
              DATABASE_URL: scratch.url,
              DEV_AUTH_SECRET: secret,
              LOG_LEVEL: 'info',
              SHUTDOWN_DELAY_MS: String(SHUTDOWN_DELAY_MS),
              SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
            },
            logFile: join(logDir, `${name}.log`),
          }),
        );
      }
      balancer = await startLoadBalancer(instances.map((i) => i.url));
    });
    afterAll(async () => {
      await balancer?.close();
      for (const instance of instances) if (instance.child.exitCode === null) instance.child.kill('SIGKILL');
      await scratch?.drop();
      if (logDir) await rm(logDir, { recursive: true, force: true });
    });

    it('SIGTERM to one instance: zero failed requests, exit 0 within the grace period', async () => {
      const issuer = createAuthenticator({ mode: 'dev', secret });
      const call = async (path: string, token: string, body: object, key?: string) => {
        const res = await fetch(`${balancer.url}${path}`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${token}`,
            ...(key ? { 'idempotency-key': key } : {}),
          },
          body: JSON.stringify(body),
        });
        expect(res.status).toBe(201);
        return (await res.json()) as { id: string };
      };
      const accounts: { token: string; id: string }[] = [];
      for (let i = 0; i < 8; i++) {
        const { token } = await (issuer.issueDevToken as NonNullable<typeof issuer.issueDevToken>)(
          `rollout-${i}`,
        );
        const { id } = await call('/v1/accounts', token, { currency: 'EUR' });
        await call(`/v1/accounts/${id}/deposits`, token, { amount: 1_000_000 }, `seed-${id}`);
        accounts.push({ token, id });
      }
      const payers: Payer[] = accounts.map((a, i) => ({
        token: a.token,
        fromAccountId: a.id,
        toAccountId: (accounts[(i + 1) % accounts.length] as { id: string }).id,
      }));
      const query = (text: string, params?: unknown[]) => pgQuery(scratch.url, text, params);
      const before = await customerBalanceTotal(query);

      const load = startTransferLoad({
        baseUrl: () => balancer.url,
        payers,
        label: 'rollout',
        retryPauseMs: 0,
      });
      while (load.acknowledgedCount < 200) await sleep(20);

      const [leaving, staying] = instances as [ServiceProcess, ServiceProcess];
      const servedBefore = balancer.forwarded.get(leaving.url) ?? 0;
      const exited = once(leaving.child, 'exit');
      const signalledAt = Date.now();
      leaving.child.kill('SIGTERM');
      const [code] = (await exited) as [number | null];
      const exitMs = Date.now() - signalledAt;
      const ackAtExit = load.acknowledgedCount;
      while (load.acknowledgedCount < ackAtExit + 200) await sleep(20);
      const report = await load.stop();

      console.info(
        describeReport(
          'rolling restart (SIGTERM)',
          report,
          `; instance exited ${code} after ${exitMs} ms (preStop pause ${SHUTDOWN_DELAY_MS} ms, grace ${GRACE_PERIOD_MS} ms); ` +
            `leaving instance served ${balancer.forwarded.get(leaving.url)} requests, the other ${balancer.forwarded.get(staying.url)}`,
        ),
      );
      expect(code).toBe(0);
      expect(exitMs).toBeGreaterThanOrEqual(SHUTDOWN_DELAY_MS);
      expect(exitMs).toBeLessThan(GRACE_PERIOD_MS);
      expect(report.failures).toEqual({});
      expect(report.retries).toBe(0);
      // Both instances carried load before the signal; afterwards the other one carried it alone.
      expect(servedBefore).toBeGreaterThan(0);
      expect(balancer.forwarded.get(staying.url) ?? 0).toBeGreaterThan(200);
      expect(await drillViolations(query, report, 'rollout')).toEqual([]);
      expect(await customerBalanceTotal(query)).toBe(before);
    });
  },
);
