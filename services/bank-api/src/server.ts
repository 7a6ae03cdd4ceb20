import { once } from 'node:events';
import { createServer, type Server, STATUS_CODES } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { createApp } from './app.js';
import { type Config, ConfigError, loadConfig } from './config.js';
import type { Database } from './db/database.js';
import { latestVersion, migrate, readMigrations } from './db/migrations.js';
import { databaseEvents, openDatabase } from './db/open-database.js';
import { createAuthenticator } from './http/auth.js';
import { PROBLEM_CONTENT_TYPE, ProblemError } from './http/problem.js';
import { createLogger, logDestination, redactUrl } from './observability/logger.js';
import { ServiceMetrics } from './observability/metrics.js';
import { createTracing } from './observability/tracing.js';
import { SERVICE_VERSION } from './version.js';

export interface RunningServer {
  /** Base URL of the API, e.g. http://127.0.0.1:8080 */
  url: string;
  /** Base URL of the metrics listener; GET `${metricsUrl}/metrics`. */
  metricsUrl: string;
  config: Config;
  db: Database;
  logger: Logger;
  /** Graceful shutdown: stop accepting, drain in-flight requests, close the pool. Idempotent. */
  close(): Promise<void>;
}

export interface StartServerOptions {
  /** Environment variables to read the config from (default: process.env). */
  env?: Record<string, string | undefined>;
  /** Log destination (default: stdout). */
  logDestination?: import('pino').DestinationStream;
}

async function listen(server: Server, port: number, host: string, variable: string): Promise<string> {
  server.listen(port, host);
  try {
    await once(server, 'listening');
  } catch (error) {
    // A busy or privileged port is a configuration problem, not a crash: say which variable to change.
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') {
      const reason =
        code === 'EADDRINUSE' ? 'is already in use by another process' : 'is not allowed for this user';
      throw new ConfigError([
        `${variable}: port ${port} on ${host} ${reason}; stop that process or set ${variable} to a free port`,
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

/** Builds and starts the service: database, migrations, API listener and metrics listener. */
export async function startServer(options: StartServerOptions = {}): Promise<RunningServer> {
  const config = loadConfig(options.env ?? process.env);
  const logger = createLogger(
    config.logLevel,
    options.logDestination ?? (await logDestination(config.logFormat)),
  );
  const tracing = createTracing(config.tracing && { ...config.tracing, version: SERVICE_VERSION });

  const db = await openDatabase(config.database, databaseEvents(logger));
  logger.info(
    {
      database:
        config.database.kind === 'postgres'
          ? redactUrl(config.database.url)
          : `pglite:${config.database.dataDir ?? 'memory'}`,
      credentials: config.database.kind === 'postgres' ? config.database.credentials.source : 'none',
    },
    'database opened',
  );
  const migrations = await readMigrations();
  if (config.migrateOnStart) {
    const { applied, version } = await migrate(db, migrations);
    logger.info({ applied, version }, 'migrations applied');
  }

  const metrics = new ServiceMetrics(() => db.poolStats());
  const readiness = { accepting: true };
  const authenticator = createAuthenticator(config.auth);
  const app = createApp({
    db,
    logger,
    metrics,
    tracer: tracing.tracer,
    authenticator,
    bodyLimitBytes: config.bodyLimitBytes,
    problemTypeBase: config.problemTypeBase,
    requiredSchemaVersion: latestVersion(migrations),
    readiness,
    postingBatch: config.postingBatch,
  });

  const apiServer = createServer(app.callback());
  // The ALB keeps idle connections for 60 s; closing ours first would race it into 502s.
  apiServer.keepAliveTimeout = config.keepAliveTimeoutMs;
  apiServer.headersTimeout = config.keepAliveTimeoutMs + 1_000;
  apiServer.requestTimeout = 30_000;
  // Requests too broken for koa to see (bad framing, oversized headers) still get a problem body.
  apiServer.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable || error.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    const status =
      error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    const body = JSON.stringify(
      new ProblemError(
        status,
        'malformed-request',
        'Malformed request',
        'The HTTP request could not be parsed.',
      ).toProblemDetails(config.problemTypeBase),
    );
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });

  const metricsServer = createServer(async (req, res) => {
    if (req.method === 'GET' && req.url?.split('?')[0] === '/metrics') {
      try {
        const body = await metrics.registry.metrics();
        res.writeHead(200, { 'Content-Type': metrics.registry.contentType });
        res.end(body);
      } catch (error) {
        logger.error({ err: error }, 'metrics collection failed');
        res.writeHead(500).end();
      }
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
  });

  let url: string;
  let metricsUrl: string;
  try {
    url = await listen(apiServer, config.port, config.host, 'PORT');
    metricsUrl = await listen(metricsServer, config.metricsPort, config.host, 'METRICS_PORT');
  } catch (error) {
    apiServer.close();
    await db.close();
    throw error;
  }

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      readiness.accepting = false;
      logger.info({ delayMs: config.shutdownDelayMs }, 'shutdown started: readiness off');
      // Give endpoints controllers and the load balancer time to stop sending new requests.
      if (config.shutdownDelayMs > 0) await sleep(config.shutdownDelayMs);
      const drained = new Promise<void>((resolve) => apiServer.close(() => resolve()));
      apiServer.closeIdleConnections();
      const deadline = sleep(config.shutdownTimeoutMs - config.shutdownDelayMs).then(
        () => 'timeout' as const,
      );
      if ((await Promise.race([drained, deadline])) === 'timeout') {
        logger.warn('shutdown deadline reached: closing remaining connections');
        apiServer.closeAllConnections();
      }
      await new Promise<void>((resolve) => metricsServer.close(() => resolve()));
      metricsServer.closeAllConnections();
      await db.close();
      await tracing.shutdown();
      logger.info('shutdown complete');
      await new Promise<void>((resolve) => logger.flush(() => resolve()));
    })();
    return closing;
  };

  return { url, metricsUrl, config, db, logger, close };
}
