import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { traceCollectorValues, XRAY_INDEXED_ATTRIBUTES } from '../../argocd/trace-collector-values.js';
import { loadEnvironments } from '../../platform/config/index.js';
import { TraceSamplingRules } from '../../platform/lib/observability/sampling-rules.js';
import { openAccount, startTestService } from '../../services/bank-api/test/support/harness.js';
import { exportedSpans } from '../../services/bank-api/test/support/otlp.js';

// The X-Ray sampling rules the platform creates, applied by the real service: an in-process stand-in
// for the collector's awsproxy extension answers GetSamplingRules with the rules exactly as they are
// in the synthesized template (CloudFormation and the X-Ray API spell them alike), and an in-process
// OTLP receiver collects what bank-api exports. The probes must never be exported; money movement
// and everything else must be.

function synthesizedRules(): unknown[] {
  const stack = new Stack(new App(), 'Rules');
  new TraceSamplingRules(stack, 'Rules', { serviceName: 'bank-api', rulePrefix: 'bank-test-api' });
  return Object.values(Template.fromStack(stack).findResources('AWS::XRay::SamplingRule')).map(
    (r) => r.Properties.SamplingRule,
  );
}

async function listen(server: Server): Promise<string> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('X-Ray sampling rules applied by bank-api', () => {
  const exported: string[] = [];
  const proxyCalls: string[] = [];
  /** What the stand-in proxy answers GetSamplingRules with (an operator may change a rule's rate). */
  let rules: (rule: Record<string, unknown>) => Record<string, unknown> = (rule) => rule;
  let rulesServed: () => void = () => {};
  const receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += String(c);
    });
    req.on('end', () => {
      exported.push(body);
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
    });
  });
  const proxy = createServer((req, res) => {
    proxyCalls.push(`${req.method} ${req.url}`);
    req.resume();
    req.on('end', () => {
      if (req.url === '/GetSamplingRules') {
        const records = synthesizedRules().map((rule) => ({
          SamplingRule: rules(rule as Record<string, unknown>),
        }));
        res
          .writeHead(200, { 'Content-Type': 'application/json' })
          .end(JSON.stringify({ SamplingRuleRecords: records }));
        rulesServed();
      } else {
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(
          JSON.stringify({
            SamplingTargetDocuments: [],
            LastRuleModification: 0,
            UnprocessedStatistics: [],
          }),
        );
      }
    });
  });
  let otlpUrl: string;
  let proxyUrl: string;

  beforeAll(async () => {
    otlpUrl = await listen(receiver);
    proxyUrl = await listen(proxy);
  });
  afterAll(() => {
    receiver.close();
    proxy.close();
  });

  /** Starts bank-api against the stand-ins and waits until it has the rules. */
  async function startSampled() {
    exported.length = 0;
    const served = new Promise<void>((resolve) => {
      rulesServed = resolve;
    });
    const svc = await startTestService('pglite', {
      OTEL_EXPORTER_OTLP_ENDPOINT: otlpUrl,
      OTEL_SERVICE_NAME: 'bank-api',
      XRAY_SAMPLING_ENDPOINT: proxyUrl,
    });
    await served;
    return svc;
  }

  it('never exports the probes, exports transfers, deposits and other API requests', async () => {
    rules = (rule) => rule;
    const svc = await startSampled();
    try {
      // The sampler applies the rules once the response is parsed, on the next turn of the loop.
      await new Promise((r) => setTimeout(r, 100));
      for (let i = 0; i < 5; i++) {
        await svc.api.get('/livez').expect(200);
        await svc.api.get('/readyz').expect(200);
      }
      const headers = await svc.auth('sampled');
      const from = await openAccount(svc, 'sampled', { deposit: 100 });
      const to = await openAccount(svc, 'sampled-payee');
      for (let i = 0; i < 3; i++) {
        await svc.api
          .post('/v1/transfers')
          .set(headers)
          .set('Idempotency-Key', `s${i}`)
          .send({ fromAccountId: from, toAccountId: to, amount: 10 })
          .expect(201);
      }
      await svc.api.get('/v1/accounts').set(headers).expect(200);
    } finally {
      await svc.close(); // flushes the batch
    }
    expect(proxyCalls).toContain('POST /GetSamplingRules');
    const names = exportedSpans(exported).map((s) => s.name);
    expect(names.filter((n) => n === 'GET /livez' || n === 'GET /readyz')).toEqual([]);
    expect(names.filter((n) => n === 'POST /v1/transfers')).toHaveLength(3);
    expect(names).toContain('POST /v1/accounts/:id/deposits');
    expect(names).toContain('GET /v1/accounts');

    // The collector's tail-sampling policies and X-Ray's indexed attributes name attributes and
    // values these real spans carry.
    const spans = exportedSpans(exported);
    for (const env of loadEnvironments()) {
      const values = traceCollectorValues(env) as {
        config: {
          processors: {
            tail_sampling: {
              policies: {
                type: string;
                string_attribute?: { key: string; values: string[] };
                numeric_attribute?: { key: string };
              }[];
            };
          };
        };
      };
      for (const policy of values.config.processors.tail_sampling.policies) {
        if (policy.string_attribute) {
          const { key, values: wanted } = policy.string_attribute;
          for (const value of wanted) {
            expect(
              spans.some((s) => s.attributes[key] === value),
              `${env.name}: a span with ${key}=${value}`,
            ).toBe(true);
          }
        }
        if (policy.numeric_attribute) {
          const { key } = policy.numeric_attribute;
          expect(
            spans.every((s) => typeof s.attributes[key] === 'number'),
            key,
          ).toBe(true);
        }
      }
    }
    const transfer = spans.find((s) => s.name === 'POST /v1/transfers');
    for (const key of XRAY_INDEXED_ATTRIBUTES) expect(transfer?.attributes, key).toHaveProperty([key]);
  });

  it('keeps every transfer and deposit when an operator turns the catch-all down to nothing', async () => {
    rules = (rule) =>
      rule.RuleName === 'bank-test-api-default' ? { ...rule, FixedRate: 0, ReservoirSize: 0 } : rule;
    const svc = await startSampled();
    try {
      await new Promise((r) => setTimeout(r, 100));
      const headers = await svc.auth('surge');
      const from = await openAccount(svc, 'surge', { deposit: 100 });
      const to = await openAccount(svc, 'surge-payee');
      await svc.api
        .post('/v1/transfers')
        .set(headers)
        .set('Idempotency-Key', 'surge-1')
        .send({ fromAccountId: from, toAccountId: to, amount: 10 })
        .expect(201);
      await svc.api.get('/v1/accounts').set(headers).expect(200);
      await svc.api.get('/readyz').expect(200);
    } finally {
      await svc.close();
    }
    const names = exportedSpans(exported).map((s) => s.name);
    expect(names.sort()).toEqual(['POST /v1/accounts/:id/deposits', 'POST /v1/transfers']);
  });
});
