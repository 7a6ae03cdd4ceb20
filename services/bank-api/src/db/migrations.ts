import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import type { Database } from './database.js';
import { sqlState } from './errors.js';

/** The migrations folder sits beside src/ and dist/, so the same URL works in development and in the image. */
export const MIGRATIONS_DIR = new URL('../../migrations/', import.meta.url);

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

// An arbitrary constant: every instance and the migration Job serialise on the same advisory lock.
const MIGRATION_LOCK_KEY = 727_274_001;

export async function readMigrations(dir: URL = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
  const migrations: Migration[] = [];
  for (const file of files) {
    const match = /^(\d{4})_([a-z0-9_]+)\.sql$/.exec(file);
    if (!match) throw new Error(`migration file name '${file}' must look like 0001_description.sql`);
    const sql = await readFile(new URL(file, dir), 'utf8');
    migrations.push({
      version: Number(match[1]),
      name: match[2] as string,
      sql,
      checksum: createHash('sha256').update(sql).digest('hex'),
    });
  }
  migrations.forEach((m, i) => {
    if (m.version !== i + 1)
      throw new Error(
        `migration versions must be 1..n without gaps; found ${m.version} at position ${i + 1}`,
      );
  });
  return migrations;
}

export const latestVersion = (migrations: Migration[]): number => migrations.at(-1)?.version ?? 0;

/**
 * Applies pending migrations, each in its own transaction under a transaction-scoped advisory lock,
 * so concurrent starters (replicas, the migration Job) apply each exactly once. A changed file that
 * was already applied is an error: migrations are immutable once shipped. Applying needs the owner
 * login (the master login of the migration Job); when nothing is pending, any login that may read
 * schema_migrations (bank_api) gets through without writing anything.
 */
export async function migrate(
  db: Database,
  migrations?: Migration[],
): Promise<{ applied: number[]; version: number }> {
  const all = migrations ?? (await readMigrations());
  // Read-only first: when every migration is applied (the migration Job ran), nothing needs the
  // owner's rights, so a service that logs in as bank_api (no DDL) may start with MIGRATE_ON_START.
  if (await allApplied(db, all)) return { applied: [], version: latestVersion(all) };
  try {
    return await applyPending(db, all);
  } catch (error) {
    if (sqlState(error) !== '42501') throw error;
    throw new Error(
      `migrations are pending and this login may not apply them (${(error as Error).message}): ` +
        'run them with the owner login (npm run db:migrate, the migration Job), not as the service role',
      { cause: error },
    );
  }
}

/** True when every given migration is recorded with its checksum; throws on an edited one. */
async function allApplied(db: Database, all: Migration[]): Promise<boolean> {
  let rows: { version: number; checksum: string }[];
  try {
    rows = (
      await db.query<{ version: number; checksum: string }>('SELECT version, checksum FROM schema_migrations')
    ).rows;
  } catch (error) {
    // undefined_table: nothing migrated yet; insufficient_privilege: not even the role migration
    // (which lets bank_api read this table) ran. Either way the owner has work to do.
    if (sqlState(error) === '42P01' || sqlState(error) === '42501') return false;
    throw error;
  }
  const checksums = new Map(rows.map((r) => [Number(r.version), r.checksum]));
  let complete = true;
  for (const migration of all) {
    const checksum = checksums.get(migration.version);
    if (checksum === undefined) complete = false;
    else if (checksum !== migration.checksum) throw changedAfterApplied(migration);
  }
  return complete;
}

const changedAfterApplied = (migration: Migration): Error =>
  new Error(
    `migration ${migration.version}_${migration.name} was changed after it was applied (checksum mismatch)`,
  );

async function applyPending(db: Database, all: Migration[]): Promise<{ applied: number[]; version: number }> {
  // Even CREATE TABLE IF NOT EXISTS races between concurrent starters, so it runs under the lock too.
  await db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version    integer     PRIMARY KEY,
      name       text        NOT NULL,
      checksum   text        NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
  });
  const applied: number[] = [];
  for (const migration of all) {
    const done = await db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
      const existing = await tx.query<{ checksum: string }>(
        'SELECT checksum FROM schema_migrations WHERE version = $1',
        [migration.version],
      );
      const row = existing.rows[0];
      if (row) {
        if (row.checksum !== migration.checksum) throw changedAfterApplied(migration);
        return false;
      }
      await tx.exec(migration.sql);
      await tx.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
        migration.version,
        migration.name,
        migration.checksum,
      ]);
      return true;
    });
    if (done) applied.push(migration.version);
  }
  return { applied, version: latestVersion(all) };
}

/** The highest applied version, or 0 before the first migration. */
export async function appliedVersion(db: Database): Promise<number> {
  try {
    const result = await db.query<{ version: number }>(
      'SELECT coalesce(max(version), 0) AS version FROM schema_migrations',
    );
    return Number(result.rows[0]?.version ?? 0);
  } catch (error) {
    if (sqlState(error) === '42P01') return 0; // undefined_table: nothing migrated yet
    throw error;
  }
}
