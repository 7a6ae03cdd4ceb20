import { rejectArguments } from './cli-arguments.js';
import { ConfigError } from './config.js';
import { startWebServer } from './server.js';

// The web server's process entry point (the image's CMD): start, say where, stop cleanly on SIGTERM.
rejectArguments('bank-web', 'node dist/server/main.js', process.argv.slice(2));
try {
  const server = await startWebServer();
  server.logger.info(
    { url: server.url, metrics: `${server.metricsUrl}/metrics`, auth: server.config.auth.mode },
    `bank-web listening on ${server.url}`,
  );
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) return;
    signalled = true;
    server.logger.info({ signal }, 'signal received');
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`bank-web: ${error.message}\n`);
    process.exit(78); // EX_CONFIG
  }
  process.stderr.write(
    `bank-web: failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
}
