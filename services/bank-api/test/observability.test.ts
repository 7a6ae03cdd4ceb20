import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAccount, startTestService, type TestService } from './support/harness.js';
import { exportedSpans } from './support/otlp.js';

describe('metrics', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService('pglite');
  });
  afterAll(async () => {
    await svc?.close();
  });

  it('exports request, transfer, pool and process metrics on the metrics port only', async () => {
    const headers = await svc.auth('obs');
    const from = await openAccount(svc, 'obs', { deposit: 100 });
    const to = await openAccount(svc, 'obs-payee');
    await svc.api
      .post('/v1/transfers')
      .set(headers)
      .set('Idempotency-Key', 'o1')
      .send({ fromAccountId: from, toAccountId: to, amount: 500 })
      .expect(422);
    await svc.api
      .post('/v1/transfers')
      .set(headers)
      .set('Idempotency-Key', 'o2')
      .send({ fromAccountId: from, toAccountId: to, amount: 50 })
      .expect(201);
    await svc.api.get('/readyz').expect(200);

    const res = await fetch(`${svc.server.metricsUrl}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    // The bucket the latency SLO reads exists; which bucket the one request fell in depends on how
    // busy the machine is, so only the +Inf bucket's count is exact.
    expect(text).toMatch(
      /^http_request_duration_seconds_bucket\{le="0\.05",method="POST",route="\/v1\/transfers",status_code="201"\} [01]$/m,
    );
    expect(text).toMatch(
      /^http_request_duration_seconds_bucket\{le="\+Inf",method="POST",route="\/v1\/transfers",status_code="201"\} 1$/m,
    );
    expect(text).toMatch(/^bank_transfers_total\{kind="transfer",outcome="insufficient_funds"\} 1$/m);
    expect(text).toMatch(/^bank_transfers_total\{kind="transfer",outcome="completed"\} 1$/m);
    expect(text).toMatch(/^bank_transfers_total\{kind="deposit",outcome="completed"\} 1$/m);
    for (const name of [
      'bank_db_pool_in_use',
      'bank_db_pool_idle',
      'bank_db_pool_waiting',
      'bank_db_pool_max',
      'bank_db_up',
      'http_requests_in_flight',
    ]) {
      expect(text).toMatch(new RegExp(`^${name} \\d+$`, 'm'));
    }
    expect(text).toMatch(/^process_cpu_seconds_total /m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);
    // Unknown paths never become label values (bounded cardinality).
    await svc.api.get('/random/path/123').expect(404);
    const after = await fetch(`${svc.server.metricsUrl}/metrics`).then((r) => r.text());
    expect(after).toContain('route="unmatched"');
    expect(after).not.toContain('/random/path/123');
    expect((await fetch(`${svc.server.metricsUrl}/v1/accounts`)).status).toBe(404);
  });

  it('logs one JSON line per request and never a token', async () => {
    const { Authorization } = await svc.auth('obs-log');
    const token = Authorization.slice('Bearer '.length);
    await svc.api
      .get('/v1/accounts')
      .set('Authorization', Authorization)
      .set('X-Request-Id', 'log-check-1')
      .expect(200);
    svc.server.logger.info(
      { token, password: 'hunter2', headers: { authorization: Authorization } },
      'redaction probe',
    );
    await sleep(50);
    const joined = svc.logs.join('');
    expect(joined).not.toContain(token);
    expect(joined).not.toContain('hunter2');
    const line = svc.logs
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.reqId === 'log-check-1');
    expect(line).toMatchObject({
      level: 'info',
      method: 'GET',
      route: '/v1/accounts',
      status: 200,
      customerId: 'obs-log',
    });
    const probe = svc.logs
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.msg === 'redaction probe');
    expect(probe).toMatchObject({
      token: '[redacted]',
      password: '[redacted]',
      headers: { authorization: '[redacted]' },
    });
  });
});

describe('tracing', () => {
  let collector: Server;
  const received: { url: string; body: string }[] = [];
  let endpoint: string;
  beforeAll(async () => {
    collector = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += String(c);
      });
      req.on('end', () => {
        received.push({ url: req.url ?? '', body });
        res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
      });
    });
    collector.listen(0, '127.0.0.1');
    await once(collector, 'listening');
    endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    collector?.close();
  });

  it('is off without an endpoint and exports request spans to the OTLP endpoint when set', async () => {
    const off = await startTestService('pglite');
    await off.api.get('/livez').expect(200);
    await off.close();
    expect(received).toEqual([]);

    const on = await startTestService('pglite', {
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      OTEL_SERVICE_NAME: 'bank-api-test',
    });
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    await on.api
      .get('/readyz')
      .set('traceparent', `00-${traceId}-00f067aa0ba902b7-01`)
      .set('X-Request-Id', 'trace-ready')
      .expect(200);
    const headers = await on.auth('tracer');
    const from = await openAccount(on, 'tracer', { deposit: 100 });
    const to = await openAccount(on, 'tracer-payee');
    await on.api
      .post('/v1/transfers')
      .set(headers)
      .set('Idempotency-Key', 't1')
      .set('X-Request-Id', 'trace-transfer')
      .send({ fromAccountId: from, toAccountId: to, amount: 500 })
      .expect(422);
    await on.close(); // flushes the batch
    expect(received.every((r) => r.url === '/v1/traces')).toBe(true);
    const spans = exportedSpans(received.map((r) => r.body));
    const byRequest = (id: string) => spans.find((s) => s.attributes['bank.request_id'] === id);

    const ready = byRequest('trace-ready');
    expect(ready).toMatchObject({ service: 'bank-api-test', name: 'GET /readyz', kind: 2 });
    // The caller's trace context is continued, not replaced.
    expect(ready?.traceId).toBe(traceId);

    // What the X-Ray sampling rules (method, path), the collector's tail sampling (route, status) and
    // X-Ray's indexed annotations (request id) read.
    expect(byRequest('trace-transfer')).toMatchObject({
      name: 'POST /v1/transfers',
      attributes: {
        'http.request.method': 'POST',
        'url.path': '/v1/transfers',
        'http.route': '/v1/transfers',
        'http.response.status_code': 422,
        'bank.request_id': 'trace-transfer',
      },
    });
    // Ids never reach a trace (docs/adr/0013): the path keeps its shape for the sampling rules.
    const deposit = spans.find((s) => s.name === 'POST /v1/accounts/:id/deposits');
    expect(deposit?.attributes['url.path']).toBe('/v1/accounts/:id/deposits');
    expect(JSON.stringify(spans)).not.toContain(from);
  });
});
