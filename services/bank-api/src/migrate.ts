import { rejectArguments } from './cli-arguments.js';
import { ConfigError, loadConfig } from './config.js';
import { migrate } from './db/migrations.js';
import { databaseEvents, openDatabase } from './db/open-database.js';
import { createLogger, logDestination, redactUrl } from './observability/logger.js';

// Applies the migrations and exits: the Kubernetes migration Job / Argo CD PreSync hook runs this.
rejectArguments('bank-api migrate', 'npm run db:migrate', process.argv.slice(2));
try {
  const config = loadConfig();
  if (config.database.kind === 'pglite' && !config.database.dataDir) {
    // Migrating an in-memory database would report success and leave nothing behind.
    throw new ConfigError([
      'DATABASE_URL: not set, and neither is PGLITE_DATA_DIR: set DATABASE_URL to the PostgreSQL database to migrate, or PGLITE_DATA_DIR to an embedded database folder',
    ]);
  }
  const logger = createLogger(config.logLevel, await logDestination(config.logFormat));
  const db = await openDatabase(config.database, databaseEvents(logger));
  try {
    const { applied, version } = await migrate(db);
    logger.info(
      {
        applied,
        version,
        database: config.database.kind === 'postgres' ? redactUrl(config.database.url) : 'pglite',
      },
      applied.length > 0 ? 'migrations applied' : 'schema already up to date',
    );
  } finally {
    await db.close();
  }
  process.exit(0);
} catch (error) {
  process.stderr.write(
    `bank-api migrate: ${error instanceof ConfigError ? error.message : error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(error instanceof ConfigError ? 78 : 1);
}
