import type { DatabaseConfig } from '../config.js';
import type { Database } from './database.js';
import { PgDatabase } from './pg-database.js';
import { PGliteDatabase } from './pglite-database.js';

/** Opens the configured database: a pg pool for a real server, or embedded PGlite without DATABASE_URL. */
export async function openDatabase(
  config: DatabaseConfig,
  onPoolError?: (error: Error) => void,
): Promise<Database> {
  if (config.kind === 'pglite') return PGliteDatabase.create(config.dataDir);
  return new PgDatabase({ ...config, onPoolError });
}
