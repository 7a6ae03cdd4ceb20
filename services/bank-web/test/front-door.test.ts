import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FrontDoor, startFrontDoor } from '../local/front-door.js';

// npm start's single address: each path goes to the service that owns it, as the load balancer's
// rules do in AWS. Two small HTTP servers stand for bank-api and bank-web and say who answered.

async function echo(name: string): Promise<Server> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      res.writeHead(201, { 'Content-Type': 'application/json', 'X-Answered-By': name });
      res.end(
        JSON.stringify({
          name,
          method: req.method,
          url: req.url,
          body,
          forwardedFor: req.headers['x-forwarded-for'],
          forwardedHost: req.headers['x-forwarded-host'],
          authorization: req.headers.authorization,
        }),
      );
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

const urlOf = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

describe('the local front door', () => {
  let api: Server;
  let web: Server;
  let front: FrontDoor;

  beforeAll(async () => {
    [api, web] = await Promise.all([echo('api'), echo('web')]);
    front = await startFrontDoor({ port: 0, host: '127.0.0.1', api: urlOf(api), web: urlOf(web) });
  });

  afterAll(() => {
    for (const server of [front.server, api, web]) {
      server.closeAllConnections();
      server.close();
    }
  });

  it.each([
    ['/v1/accounts?limit=5', 'api'],
    ['/v1', 'api'],
    ['/openapi.json', 'api'],
    ['/readyz', 'api'],
    ['/livez', 'api'],
    ['/', 'web'],
    ['/v1accounts', 'web'],
    ['/accounts/7d2c1f0e-1111-4222-8333-444455556666', 'web'],
    ['/config.json', 'web'],
    ['/assets/index-abc.js', 'web'],
    ['/openapi.json.br', 'web'],
  ])('%s goes to %s', async (path, owner) => {
    const response = await fetch(`${front.url}${path}`);
    expect(response.headers.get('x-answered-by')).toBe(owner);
    expect(((await response.json()) as { url: string }).url).toBe(path);
  });

  it('forwards method, headers and body unchanged, and says who the client is', async () => {
    const response = await fetch(`${front.url}/v1/transfers`, {
      method: 'POST',
      headers: { Authorization: 'Bearer a.b.c', 'Content-Type': 'application/json' },
      body: '{"amount":1}',
    });
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({
      name: 'api',
      method: 'POST',
      body: '{"amount":1}',
      authorization: 'Bearer a.b.c',
      forwardedFor: '127.0.0.1',
      forwardedHost: new URL(front.url).host,
    });
  });

  it('answers 502 when the service behind a path is down', async () => {
    const down = await echo('down');
    const gone = urlOf(down);
    down.close();
    await once(down, 'close');
    const broken = await startFrontDoor({ port: 0, host: '127.0.0.1', api: gone, web: urlOf(web) });
    try {
      const response = await fetch(`${broken.url}/v1/accounts`);
      expect(response.status).toBe(502);
      expect(await response.text()).toContain('not answering');
      expect((await fetch(`${broken.url}/`)).headers.get('x-answered-by')).toBe('web');
    } finally {
      broken.server.closeAllConnections();
      broken.server.close();
    }
  });
});
