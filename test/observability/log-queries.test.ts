import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTAINER_LOG_RECORD } from '../../platform/lib/observability/container-logs.js';
import { OperatorLogQueries } from '../../platform/lib/observability/log-queries.js';
import {
  openAccount,
  startTestService,
  type TestService,
} from '../../services/bank-api/test/support/harness.js';
import { holds, parseInsightsQuery, valueAt } from './insights-query.js';

// Every field a saved Logs Insights query reads must be one the real service writes. bank-api runs
// in-process (PGlite); its JSON lines for a plain request, a failed transfer, a rejected login and a
// server error are wrapped the way aws-for-fluent-bit ships them to CloudWatch (the line merged under
// the merge key, the kubernetes filter's metadata beside it), and each query's fields, filter
// comparisons and stats groupings are checked against the line it is about. The queries are read
// from the synthesized template, as CloudWatch gets them.

/** Keys the Fluent Bit kubernetes filter adds (docs.fluentbit.io, "Kubernetes" filter), written out here. */
const KUBERNETES_METADATA = {
  pod_name: 'bank-api-7d9f8b6c4-x2x9q',
  namespace_name: 'bank',
  pod_id: '6f1c1e7e-0000-4000-8000-000000000000',
  labels: { 'app.kubernetes.io/name': 'bank-api' },
  host: 'ip-10-20-40-5.eu-central-1.compute.internal',
  container_name: 'api',
  docker_id: 'c0ffee',
  container_image: 'bank-api@sha256:0000',
};

/** Fields CloudWatch Logs Insights generates for every event. */
const SYSTEM_FIELDS = new Set(['@timestamp', '@message', '@logStream', '@log', '@ingestionTime']);

const asRecord = (line: Record<string, unknown>) => ({
  [CONTAINER_LOG_RECORD.mergedLogKey]: line,
  [CONTAINER_LOG_RECORD.kubernetesKey]: KUBERNETES_METADATA,
});

/** The saved queries of a synthesized stack, by name without the prefix. */
function savedQueries(): Map<string, { query: string; logGroups: unknown[] }> {
  const stack = new Stack(new App(), 'Queries');
  new OperatorLogQueries(stack, 'Queries', {
    queryNamePrefix: 'bank-test-ops',
    containerLogGroup: new logs.LogGroup(stack, 'Containers'),
    postgresqlLogGroup: new logs.LogGroup(stack, 'Postgresql'),
  });
  const defs = Template.fromStack(stack).findResources('AWS::Logs::QueryDefinition');
  return new Map(
    Object.values(defs).map((d) => [
      String(d.Properties.Name).replace(/^bank-test-ops\//, ''),
      { query: String(d.Properties.QueryString), logGroups: d.Properties.LogGroupNames },
    ]),
  );
}

describe('saved Logs Insights queries against real bank-api log lines', () => {
  let svc: TestService;
  const lines = new Map<string, Record<string, unknown>>();
  const queries = savedQueries();

  const accessLine = (reqId: string): Record<string, unknown> => {
    const found = svc.logs
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.reqId === reqId && typeof l.status === 'number');
    expect(found, `access line of ${reqId}`).toHaveLength(1);
    return found[0] as Record<string, unknown>;
  };

  beforeAll(async () => {
    svc = await startTestService('pglite');
    const headers = await svc.auth('queries');
    const from = await openAccount(svc, 'queries', { deposit: 100 });
    const to = await openAccount(svc, 'queries-payee');
    await svc.api.get('/v1/accounts').set(headers).set('X-Request-Id', 'q-ok').expect(200);
    await svc.api
      .post('/v1/transfers')
      .set(headers)
      .set('X-Request-Id', 'q-transfer')
      .set('Idempotency-Key', 'q-transfer')
      .send({ fromAccountId: from, toAccountId: to, amount: 500 })
      .expect(422);
    await svc.api
      .get('/v1/accounts')
      .set('Authorization', 'Bearer not-a-token')
      .set('X-Request-Id', 'q-login')
      .expect(401);
    // A server error: the database answers one query with an unexpected failure.
    const db = svc.server.db;
    const query = db.query.bind(db);
    db.query = (async () => {
      throw new Error('unexpected failure injected by the test');
    }) as typeof db.query;
    await svc.api.get('/v1/accounts').set(headers).set('X-Request-Id', 'q-error').expect(500);
    db.query = query;
    await new Promise((r) => setTimeout(r, 50));
    lines.set('request', accessLine('q-ok'));
    lines.set('failed transfer', accessLine('q-transfer'));
    lines.set('rejected login', accessLine('q-login'));
    lines.set('server error', accessLine('q-error'));
  });
  afterAll(async () => {
    await svc?.close();
  });

  it('captures the four kinds of line, in the shape the queries expect', () => {
    expect(lines.get('failed transfer')).toMatchObject({
      service: 'bank-api',
      method: 'POST',
      route: '/v1/transfers',
      status: 422,
      problem: 'insufficient-funds',
    });
    expect(lines.get('rejected login')).toMatchObject({ status: 401, problem: 'unauthorized' });
    expect(lines.get('server error')).toMatchObject({
      level: 'error',
      status: 500,
      problem: 'internal-error',
    });
  });

  // Which captured line each bank-api question is about.
  const cases: [string, string][] = [
    ['bank-api/errors-by-route', 'server error'],
    ['bank-api/slowest-requests', 'request'],
    ['bank-api/request-by-id', 'request'],
    ['bank-api/failed-transfers-by-reason', 'failed transfer'],
    ['bank-api/rejected-logins', 'rejected login'],
  ];

  it('covers every saved query over the container logs that reads bank-api lines', () => {
    const bankApiQueries = [...queries.keys()].filter((n) => n.startsWith('bank-api/')).sort();
    expect(bankApiQueries).toEqual(cases.map(([name]) => name).sort());
  });

  it.each(cases)('%s reads only fields the %s line has, and its filters select that line', (name, kind) => {
    const saved = queries.get(name);
    expect(saved, name).toBeDefined();
    const line = lines.get(kind) as Record<string, unknown>;
    const record = asRecord(line);
    const parsed = parseInsightsQuery(
      (saved?.query ?? '').replace('"REQUEST_ID"', JSON.stringify(line.reqId)),
    );
    const missing = parsed.fields.filter((f) => !SYSTEM_FIELDS.has(f) && valueAt(record, f) === undefined);
    expect(missing, `${name} reads fields the ${kind} line lacks`).toEqual([]);
    expect(parsed.comparisons.length).toBeGreaterThan(0);
    for (const c of parsed.comparisons) {
      expect(holds(record, c), `${name}: ${c.field} ${c.op} ${c.value} on ${JSON.stringify(line)}`).toBe(
        true,
      );
    }
  });

  it('does not select a plain successful request as a failed transfer, rejected login or error', () => {
    const record = asRecord(lines.get('request') as Record<string, unknown>);
    for (const name of [
      'bank-api/errors-by-route',
      'bank-api/failed-transfers-by-reason',
      'bank-api/rejected-logins',
    ]) {
      const parsed = parseInsightsQuery(queries.get(name)?.query ?? '');
      expect(
        parsed.comparisons.every((c) => holds(record, c)),
        name,
      ).toBe(false);
    }
  });
});
