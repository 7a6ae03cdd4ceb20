import { once } from 'node:events';
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A local stand-in for the Service/ALB in front of the pods: round-robin over backends whose /readyz
 * answers 200, checked every `probeIntervalMs`, with keep-alive connections to each backend. It never
 * retries a request, so any error a backend causes reaches the client.
 */
export interface LoadBalancer {
  url: string;
  /** Requests forwarded to each backend. */
  forwarded: Map<string, number>;
  close(): Promise<void>;
}

export async function startLoadBalancer(
  backends: string[],
  options: { probeIntervalMs?: number } = {},
): Promise<LoadBalancer> {
  const interval = options.probeIntervalMs ?? 100;
  const agents = new Map(backends.map((b) => [b, new Agent({ keepAlive: true, maxSockets: 64 })]));
  const ready = new Set<string>(backends);
  const forwarded = new Map(backends.map((b) => [b, 0]));
  let closed = false;

  const probes = (async () => {
    while (!closed) {
      await Promise.all(
        backends.map(async (backend) => {
          const ok = await fetch(`${backend}/readyz`, { signal: AbortSignal.timeout(1_000) }).then(
            (r) => r.status === 200,
            () => false,
          );
          if (ok) ready.add(backend);
          else ready.delete(backend);
        }),
      );
      await sleep(interval);
    }
  })();

  let next = 0;
  const server = createServer((req, res) => {
    const candidates = backends.filter((b) => ready.has(b));
    const backend = candidates[next++ % Math.max(1, candidates.length)];
    if (!backend) {
      res.writeHead(503, { 'content-type': 'text/plain' }).end('no ready backend\n');
      return;
    }
    forwarded.set(backend, (forwarded.get(backend) ?? 0) + 1);
    const target = new URL(req.url ?? '/', backend);
    const upstream = request(
      target,
      { method: req.method, headers: req.headers, agent: agents.get(backend) },
      (response) => {
        res.writeHead(response.statusCode ?? 502, response.headers);
        response.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end('bad gateway\n');
    });
    req.pipe(upstream);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    forwarded,
    async close() {
      closed = true;
      await probes;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      for (const agent of agents.values()) agent.destroy();
    },
  };
}
