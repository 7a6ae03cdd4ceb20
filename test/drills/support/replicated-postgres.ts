import { dirname, join } from 'node:path';
import { freePort, type PostgresServer, startPostgres } from '../../support/postgres.js';
import { pgQuery } from './sql.js';

/**
 * A primary and a streaming-replication standby cloned from it with pg_basebackup. Replication is
 * synchronous, so a commit is acknowledged only once the standby has it: the local twin of Aurora's
 * shared, quorum-written storage, where a failover never loses an acknowledged commit.
 */
export interface ReplicatedPostgres {
  primary: PostgresServer;
  standbyPort: number;
  /** Superuser URL of the standby (after promotion: the new primary). */
  standbyUrl: string;
  /** Crash the primary: an immediate stop, no shutdown checkpoint, connections cut. */
  killPrimary(): Promise<void>;
  /** Promote the standby to primary and wait until it accepts writes. */
  promoteStandby(): Promise<void>;
  destroy(): Promise<void>;
}

export async function startReplicatedPostgres(): Promise<ReplicatedPostgres> {
  const primary = await startPostgres({ settings: { wal_level: 'replica', max_wal_senders: 5 } });
  const root = dirname(primary.dataDir);
  const standbyDir = join(root, 'standby');
  const standbyPort = await freePort();
  const user = decodeURIComponent(new URL(primary.url).username);
  try {
    // -R writes standby.signal and primary_conninfo; -X stream copies the WAL written meanwhile.
    await primary.run('pg_basebackup', [
      `--pgdata=${standbyDir}`,
      '--host=127.0.0.1',
      `--port=${primary.port}`,
      `--username=${user}`,
      '--wal-method=stream',
      '--write-recovery-conf',
      '--checkpoint=fast',
    ]);
    const options = [
      `-c port=${standbyPort}`,
      '-c listen_addresses=127.0.0.1',
      `-c unix_socket_directories=${join(root, 'socket')}`,
      '-c max_connections=200',
      '-c hot_standby=on',
    ].join(' ');
    await primary.run('pg_ctl', [
      'start',
      '-D',
      standbyDir,
      '-w',
      '-t',
      '60',
      '-l',
      join(root, 'standby.log'),
      '-o',
      options,
    ]);
  } catch (error) {
    await primary.destroy();
    throw error;
  }
  const standbyUrl = primary.url.replace(`:${primary.port}/`, `:${standbyPort}/`);
  // Wait for the standby to stream, then make every commit wait for it.
  const deadline = Date.now() + 30_000;
  while ((await pgQuery(primary.url, 'SELECT count(*)::int AS n FROM pg_stat_replication'))[0]?.n !== 1) {
    if (Date.now() > deadline) throw new Error('the standby did not start streaming within 30 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  await pgQuery(primary.url, "ALTER SYSTEM SET synchronous_standby_names = '*'");
  await pgQuery(primary.url, 'SELECT pg_reload_conf()');

  return {
    primary,
    standbyPort,
    standbyUrl,
    killPrimary: () => primary.stop('immediate'),
    async promoteStandby() {
      await primary.run('pg_ctl', ['promote', '-D', standbyDir, '-w', '-t', '60']);
    },
    async destroy() {
      await primary.run('pg_ctl', ['stop', '-D', standbyDir, '-w', '-m', 'immediate']).catch(() => undefined);
      await primary.destroy();
    },
  };
}
