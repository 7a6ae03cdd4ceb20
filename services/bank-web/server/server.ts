import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino, { type DestinationStream, type Logger } from 'pino';
import { createWebApp } from './app.js';
import { ConfigError, loadWebConfig, type WebConfig } from './config.js';
import { WebMetrics } from './metrics.js';
import { defaultStaticDir } from './static-dir.js';

const SHUTDOWN_DEADLINE_MS = 10_000;

export interface RunningWebServer {
  url: string;
  metricsUrl: string;
  config: WebConfig;
  logger: Logger;
  /** Stop taking connections, finish in-flight requests. Idempotent. */
  close(): Promise<void>;
}

export interface StartWebServerOptions {
  env?: Record<string, string | undefined>;
  /** The built app (default: next to the server, see static-dir.ts). */
  staticDir?: string;
  logDestination?: DestinationStream;
}

async function listen(server: Server, port: number, host: string, variable: string): Promise<string> {
  server.listen(port, host);
  try {
    await once(server, 'listening');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') {
      throw new ConfigError([
        `${variable}: port ${port} on ${host} ${code === 'EADDRINUSE' ? 'is already in use' : 'is not allowed for this user'}; set ${variable} to a free port`,
      ]);
    }
    throw error;
  }
  const { address, port: bound } = server.address() as AddressInfo;
  const shown =
    address === '0.0.0.0' || address === '::'
      ? 'localhost'
      : address.includes(':')
        ? `[${address}]`
        : address;
  return `http://${shown}:${bound}`;
}

export async function startWebServer(options: StartWebServerOptions = {}): Promise<RunningWebServer> {
  const config = loadWebConfig(options.env ?? process.env);
  const logger = pino(
    { level: config.logLevel, base: { service: 'bank-web' }, timestamp: pino.stdTimeFunctions.isoTime },
    options.logDestination ?? pino.destination({ fd: 1, sync: false }),
  );
  const metrics = new WebMetrics();
  const readiness = { accepting: true };
  const app = createWebApp({
    staticDir: options.staticDir ?? defaultStaticDir(),
    auth: config.auth,
    metrics,
    logger,
    readiness,
  });

  const web = createServer(app.callback());
  // Longer than the ALB's 60 s idle timeout, so the load balancer always closes first.
  web.keepAliveTimeout = 65_000;
  web.headersTimeout = 66_000;
  const metricsServer = createServer(async (req, res) => {
    if (req.method === 'GET' && req.url?.split('?')[0] === '/metrics') {
      res.writeHead(200, { 'Content-Type': metrics.registry.contentType });
      res.end(await metrics.registry.metrics());
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
  });

  let url: string;
  let metricsUrl: string;
  try {
    url = await listen(web, config.port, config.host, 'PORT');
    metricsUrl = await listen(metricsServer, config.metricsPort, config.host, 'METRICS_PORT');
  } catch (error) {
    web.close();
    throw error;
  }

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      readiness.accepting = false;
      const drained = new Promise<void>((resolve) => web.close(() => resolve()));
      web.closeIdleConnections();
      // Static files answer in milliseconds: whatever is still open after the deadline is an idle
      // keep-alive connection or a stalled client, not work to wait for.
      const deadline = new Promise<void>((resolve) => setTimeout(resolve, SHUTDOWN_DEADLINE_MS).unref());
      await Promise.race([drained, deadline]);
      web.closeAllConnections();
      await new Promise<void>((resolve) => metricsServer.close(() => resolve()));
      metricsServer.closeAllConnections();
      await new Promise<void>((resolve) => logger.flush(() => resolve()));
    })();
    return closing;
  };
  return { url, metricsUrl, config, logger, close };
}
