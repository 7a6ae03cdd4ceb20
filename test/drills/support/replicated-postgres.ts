import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { freePort, type PostgresServer, startPostgres } from '../../support/postgres.js';
import { type ReplicationLink, startReplicationLink } from './replication-link.js';
import { pgQuery } from './sql.js';

/**
 * A primary and a streaming-replication standby cloned from it with pg_basebackup.
 *
 * By default replication is synchronous, so a commit is acknowledged only once the standby has it:
 * the local twin of Aurora's shared, quorum-written storage, where a failover never loses an
 * acknowledged commit. `replication: 'asynchronous'` acknowledges a commit as soon as the primary
 * has flushed it, as an Aurora Global Database secondary or a cross-region read replica does: what
 * the standby has not received when the primary dies is lost on promotion.
 */
export interface ReplicatedPostgres {
  primary: PostgresServer;
  standbyPort: number;
  /** Superuser URL of the standby (after promotion: the new primary). */
  standbyUrl: string;
  /** The delaying relay between the regions, when `linkDelayMs` asked for one. */
  link: ReplicationLink | undefined;
  /**
   * Crash the primary: an immediate stop, no shutdown checkpoint, connections cut. With a link, the
   * link is cut at the instant of the crash (the region goes dark) and the postmaster signalled at
   * once: WAL still on the wire never reaches the standby.
   */
  killPrimary(): Promise<void>;
  /** Promote the standby to primary and wait until it accepts writes. */
  promoteStandby(): Promise<void>;
  /** The primary's view of the standby (pg_stat_replication), undefined when it is not streaming. */
  replicationStatus(): Promise<ReplicationStatus | undefined>;
  destroy(): Promise<void>;
}

export interface ReplicatedPostgresOptions {
  /** 'synchronous' (default): commits wait for the standby's flush. 'asynchronous': they do not. */
  replication?: 'synchronous' | 'asynchronous';
  /**
   * One-way delay of the network from the primary to the standby (a relay holds every byte this
   * long), the stand-in for the distance between two regions. 0 (default): a direct connection.
   */
  linkDelayMs?: number;
  /**
   * The standby's `recovery_min_apply_delay`: it receives and flushes WAL at once but applies each
   * commit only this long after it happened. 0 (default): no delay.
   */
  applyDelayMs?: number;
}

export interface ReplicationStatus {
  state: string;
  syncState: string;
  /** pg_stat_replication's lags in ms (null when PostgreSQL has no recent sample). */
  writeLagMs: number | null;
  flushLagMs: number | null;
  replayLagMs: number | null;
  /** WAL the primary has sent but the standby has not yet flushed / replayed, in bytes. */
  unflushedBytes: number;
  unreplayedBytes: number;
}

const lagMs = (value: unknown): number | null =>
  value === null || value === undefined ? null : Math.round(Number(value) * 1000);

export async function startReplicatedPostgres(
  options: ReplicatedPostgresOptions = {},
): Promise<ReplicatedPostgres> {
  const synchronous = (options.replication ?? 'synchronous') === 'synchronous';
  const linkDelayMs = options.linkDelayMs ?? 0;
  const applyDelayMs = options.applyDelayMs ?? 0;
  const primary = await startPostgres({ settings: { wal_level: 'replica', max_wal_senders: 5 } });
  const root = dirname(primary.dataDir);
  const standbyDir = join(root, 'standby');
  const standbyLog = join(root, 'standby.log');
  let standbyPort = 0;
  const user = decodeURIComponent(new URL(primary.url).username);
  let link: ReplicationLink | undefined;
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
    if (linkDelayMs > 0) {
      // The standby reaches the primary through the relay: its primary_conninfo gets the relay's port.
      link = await startReplicationLink(primary.port, linkDelayMs);
      const autoConf = join(standbyDir, 'postgresql.auto.conf');
      const text = await readFile(autoConf, 'utf8');
      const relayed = text.replace(/(primary_conninfo = '[^\n]*?)port=\d+/, `$1port=${link.port}`);
      if (relayed === text) throw new Error(`no primary_conninfo port to repoint in ${autoConf}`);
      await writeFile(autoConf, relayed);
    }
    // The port is picked just before the start (pg_basebackup takes seconds, and parallel suites pick
    // ports too); a port taken in between is retried, any other failure shows the server's log.
    for (let attempt = 1; ; attempt++) {
      standbyPort = await freePort();
      const serverOptions = [
        `-c port=${standbyPort}`,
        '-c listen_addresses=127.0.0.1',
        `-c unix_socket_directories=${join(root, 'socket')}`,
        '-c max_connections=200',
        '-c hot_standby=on',
        ...(applyDelayMs > 0 ? [`-c recovery_min_apply_delay=${applyDelayMs}ms`] : []),
      ].join(' ');
      try {
        await primary.run('pg_ctl', [
          'start',
          '-D',
          standbyDir,
          '-w',
          '-t',
          '60',
          '-l',
          standbyLog,
          '-o',
          serverOptions,
        ]);
        break;
      } catch (error) {
        const logText = await readFile(standbyLog, 'utf8').catch(() => '');
        if (attempt < 3 && logText.includes('Address already in use')) continue;
        const tail = logText.trim().split('\n').slice(-15).join('\n');
        throw new Error(`${(error as Error).message}\nstandby log (last lines):\n${tail}`);
      }
    }
  } catch (error) {
    await link?.close();
    await primary.destroy();
    throw error;
  }
  const standbyUrl = primary.url.replace(`:${primary.port}/`, `:${standbyPort}/`);
  // Wait for the standby to stream, then (synchronous) make every commit wait for it.
  const deadline = Date.now() + 30_000;
  while ((await pgQuery(primary.url, 'SELECT count(*)::int AS n FROM pg_stat_replication'))[0]?.n !== 1) {
    if (Date.now() > deadline) throw new Error('the standby did not start streaming within 30 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  if (synchronous) {
    await pgQuery(primary.url, "ALTER SYSTEM SET synchronous_standby_names = '*'");
    await pgQuery(primary.url, 'SELECT pg_reload_conf()');
  }

  return {
    primary,
    standbyPort,
    standbyUrl,
    link,
    async killPrimary() {
      if (link) {
        // The region goes dark at one instant: the link is cut and the postmaster gets the SIGQUIT
        // that `pg_ctl stop -m immediate` would send, in the same tick, without waiting for pg_ctl to
        // start (100–400 ms here, during which the primary would go on committing). pg_ctl below then
        // waits for the end. Cutting after pg_ctl returns would let the whole backlog arrive.
        const pidFile = await readFile(join(primary.dataDir, 'postmaster.pid'), 'utf8');
        const pid = Number(pidFile.split('\n')[0]);
        link.cut();
        if (Number.isInteger(pid) && pid > 0) process.kill(pid, 'SIGQUIT');
      }
      await primary.stop('immediate');
    },
    async promoteStandby() {
      await primary.run('pg_ctl', ['promote', '-D', standbyDir, '-w', '-t', '60']);
    },
    async replicationStatus() {
      const [row] = await pgQuery(
        primary.url,
        `SELECT state, sync_state,
                extract(epoch FROM write_lag) AS write_lag, extract(epoch FROM flush_lag) AS flush_lag,
                extract(epoch FROM replay_lag) AS replay_lag,
                pg_wal_lsn_diff(sent_lsn, flush_lsn)::bigint AS unflushed,
                pg_wal_lsn_diff(sent_lsn, replay_lsn)::bigint AS unreplayed
           FROM pg_stat_replication`,
      );
      if (!row) return undefined;
      return {
        state: String(row.state),
        syncState: String(row.sync_state),
        writeLagMs: lagMs(row.write_lag),
        flushLagMs: lagMs(row.flush_lag),
        replayLagMs: lagMs(row.replay_lag),
        unflushedBytes: Number(row.unflushed),
        unreplayedBytes: Number(row.unreplayed),
      };
    },
    async destroy() {
      await link?.close();
      await primary.run('pg_ctl', ['stop', '-D', standbyDir, '-w', '-m', 'immediate']).catch(() => undefined);
      await primary.destroy();
    },
  };
}
