import type { TestProject } from 'vitest/node';
import { findPostgresBinDir, type PostgresServer, startPostgres } from './postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser URL of the real PostgreSQL server for this run, or '' when only PGlite is available. */
    postgresAdminUrl: string;
  }
}

// Runs once per `npm test`. TEST_DATABASE_URL (set by .ci/run) wins; otherwise a throwaway server is
// started from the local binaries. REQUIRE_POSTGRES=1 turns "PGlite only" from a warning into a failure.
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const required = process.env.REQUIRE_POSTGRES === '1';
  const given = process.env.TEST_DATABASE_URL;
  if (given) {
    project.provide('postgresAdminUrl', given);
    return async () => {};
  }
  let server: PostgresServer | undefined;
  if (findPostgresBinDir()) {
    try {
      server = await startPostgres({
        settings: { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' },
      });
    } catch (error) {
      if (required) throw error;
      console.warn(
        `\n!!! Could not start PostgreSQL (${String(error)}); database suites run on PGlite only !!!\n`,
      );
    }
  } else if (required) {
    throw new Error(
      'REQUIRE_POSTGRES=1 but no PostgreSQL server binaries were found (set PG_BIN_DIR or install postgresql)',
    );
  } else {
    console.warn('\n!!! PostgreSQL server binaries not found: database suites run on PGlite ONLY !!!\n');
  }
  project.provide('postgresAdminUrl', server?.url ?? '');
  return async () => {
    await server?.destroy();
  };
}
