import { createServer, request, type Server } from 'node:http';
import { PROMETHEUS } from '../../platform/config/workloads.js';

// The Argo Rollouts controller's way to the in-cluster Prometheus when neither runs in a cluster: a
// forward HTTP proxy (the controller's HTTP_PROXY) that sends requests for the Prometheus Service's
// in-cluster name (what the AnalysisTemplate's address says) to a local Prometheus, and refuses every
// other host, so the controller reaches that one address and nothing else. Used by `npm run local:up`
// (cli.ts role `prometheus-proxy`) and the cluster canary drill (test/cluster/support/canary-drill.ts).

/** host:port of the in-cluster Prometheus Service, as a proxy request names it. */
export const IN_CLUSTER_PROMETHEUS = `${PROMETHEUS.service}.${PROMETHEUS.namespace}.svc:${PROMETHEUS.port}`;

/** Listens on host:port (0 = any free port) and forwards to `target` (a Prometheus base URL). */
export async function startPrometheusProxy(
  target: string,
  host: string,
  port = 0,
): Promise<{ url: string; server: Server }> {
  const to = new URL(target);
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://invalid');
    if (url.host !== IN_CLUSTER_PROMETHEUS) {
      res.writeHead(502).end(`only ${IN_CLUSTER_PROMETHEUS} is reachable through this proxy`);
      return;
    }
    const upstream = request(
      {
        host: to.hostname,
        port: to.port,
        method: req.method,
        path: `${url.pathname}${url.search}`,
        headers: req.headers,
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  return { url: `http://${host}:${bound}`, server };
}
