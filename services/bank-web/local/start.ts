import { ConfigError as ApiConfigError } from '../../bank-api/src/config.js';
import { rejectArguments } from '../server/cli-arguments.js';
import { ConfigError } from '../server/config.js';
import { startLocalBank } from './local-bank.js';

// npm start: the bank's app and API at one address, on the embedded database.
rejectArguments('npm start', 'npm start', process.argv.slice(2));
try {
  const bank = await startLocalBank({
    onBuild: () => process.stderr.write('bank-web: building the app (its sources changed)…\n'),
  });
  process.stderr.write(
    `\nbank ready: ${bank.url}  (the app at /, the API at /v1, database: ${bank.api.config.database.kind})\n\n`,
  );
  let signalled = false;
  const onSignal = () => {
    if (signalled) return;
    signalled = true;
    bank.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
} catch (error) {
  if (error instanceof ConfigError || error instanceof ApiConfigError) {
    process.stderr.write(`npm start: ${error.message}\n`);
    process.exit(78); // EX_CONFIG
  }
  process.stderr.write(
    `npm start: failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
}
