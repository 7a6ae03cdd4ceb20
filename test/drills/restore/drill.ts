import { execFile as execFileCb } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  appendFile,
  chmod,
  chown,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import type { RunningServer } from '../../../services/bank-api/src/server.js';
import { ledgerViolations } from '../../../services/bank-api/test/support/ledger-violations.js';
import { freePort, type PostgresServer, postgresUserIds, startPostgres } from '../../support/postgres.js';
import { apiPost, openPayers, startDrillService } from '../support/drill-service.js';
import { customerBalanceTotal, drillViolations } from '../support/ledger-checks.js';
import { pgQuery } from '../support/sql.js';
import { type LoadReport, type Payer, startTransferLoad } from '../support/transfer-load.js';
import { judgeRestore, type RestoreVerdict, type TransferTiming, verdictViolations } from './judge.js';

const execFile = promisify(execFileCb);

// The restore drill: what "we have backups" means, shown end to end on real PostgreSQL. A primary
// archives every WAL segment to a folder (the local stand-in for S3 / Aurora's continuous backup); a
// base backup is taken while transfers flow through the real service; the primary is then lost, and a
// new server is built from the base backup plus the archive alone, replaying to a target time picked
// in the middle of the load. The copy must hold every transfer a client was told about before that
// time, none sent after it, and a ledger whose invariants all hold.

const LABEL = 'restore';
const SEED_PER_ACCOUNT = 1_000_000_000;

export interface RestoreDrillSettings {
  readonly loadSeconds: number;
  readonly workers: number;
  readonly keep: boolean;
  /** Progress lines (stderr for the CLI). */
  readonly log?: (message: string) => void;
}

export interface RestoreDrillResult {
  readonly target: string;
  readonly targetMs: number;
  readonly verdict: RestoreVerdict;
  /** Acknowledged-before-target transfers missing from the copy. */
  readonly rpoTransfers: number;
  /** From the first byte copied to the restored server answering queries with every check passed. */
  readonly rtoSeconds: number;
  readonly phasesMs: {
    readonly copyBaseBackup: number;
    readonly replayAndPromote: number;
    readonly checks: number;
    /** After the RTO: bank-api started on the copy until /readyz said 200. */
    readonly serviceReadyOnCopy: number;
  };
  readonly load: {
    readonly acknowledged: number;
    readonly requests: number;
    readonly retries: number;
    readonly failures: Record<string, number>;
    readonly seconds: number;
  };
  readonly archive: { readonly segments: number; readonly bytes: number };
  readonly baseBackupBytes: number;
  /** PostgreSQL's own account of where replay stopped (its log line). */
  readonly recoveryStop: string | undefined;
  /** Everything that broke; empty when the restore is proven. */
  readonly violations: readonly string[];
  /** What the clients saw and what the copy holds, so other claims can be judged against the same copy. */
  readonly timings: ReadonlyMap<string, TransferTiming>;
  readonly restoredKeys: ReadonlyMap<string, string>;
  /** Set when `keep` asked for the folders to stay. */
  readonly keptDirectory: string | undefined;
}

/** recovery_target_time refuses ISO 8601's 'T' and 'Z'; this is the same instant in PostgreSQL's own form. */
const postgresTimestamp = (ms: number): string =>
  new Date(ms).toISOString().replace('T', ' ').replace('Z', '+00');

type Query = (text: string, params?: unknown[]) => Promise<Record<string, unknown>[]>;

const withDatabase = (url: string, database: string, port?: number): string => {
  const u = new URL(url);
  u.pathname = `/${database}`;
  if (port !== undefined) u.port = String(port);
  return u.toString();
};

/** Hands a path to the server's OS user when the drill runs as root (PostgreSQL refuses root). */
async function giveToPostgres(path: string): Promise<void> {
  const owner = await postgresUserIds();
  if (owner) await chown(path, owner.uid, owner.gid);
}

async function folderBytes(path: string): Promise<{ files: number; bytes: number }> {
  let files = 0;
  let bytes = 0;
  for (const entry of await readdir(path, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    files++;
    bytes += (await stat(join(entry.parentPath, entry.name))).size;
  }
  return { files, bytes };
}

/** Forces the segment holding everything written so far into the archive and waits until it is there. */
async function flushArchive(primaryUrl: string, timeoutMs = 30_000): Promise<string> {
  const [row] = await pgQuery(primaryUrl, 'SELECT pg_walfile_name(pg_switch_wal()) AS segment');
  const segment = String(row?.segment);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [archiver] = await pgQuery(
      primaryUrl,
      'SELECT last_archived_wal, failed_count, last_failed_wal FROM pg_stat_archiver',
    );
    const last = archiver?.last_archived_wal as string | null;
    if (last !== null && last !== undefined && last >= segment) return segment;
    if (Date.now() > deadline) {
      throw new Error(
        `WAL segment ${segment} was not archived within ${timeoutMs} ms (last archived ${last}, ` +
          `${archiver?.failed_count} failures, last failed ${archiver?.last_failed_wal})`,
      );
    }
    await sleep(100);
  }
}

async function waitUntilPromoted(url: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const inRecovery = await pgQuery(url, 'SELECT pg_is_in_recovery() AS r').then(
      (rows) => rows[0]?.r === true,
      () => true,
    );
    if (!inRecovery) return;
    if (Date.now() > deadline)
      throw new Error(`the restored server was still recovering after ${timeoutMs} ms`);
    await sleep(50);
  }
}

async function restoredTransferKeys(query: Query): Promise<Map<string, string>> {
  const rows = await query(
    `SELECT k.key, t.id FROM idempotency_keys k JOIN transfers t ON t.id = k.transfer_id
      WHERE t.kind = 'transfer' AND k.key LIKE $1`,
    [`${LABEL}-%`],
  );
  return new Map(rows.map((row) => [String(row.key), String(row.id)]));
}

function timingsOf(report: LoadReport): Map<string, TransferTiming> {
  return new Map(
    [...report.timings].map(([key, timing]) => [
      key,
      { ...timing, transferId: report.acknowledged.get(key) },
    ]),
  );
}

export async function runRestoreDrill(settings: RestoreDrillSettings): Promise<RestoreDrillResult> {
  const log = settings.log ?? (() => {});
  const root = await mkdtemp(join(tmpdir(), 'bank-restore-drill-'));
  // The server's OS user only has to pass through; each folder below is its own.
  await chmod(root, 0o755);
  const archiveDir = join(root, 'archive');
  const backupDir = join(root, 'base-backup');
  const restoredDir = join(root, 'restored');
  const logsDir = join(root, 'logs');
  for (const dir of [archiveDir, backupDir, logsDir]) {
    await mkdir(dir, { mode: 0o700 });
    await giveToPostgres(dir);
  }

  const serviceLogs: string[] = [];
  const secret = randomBytes(32).toString('base64url');
  let primary: PostgresServer | undefined;
  let service: RunningServer | undefined;
  let restoredStarted = false;
  let failed = true;
  try {
    log('starting the primary with WAL archiving');
    primary = await startPostgres({
      parentDir: root,
      settings: {
        wal_level: 'replica',
        archive_mode: 'on',
        // Never overwrite a segment already archived: a second writer into the archive is a bug to see.
        archive_command: `'test ! -f ${archiveDir}/%f && cp %p ${archiveDir}/%f'`,
      },
    });
    await pgQuery(primary.url, 'CREATE DATABASE bank');
    const primaryBank = withDatabase(primary.url, 'bank');
    service = await startDrillService(primaryBank, secret, serviceLogs);
    const payers = await openPayers(service.url, LABEL, settings.workers, SEED_PER_ACCOUNT);
    const sourceQuery: Query = (text, params) => pgQuery(primaryBank, text, params);
    const fundedTotal = await customerBalanceTotal(sourceQuery);

    log(`load: ${settings.workers} clients moving 1 cent at a time through ${service.url}`);
    const serviceUrl = service.url;
    const loadStartedAt = Date.now();
    const load = startTransferLoad({ baseUrl: () => serviceUrl, payers, label: LABEL });
    const flowingBy = Date.now() + 30_000;
    while (load.acknowledgedCount < settings.workers * 5) {
      if (Date.now() > flowingBy)
        throw new Error(`load made no progress: ${load.acknowledgedCount} transfers in 30 s`);
      await sleep(20);
    }

    log('base backup under load (pg_basebackup, no WAL inside: the archive must supply it)');
    const user = decodeURIComponent(new URL(primary.url).username);
    await primary.run('pg_basebackup', [
      `--pgdata=${backupDir}`,
      '--host=127.0.0.1',
      `--port=${primary.port}`,
      `--username=${user}`,
      '--wal-method=none',
      '--checkpoint=fast',
    ]);
    const half = (settings.loadSeconds * 1000) / 2;
    await sleep(half);
    const targetMs = Date.now();
    const target = new Date(targetMs).toISOString();
    log(`target time ${target} (${load.acknowledgedCount} transfers acknowledged so far)`);
    await sleep(half);
    const report = await load.stop();
    const loadSeconds = (Date.now() - loadStartedAt) / 1000;
    await service.close();
    service = undefined;

    const violations: string[] = [];
    // A control: if the primary itself lacks an acknowledged transfer, the service is wrong, not the restore.
    for (const problem of await drillViolations(sourceQuery, report, LABEL)) {
      violations.push(`primary before the loss: ${problem}`);
    }
    // Hot standby replay refuses to run with fewer connection slots than the source had.
    const [slots] = await pgQuery(primary.url, "SELECT current_setting('max_connections') AS n");
    const lastSegment = await flushArchive(primary.url);
    log(`archive holds everything up to ${lastSegment}; the primary is lost now`);
    await primary.stop('immediate');
    const archive = await folderBytes(archiveDir);
    const baseBackup = await folderBytes(backupDir);

    // ---- The restore: only the base backup and the archive from here on. ----
    log(`restoring a new server to ${target}`);
    const restoreStartedAt = Date.now();
    await execFile('cp', ['-a', backupDir, restoredDir]);
    const copiedAt = Date.now();
    await appendFile(
      join(restoredDir, 'postgresql.auto.conf'),
      [
        '# Point-in-time restore (the restore drill)',
        `restore_command = 'cp ${archiveDir}/%f %p'`,
        `recovery_target_time = '${postgresTimestamp(targetMs)}'`,
        "recovery_target_action = 'promote'",
        // The copy is a new server: it must not write into the lost primary's archive.
        "archive_mode = 'off'",
        '',
      ].join('\n'),
    );
    const signal = join(restoredDir, 'recovery.signal');
    await writeFile(signal, '');
    await giveToPostgres(signal);
    const restoredPort = await freePort();
    const restoredLog = join(logsDir, 'restored.log');
    const socketDir = join(dirname(primary.dataDir), 'socket');
    restoredStarted = true;
    await primary
      .run('pg_ctl', [
        'start',
        '-D',
        restoredDir,
        '-w',
        '-t',
        '120',
        '-l',
        restoredLog,
        '-o',
        `-c port=${restoredPort} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${socketDir} ` +
          `-c max_connections=${Number(slots?.n)}`,
      ])
      .catch(async (error: unknown) => {
        const tail = await readFile(restoredLog, 'utf8').catch(() => '');
        throw new Error(
          `the restored server did not start: ${String(error)}\n${tail.split('\n').slice(-20).join('\n')}`,
        );
      });
    const restoredAdmin = withDatabase(primary.url, 'postgres', restoredPort);
    await waitUntilPromoted(restoredAdmin);
    const promotedAt = Date.now();

    const restoredBank = withDatabase(primary.url, 'bank', restoredPort);
    const restoredQuery: Query = (text, params) => pgQuery(restoredBank, text, params);
    for (const problem of await ledgerViolations((text) => restoredQuery(text))) {
      violations.push(`restored copy: ${problem}`);
    }
    const restoredTotal = await customerBalanceTotal(restoredQuery);
    if (restoredTotal !== fundedTotal) {
      violations.push(`restored copy: customer balances sum to ${restoredTotal}, expected ${fundedTotal}`);
    }
    const restoredKeys = await restoredTransferKeys(restoredQuery);
    const timings = timingsOf(report);
    const verdict = judgeRestore(timings, restoredKeys, targetMs);
    violations.push(...verdictViolations(verdict).map((problem) => `restored copy: ${problem}`));
    const checkedAt = Date.now();

    // The copy must also serve: bank-api on it becomes ready and moves money.
    const serviceStartedAt = Date.now();
    let serviceReadyAt = serviceStartedAt;
    try {
      service = await startDrillService(restoredBank, secret, serviceLogs);
      const ready = await fetch(`${service.url}/readyz`, { signal: AbortSignal.timeout(5_000) });
      serviceReadyAt = Date.now();
      if (ready.status !== 200)
        violations.push(`bank-api on the restored copy: /readyz answered ${ready.status}`);
      const payer = payers[0] as Payer;
      await apiPost(
        service.url,
        '/v1/transfers',
        { fromAccountId: payer.fromAccountId, toAccountId: payer.toAccountId, amount: 1 },
        { authorization: `Bearer ${payer.token}`, 'idempotency-key': 'after-restore' },
      );
    } catch (error) {
      violations.push(`bank-api on the restored copy: ${(error as Error).message}`);
    }
    await service?.close();
    service = undefined;

    const logText = await readFile(restoredLog, 'utf8').catch(() => '');
    const recoveryStop = logText
      .split('\n')
      .find((line) => line.includes('recovery stopping'))
      ?.replace(/^.*?LOG:\s*/, '');
    if (recoveryStop === undefined)
      violations.push('the restored server never logged where recovery stopped');

    failed = violations.length > 0;
    return {
      target,
      targetMs,
      verdict,
      rpoTransfers: verdict.lost.length,
      rtoSeconds: (checkedAt - restoreStartedAt) / 1000,
      phasesMs: {
        copyBaseBackup: copiedAt - restoreStartedAt,
        replayAndPromote: promotedAt - copiedAt,
        checks: checkedAt - promotedAt,
        serviceReadyOnCopy: serviceReadyAt - serviceStartedAt,
      },
      load: {
        acknowledged: report.acknowledged.size,
        requests: report.requests,
        retries: report.retries,
        failures: report.failures,
        seconds: Math.round(loadSeconds * 10) / 10,
      },
      archive: { segments: archive.files, bytes: archive.bytes },
      baseBackupBytes: baseBackup.bytes,
      recoveryStop,
      violations,
      timings,
      restoredKeys,
      keptDirectory: settings.keep ? root : undefined,
    };
  } catch (error) {
    if (serviceLogs.length > 0) {
      log(`last service log lines:\n${serviceLogs.slice(-10).join('')}`);
    }
    throw error;
  } finally {
    await service?.close().catch(() => undefined);
    if (primary && restoredStarted) {
      await primary.run('pg_ctl', ['stop', '-D', restoredDir, '-w', '-m', 'fast']).catch(() => undefined);
    }
    if (settings.keep) {
      await primary?.stop('fast').catch(() => undefined);
      log(`kept ${root}${failed ? ' (the drill failed)' : ''}`);
    } else {
      await primary?.destroy().catch(() => undefined);
      await rm(root, { recursive: true, force: true });
    }
  }
}
