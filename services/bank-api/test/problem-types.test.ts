import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from './support/harness.js';

// A problem's `type` is `<PROBLEM_TYPE_BASE><slug>`. The base is configuration (the
// manifests set it from the environment config); without it, types are relative to the service.

/** Sends raw bytes and returns the response's JSON body (requests koa never sees). */
async function rawRequest(url: string, bytes: string): Promise<Record<string, unknown>> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.end(bytes));
    let response = '';
    socket.on('data', (chunk) => {
      response += String(chunk);
    });
    socket.on('error', reject);
    socket.on('close', () => {
      resolve(JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4)) as Record<string, unknown>);
    });
  });
}

describe.each([
  ['configured', { PROBLEM_TYPE_BASE: 'https://bank.test/errors/' }, 'https://bank.test/errors/'],
  ['by default', {}, '/problems/'],
] as const)('problem types %s', (_what, env, base) => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService('pglite', env);
  });
  afterAll(async () => {
    await svc?.close();
  });

  it('name the problem under the base, for problems koa answers', async () => {
    const res = await svc.api.get('/v1/nowhere');
    expect(res.status).toBe(404);
    expect(res.body.type).toBe(`${base}not-found`);
    const unauthorized = await svc.api.get('/v1/accounts');
    expect(unauthorized.body.type).toBe(`${base}unauthorized`);
  });

  it('and for requests too broken for koa to see', async () => {
    const body = await rawRequest(svc.server.url, 'GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n');
    expect(body).toMatchObject({ type: `${base}malformed-request`, status: 400 });
  });
});
