import { ConfigError, loadConfig } from './config.js';
import { migrate } from './db/migrations.js';
import { databaseEvents, openDatabase } from './db/open-database.js';
import { createLogger, redactUrl } from './observability/logger.js';

// Applies the migrations and exits: the Kubernetes migration Job / Argo CD PreSync hook runs this.
try {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  if (config.database.kind === 'pglite' && !config.database.dataDir) {
    logger.warn('no DATABASE_URL or PGLITE_DATA_DIR: migrating a throwaway in-memory database');
  }
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
