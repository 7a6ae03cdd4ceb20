import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createScratchDatabase } from '../../../test/support/postgres.js';
import type { Database } from '../src/db/database.js';
import { appliedVersion, migrate, readMigrations } from '../src/db/migrations.js';
import { PgDatabase } from '../src/db/pg-database.js';
import { PGliteDatabase } from '../src/db/pglite-database.js';
import { backends } from './support/harness.js';

async function openBackend(
  backend: string,
): Promise<{ db: Database; open: () => Database | Promise<Database>; drop(): Promise<void> }> {
  if (backend === 'pglite') {
    const db = await PGliteDatabase.create();
    return { db, open: () => db, drop: async () => {} };
  }
  const scratch = await createScratchDatabase(inject('postgresAdminUrl'));
  const open = () =>
    new PgDatabase({
      url: scratch.url,
      sslMode: 'disable',
      poolMax: 4,
      connectTimeoutMs: 5000,
      statementTimeoutMs: 10_000,
      idleTimeoutMs: 10_000,
    });
  return { db: open(), open, drop: scratch.drop };
}

describe.each(backends())('migrations on %s', (backend) => {
  let ctx: Awaited<ReturnType<typeof openBackend>>;
  beforeAll(async () => {
    ctx = await openBackend(backend);
  });
  afterAll(async () => {
    await ctx.db.close();
    await ctx.drop();
  });

  it('reports version 0 before, applies every migration once, and is a no-op the second time', async () => {
    expect(await appliedVersion(ctx.db)).toBe(0);
    const files = await readMigrations();
    const first = await migrate(ctx.db);
    expect(first.applied).toEqual(files.map((m) => m.version));
    expect(await appliedVersion(ctx.db)).toBe(files.length);
    const second = await migrate(ctx.db);
    expect(second.applied).toEqual([]);
  });

  it('refuses to run when an applied migration was edited', async () => {
    const files = await readMigrations();
    const tampered = files.map((m, i) => (i === 0 ? { ...m, checksum: 'edited' } : m));
    await expect(migrate(ctx.db, tampered)).rejects.toThrow(/changed after it was applied/);
  });

  if (backend === 'postgres') {
    it('applies each migration exactly once when several instances start together', async () => {
      const scratch = await createScratchDatabase(inject('postgresAdminUrl'));
      const dbs = Array.from(
        { length: 4 },
        () =>
          new PgDatabase({
            url: scratch.url,
            sslMode: 'disable',
            poolMax: 2,
            connectTimeoutMs: 5000,
            statementTimeoutMs: 30_000,
            idleTimeoutMs: 10_000,
          }),
      );
      try {
        const results = await Promise.all(dbs.map((db) => migrate(db)));
        const applied = results.flatMap((r) => r.applied).sort();
        expect(applied).toEqual((await readMigrations()).map((m) => m.version));
      } finally {
        await Promise.all(dbs.map((db) => db.close()));
        await scratch.drop();
      }
    });
  }
});

describe('readMigrations', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'migrations-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  it('rejects badly named files and gaps in the numbering', async () => {
    await writeFile(join(dir, '0001_a.sql'), 'SELECT 1;');
    await writeFile(join(dir, '0003_c.sql'), 'SELECT 1;');
    await expect(readMigrations(pathToFileURL(`${dir}/`))).rejects.toThrow(/without gaps/);
    await writeFile(join(dir, 'latest.sql'), 'SELECT 1;');
    await expect(readMigrations(pathToFileURL(`${dir}/`))).rejects.toThrow(/must look like/);
  });
});
