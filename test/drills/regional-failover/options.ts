import { parseArgs } from 'node:util';

export type Replication = 'synchronous' | 'asynchronous';

export interface RegionalFailoverOptions {
  /** How the standby in the other "region" follows the primary. */
  readonly replication: Replication;
  /** One-way network delay from the primary to the standby, in ms (0: a direct connection). */
  readonly linkDelayMs: number;
  /** The standby's recovery_min_apply_delay, in ms (0: none). */
  readonly applyDelayMs: number;
  /** Seconds of transfer load on the primary before it is crashed. */
  readonly loadSeconds: number;
  /** Pause between the crash and the promotion: the stand-in for detecting the regional outage. */
  readonly detectionMs: number;
  /** Concurrent clients, each moving 1 cent at a time to the next one's account. */
  readonly workers: number;
  /**
   * Scheduling allowance on top of the link delay (and of the longest event-loop stall, which the
   * drill measures): walsender, walreceiver, relay, service and clients share two cores, so a byte
   * can reach the standby somewhat later than the link delay says.
   */
  readonly slackMs: number;
  /** Where the JSON figures go (none when undefined). */
  readonly out: string | undefined;
}

export const USAGE = `Usage: npm run drill:regional-failover -- [options]

Cross-region failover drill: a PostgreSQL primary and a streaming standby behind a delaying link,
transfers through the real bank-api under load, the primary crashed (pg_ctl stop -m immediate) and
the link cut, the standby promoted and the service's endpoint repointed to it. Prints the
acknowledged transfers lost (RPO, in transfers and in time) and the RTO; exits 1 when a ledger
invariant breaks or the loss exceeds what the configured lag allows.

  --replication <m>     asynchronous (default; Aurora Global Database, cross-region replica) or
                        synchronous (commits wait for the standby: must lose nothing)
  --link-delay-ms <ms>  one-way delay primary -> standby (default 200, 0-5000)
  --apply-delay-ms <ms> the standby's recovery_min_apply_delay (default 0, 0-60000)
  --seconds <s>         seconds of load before the crash (default 3, 1-300)
  --detection-ms <ms>   pause between the crash and the promotion (default 1000, 0-120000)
  --workers <n>         concurrent clients (default 8, 2-64)
  --slack-ms <ms>       allowance on top of the link delay and the measured event-loop stall
                        for the loss bound (default 250, 0-5000)
  --out <path>          also write the figures as JSON to this file
  --help                this text
`;

export class UsageError extends Error {
  override name = 'UsageError';
}

function wholeNumber(
  name: string,
  raw: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max} (got '${raw}')`);
  }
  return Number(raw);
}

const REPLICATION: Record<string, Replication> = {
  asynchronous: 'asynchronous',
  async: 'asynchronous',
  synchronous: 'synchronous',
  sync: 'synchronous',
};

/** Parses the command line; a bad option throws UsageError naming it. */
export function parseRegionalFailoverOptions(argv: readonly string[]): RegionalFailoverOptions | 'help' {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        replication: { type: 'string' },
        'link-delay-ms': { type: 'string' },
        'apply-delay-ms': { type: 'string' },
        seconds: { type: 'string' },
        'detection-ms': { type: 'string' },
        workers: { type: 'string' },
        'slack-ms': { type: 'string' },
        out: { type: 'string' },
        help: { type: 'boolean' },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return 'help';
  const rawReplication = (values.replication as string | undefined) ?? 'asynchronous';
  const replication = REPLICATION[rawReplication];
  if (!replication) {
    throw new UsageError(
      `--replication must be asynchronous (async) or synchronous (sync) (got '${rawReplication}')`,
    );
  }
  const out = values.out as string | undefined;
  if (out !== undefined && out.trim() === '') throw new UsageError('--out must be a file path');
  const str = (name: string) => values[name] as string | undefined;
  return {
    replication,
    linkDelayMs: wholeNumber('link-delay-ms', str('link-delay-ms'), 200, 0, 5_000),
    applyDelayMs: wholeNumber('apply-delay-ms', str('apply-delay-ms'), 0, 0, 60_000),
    loadSeconds: wholeNumber('seconds', str('seconds'), 3, 1, 300),
    detectionMs: wholeNumber('detection-ms', str('detection-ms'), 1_000, 0, 120_000),
    workers: wholeNumber('workers', str('workers'), 8, 2, 64),
    slackMs: wholeNumber('slack-ms', str('slack-ms'), 250, 0, 5_000),
    out,
  };
}
