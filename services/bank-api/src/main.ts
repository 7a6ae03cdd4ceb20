import { rejectArguments } from './cli-arguments.js';
import { ConfigError } from './config.js';
import { startServer } from './server.js';

// Process entry point: start, print where we listen, and shut down gracefully on SIGTERM/SIGINT.
rejectArguments('bank-api', 'npm start', process.argv.slice(2));
try {
  const server = await startServer();
  const { config } = server;
  server.logger.info(
    {
      url: server.url,
      metrics: `${server.metricsUrl}/metrics`,
      database: config.database.kind,
      auth: config.auth.mode,
    },
    `bank-api listening on ${server.url}`,
  );
  if (process.stdout.isTTY || config.env === 'development') {
    // A plain line for humans running `npm start`; the JSON log above is for machines.
    process.stderr.write(
      `\nbank-api ready: ${server.url}  (metrics: ${server.metricsUrl}/metrics, database: ${config.database.kind})\n\n`,
    );
  }
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) return;
    signalled = true;
    server.logger.info({ signal }, 'signal received');
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        server.logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`bank-api: ${error.message}\n`);
    process.exit(78); // EX_CONFIG
  }
  process.stderr.write(
    `bank-api: failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
}
