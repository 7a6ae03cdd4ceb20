import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { startPostgres } from '../../../test/support/postgres.js';
import { migrate } from '../src/db/migrations.js';
import { PgDatabase } from '../src/db/pg-database.js';
import { createAuthenticator } from '../src/http/auth.js';
import { loadDataset, totalBalance } from './dataset.js';
import { devTokens, type HttpPhaseResult, runHttpPhase } from './http-load.js';
import { parseBenchOptions, USAGE, UsageError } from './options.js';
import { type PgbenchResult, runPgbench } from './pgbench.js';
import { formatResults, type PostingPath, summarize } from './report.js';
import { startServiceProcess } from './service-process.js';
import { runWrkPhase } from './wrk-load.js';

// `npm run bench`: one PostgreSQL server, one data set, the database's own ceiling and the service
// measured back to back in the same run, so the ratio compares like with like.

// Durable by default (fsync and synchronous_commit on, as a bank's database is); memory sized for the box.
const BASE_POSTGRES_SETTINGS = { shared_buffers: '256MB', max_connections: 200, max_wal_size: '2GB' };

const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

async function main(argv: string[]): Promise<void> {
  const options = parseBenchOptions(argv);
  if (options === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  const out = resolve(options.out);
  await mkdir(dirname(out), { recursive: true });
  const startedAt = new Date().toISOString();
  // Other work on a shared machine moves absolute numbers; the ratio within one run is what compares.
  const loadAverageAtStart = loadavg().map((l) => Math.round(l * 100) / 100);

  const POSTGRES_SETTINGS = { ...BASE_POSTGRES_SETTINGS, synchronous_commit: options.synchronousCommit };
  log('starting PostgreSQL');
  const server = await startPostgres({ settings: POSTGRES_SETTINGS });
  let db: PgDatabase | undefined;
  let service: Awaited<ReturnType<typeof startServiceProcess>> | undefined;
  try {
    const admin = new PgDatabase({
      url: server.url,
      sslMode: 'disable',
      poolMax: 1,
      connectTimeoutMs: 5_000,
      statementTimeoutMs: 600_000,
      idleTimeoutMs: 60_000,
      applicationName: 'bench-admin',
    });
    await admin.exec('CREATE DATABASE bench');
    await admin.close();
    const databaseUrl = server.url.replace(/\/postgres$/, '/bench');
    db = new PgDatabase({
      url: databaseUrl,
      sslMode: 'disable',
      poolMax: 2,
      connectTimeoutMs: 5_000,
      statementTimeoutMs: 600_000,
      idleTimeoutMs: 600_000,
      applicationName: 'bench-admin',
    });
    await migrate(db);
    log(`loading ${options.accounts} funded accounts`);
    await loadDataset(db, options.accounts);
    const version =
      (await db.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]?.v ??
      'unknown';

    const batches = options.batch > 1 ? [1, options.batch] : [1];
    const pgbench: PgbenchResult[] = [];
    const ceilingPhase = async (phase: 'before' | 'after') => {
      for (const batch of batches) {
        for (const clients of options.pgbenchClients) {
          log(
            `pgbench (${phase}): ${batch} transfer(s) per call, ${clients} clients for ${options.durationSeconds}s`,
          );
          const result = await runPgbench(server, 'bench', {
            accounts: options.accounts,
            clients,
            durationSeconds: options.durationSeconds,
            batch,
            phase,
          });
          pgbench.push(result);
          log(`  ${result.tps.toFixed(1)} transfers/s, avg ${result.latencyAvgMs} ms per call`);
          await settle();
        }
      }
    };
    const settle = async () => {
      await db?.exec('VACUUM ANALYZE');
      await db?.exec('CHECKPOINT');
    };
    await ceilingPhase('before');

    const secret = randomBytes(32).toString('base64url');
    const issuer = createAuthenticator({ mode: 'dev', secret });
    if (!issuer.issueDevToken) throw new Error('dev authenticator cannot issue tokens');
    const tokens = await devTokens(issuer.issueDevToken.bind(issuer), options.accounts);

    let acknowledged = 0;
    let inFlightAllowance = 0;
    const httpPhase = options.loadGenerator === 'wrk' ? runWrkPhase : runHttpPhase;
    const middle = options.concurrency[Math.floor(options.concurrency.length / 2)] as number;
    const http: (HttpPhaseResult & { path: PostingPath })[] = [];
    const paths: PostingPath[] = options.batch > 1 ? ['single', 'batched'] : ['single'];
    for (const path of paths) {
      service = await startServiceProcess({
        env: {
          DATABASE_URL: databaseUrl,
          // The pool is the service's, whatever the number of processes sharing it.
          DATABASE_POOL_MAX: String(Math.max(1, Math.ceil(options.poolMax / options.serviceProcesses))),
          AUTH_MODE: 'dev',
          DEV_AUTH_SECRET: secret,
          LOG_LEVEL: options.logLevel,
          POSTING_BATCH_MAX: path === 'batched' ? String(options.batch) : '1',
          POSTING_BATCH_WINDOW_MS: String(options.batchWindowMs),
        },
        logFile: `${out}.service.log`,
        processes: options.serviceProcesses,
        nodeArgs: options.profileDir
          ? ['--cpu-prof', `--cpu-prof-dir=${resolve(options.profileDir, path)}`]
          : [],
      });
      if (options.warmupSeconds > 0) {
        log(`warm-up (${path}): ${middle} connections for ${options.warmupSeconds}s (not recorded)`);
        const warm = await httpPhase({
          url: service.url,
          tokens,
          concurrency: middle,
          durationSeconds: options.warmupSeconds,
          label: `http-${path}-warmup`,
        });
        acknowledged += warm.completed;
        inFlightAllowance += middle;
      }
      for (const concurrency of options.concurrency) {
        await settle();
        log(`HTTP (${path}): ${concurrency} connections for ${options.durationSeconds}s`);
        const result = await httpPhase({
          url: service.url,
          tokens,
          concurrency,
          durationSeconds: options.durationSeconds,
          label: `http-${path}-c${concurrency}`,
        });
        acknowledged += result.completed;
        inFlightAllowance += concurrency;
        http.push({ ...result, path });
        log(`  ${result.tps} tps, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, errors ${result.errors}`);
      }
      const exitCode = await service.stop();
      service = undefined;
      if (exitCode !== 0) throw new Error(`the service exited with ${exitCode} on SIGTERM`);
    }
    await settle();
    await ceilingPhase('after');

    const [negative] = (
      await db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM accounts WHERE kind = 'customer' AND balance < 0",
      )
    ).rows;
    const [stored] = (
      await db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM idempotency_keys WHERE key LIKE 'http-%' AND status_code = 201",
      )
    ).rows;
    const results = summarize(
      {
        startedAt,
        machine: {
          cpus: cpus().length,
          node: process.version,
          postgres: version,
          loadAverageAtStart,
        },
        settings: {
          durationSeconds: options.durationSeconds,
          warmupSeconds: options.warmupSeconds,
          accounts: options.accounts,
          poolMax: options.poolMax,
          logLevel: options.logLevel,
          loadGenerator: options.loadGenerator,
          postgresSettings: POSTGRES_SETTINGS,
          batch: options.batch,
          batchWindowMs: options.batchWindowMs,
          serviceProcesses: options.serviceProcesses,
        },
        checks: {
          totalBalance: await totalBalance(db),
          negativeBalances: negative?.n ?? -1,
          acknowledged,
          stored: stored?.n ?? -1,
          acknowledgedAllStored:
            (stored?.n ?? -1) >= acknowledged && (stored?.n ?? -1) <= acknowledged + inFlightAllowance,
        },
      },
      pgbench,
      http,
    );
    process.stdout.write(formatResults(results));
    await writeFile(out, `${JSON.stringify(results, null, 2)}\n`);
    log(`results written to ${out}`);
    if (
      results.checks.totalBalance !== 0 ||
      results.checks.negativeBalances !== 0 ||
      !results.checks.acknowledgedAllStored
    ) {
      throw new Error('ledger invariants broken after the benchmark');
    }
  } finally {
    await service?.stop().catch(() => undefined);
    await db?.close().catch(() => undefined);
    await server.destroy();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UsageError) {
    process.stderr.write(`bench: ${error.message}\n\n${USAGE}`);
    process.exit(2);
  }
  process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
