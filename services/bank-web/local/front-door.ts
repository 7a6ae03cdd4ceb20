import { once } from 'node:events';
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// One address for the app and the API on a developer's machine, routed by path the way the load
// balancer routes them in AWS (charts: `/v1` to bank-api, `/` to bank-web). It forwards each request
// unchanged to the service that owns its path and streams the answer back.

/** Paths bank-api answers here. /readyz too: locally "ready" means the API and its database are. */
export const API_PATHS = [/^\/v1(\/|$)/, /^\/openapi\.json$/, /^\/livez$/, /^\/readyz$/];

export const isApiPath = (path: string): boolean => API_PATHS.some((pattern) => pattern.test(path));

function forward(req: IncomingMessage, res: ServerResponse, upstream: URL): void {
  const headers = { ...req.headers };
  // As the load balancer does: the services see the client's address and the original host.
  headers['x-forwarded-for'] = req.socket.remoteAddress ?? '';
  headers['x-forwarded-proto'] = 'http';
  headers['x-forwarded-host'] = req.headers.host ?? '';
  const outgoing = request(
    { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  outgoing.on('error', () => {
    if (!res.headersSent) res.writeHead(502, { 'Content-Type': 'text/plain' });
    res.end('The service behind this path is not answering.\n');
  });
  req.pipe(outgoing);
}

export interface FrontDoor {
  url: string;
  server: Server;
}

export async function startFrontDoor(options: {
  port: number;
  host: string;
  api: string;
  web: string;
}): Promise<FrontDoor> {
  const api = new URL(options.api);
  const web = new URL(options.web);
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    forward(req, res, isApiPath(path) ? api : web);
  });
  server.keepAliveTimeout = 65_000;
  server.listen(options.port, options.host);
  await once(server, 'listening');
  const { address, port } = server.address() as AddressInfo;
  return { url: `http://${address.includes(':') ? `[${address}]` : address}:${port}`, server };
}
