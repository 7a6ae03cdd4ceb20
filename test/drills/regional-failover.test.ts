import { execFile as execFileCb } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { postgresServerAvailable } from '../support/postgres.js';
import { runRegionalFailoverDrill } from './regional-failover/drill.js';
import { failoverViolations, judgeFailover } from './regional-failover/judge.js';
import { parseRegionalFailoverOptions, UsageError } from './regional-failover/options.js';

const execFile = promisify(execFileCb);

// The cross-region failover drill (`npm run drill:regional-failover`) run in-process on real
// PostgreSQL, plus the rules it judges a promoted replica by. docs/reliability.md, "Regional
// failover drill". The in-region twin (synchronous standby, no link delay) is the failover drill in
// database-failures.test.ts.

const LINK_DELAY_MS = 200;
const SLACK_MS = 250;

describe.skipIf(!postgresServerAvailable())('regional failover drill', () => {
  it('asynchronous standby 200 ms away: acknowledged transfers are lost, only within the lag; the ledger holds', async () => {
    const applyDelayMs = 1_000;
    const result = await runRegionalFailoverDrill({
      replication: 'asynchronous',
      linkDelayMs: LINK_DELAY_MS,
      applyDelayMs,
      loadSeconds: 2,
      detectionMs: 500,
      workers: 8,
      slackMs: SLACK_MS,
    });
    const v = result.verdict;
    console.info(
      `[drill] regional failover (async, link ${LINK_DELAY_MS} ms, apply delay ${applyDelayMs} ms): ` +
        `RPO ${result.rpoTransfers} of ${v.acknowledgedBeforeCrash} acknowledged, ${result.rpoMs} ms; RTO ${result.rtoMs} ms; ` +
        `flush lag max ${result.lag.maxFlushLagMs} ms, replay lag max ${result.lag.maxReplayLagMs} ms, ` +
        `event-loop stall ${result.eventLoopStallMs} ms, ${result.droppedWalBytes} B dropped on the wire`,
    );
    // Invariants hold on the promoted copy whatever was lost; the loss is within the allowed window.
    expect(result.violations).toEqual([]);
    // The lag is real and visible: the primary saw the standby flush ~ the link delay late and replay
    // ~ the apply delay late; WAL was on the wire when the link was cut.
    expect(result.lag.maxFlushLagMs).toBeGreaterThanOrEqual(LINK_DELAY_MS * 0.75);
    expect(result.lag.maxReplayLagMs).toBeGreaterThanOrEqual(applyDelayMs * 0.75);
    expect(result.droppedWalBytes).toBeGreaterThan(0);
    // So acknowledged transfers were lost, and only recent ones: bounded by the link delay (plus the
    // measured allowance), not by the apply delay. Received WAL is replayed on promotion, however late.
    expect(result.rpoTransfers).toBeGreaterThan(0);
    expect(result.allowedLoss).toEqual({
      kind: 'window',
      windowMs: LINK_DELAY_MS + SLACK_MS + result.eventLoopStallMs,
    });
    expect(result.rpoMs).toBeLessThanOrEqual(LINK_DELAY_MS + SLACK_MS + result.eventLoopStallMs);
    expect(result.rpoMs).toBeLessThan(applyDelayMs);
    expect(v.acknowledgedBeforeCrash - result.rpoTransfers).toBeGreaterThan(10);
    // The service recovered on the new primary.
    expect(v.acknowledgedAfterCrash).toBeGreaterThan(0);
    expect(result.rtoMs).toBeGreaterThan(500);

    // The same copy judged as if replication had been synchronous, or the window were 0: violations.
    expect(
      failoverViolations(judgeFailover(result.timings, result.promotedKeys, v, { kind: 'none' }), {
        kind: 'none',
      }),
    ).not.toEqual([]);
    const noWindow = judgeFailover(result.timings, result.promotedKeys, v, { kind: 'window', windowMs: 0 });
    expect(noWindow.lostBeyondBound.length).toBeGreaterThan(0);
  });

  it('synchronous standby behind the same 200 ms link: the failover loses nothing', async () => {
    const result = await runRegionalFailoverDrill({
      replication: 'synchronous',
      linkDelayMs: LINK_DELAY_MS,
      applyDelayMs: 0,
      loadSeconds: 2,
      detectionMs: 500,
      workers: 8,
      slackMs: SLACK_MS,
    });
    const v = result.verdict;
    console.info(
      `[drill] regional failover (sync, link ${LINK_DELAY_MS} ms): RPO ${result.rpoTransfers} of ` +
        `${v.acknowledgedBeforeCrash} acknowledged; RTO ${result.rtoMs} ms; flush lag max ${result.lag.maxFlushLagMs} ms`,
    );
    expect(result.allowedLoss).toEqual({ kind: 'none' });
    expect(result.violations).toEqual([]);
    expect(result.rpoTransfers).toBe(0);
    expect(v.acknowledgedBeforeCrash).toBeGreaterThan(10);
    expect(v.acknowledgedAfterCrash).toBeGreaterThan(0);
  });
});

describe('regional failover drill: judging a promoted copy', () => {
  const crash = { crashedAt: 10_000, repointedAt: 11_000 };
  const timing = (sentAt: number, acknowledgedAt: number | undefined, transferId = `t${sentAt}`) => ({
    sentAt,
    acknowledgedAt,
    transferId: acknowledgedAt === undefined ? undefined : transferId,
  });
  const timings = new Map([
    ['k-old', timing(9_000, 9_100)],
    ['k-recent-kept', timing(9_800, 9_850)],
    ['k-recent-lost', timing(9_850, 9_900)],
    ['k-dying-lost', timing(9_990, 10_020)],
    ['k-new', timing(11_100, 11_200)],
    ['k-never', timing(9_995, undefined)],
  ]);
  const copy = (without: string[], extra: [string, string][] = []) =>
    new Map([
      ...[...timings]
        .filter(([key, t]) => !without.includes(key) && t.transferId !== undefined)
        .map(([key, t]) => [key, t.transferId as string] as [string, string]),
      ...extra,
    ]);
  const window = { kind: 'window', windowMs: 300 } as const;

  it('counts the lost, the loss window and the newest lost and kept against the crash', () => {
    const verdict = judgeFailover(timings, copy(['k-recent-lost', 'k-dying-lost']), crash, window);
    expect(verdict.acknowledgedBeforeCrash).toBe(4);
    expect(verdict.acknowledgedAfterCrash).toBe(1);
    expect(verdict.lost).toEqual(['k-recent-lost', 'k-dying-lost']);
    expect(verdict.lostDuringStop).toBe(1);
    expect(verdict.lossWindowMs).toBe(100);
    expect(verdict.newestLostRelativeMs).toBe(20);
    expect(verdict.newestSurvivingRelativeMs).toBe(-150);
    expect(failoverViolations(verdict, window)).toEqual([]);
  });

  it('flags a loss older than the window, any loss when synchronous, and a loss after the failover', () => {
    const old = judgeFailover(timings, copy(['k-old']), crash, window);
    expect(old.lostBeyondBound).toEqual(['k-old']);
    expect(failoverViolations(old, window)[0]).toMatch(
      /acknowledged more than 300 ms before the crash are lost/,
    );
    const sync = judgeFailover(timings, copy(['k-dying-lost']), crash, { kind: 'none' });
    expect(failoverViolations(sync, { kind: 'none' })[0]).toMatch(
      /lost although replication was synchronous/,
    );
    const after = judgeFailover(timings, copy(['k-new']), crash, window);
    expect(failoverViolations(after, window)).toEqual([
      '1 transfer(s) acknowledged by the promoted replica are missing: k-new',
    ]);
  });

  it('flags foreign keys, re-numbered transfers, unacknowledged ones and an empty drill', () => {
    const odd = copy([], [['k-stranger', 'x']]);
    odd.set('k-old', 'other-id');
    odd.set('k-never', 't9995');
    expect(failoverViolations(judgeFailover(timings, odd, crash, window), window)).toEqual([
      'transfer ids differ: k-old: client was given t9000, the copy holds other-id',
      '1 key(s) no client sent: k-stranger',
      '1 transfer(s) on the copy that no client was acknowledged: k-never',
    ]);
    const nothing = judgeFailover(new Map(), new Map(), crash, window);
    expect(failoverViolations(nothing, window)).toEqual([
      'no transfer was acknowledged before the crash: the drill proved nothing',
      'no transfer was acknowledged after the failover: the service never recovered',
    ]);
  });
});

describe('regional failover drill: command line', () => {
  it('parses the documented options and their defaults', () => {
    expect(parseRegionalFailoverOptions([])).toEqual({
      replication: 'asynchronous',
      linkDelayMs: 200,
      applyDelayMs: 0,
      loadSeconds: 3,
      detectionMs: 1_000,
      workers: 8,
      slackMs: 250,
      out: undefined,
    });
    expect(
      parseRegionalFailoverOptions([
        '--replication',
        'sync',
        '--link-delay-ms',
        '0',
        '--apply-delay-ms',
        '1000',
        '--seconds',
        '5',
        '--detection-ms',
        '2000',
        '--workers',
        '4',
        '--slack-ms',
        '100',
        '--out',
        'x.json',
      ]),
    ).toEqual({
      replication: 'synchronous',
      linkDelayMs: 0,
      applyDelayMs: 1_000,
      loadSeconds: 5,
      detectionMs: 2_000,
      workers: 4,
      slackMs: 100,
      out: 'x.json',
    });
    expect(parseRegionalFailoverOptions(['--help'])).toBe('help');
  });

  it.each([
    [['--replication', 'semi'], /--replication must be asynchronous \(async\) or synchronous \(sync\)/],
    [['--link-delay-ms=-1'], /--link-delay-ms must be a whole number from 0 to 5000/],
    [['--apply-delay-ms', '1.5'], /--apply-delay-ms must be a whole number from 0 to 60000/],
    [['--seconds', '0'], /--seconds must be a whole number from 1 to 300/],
    [['--workers', '65'], /--workers must be a whole number from 2 to 64/],
    [['--out', ' '], /--out must be a file path/],
    [['--region', 'eu'], /Unknown option '--region'/],
    [['extra'], /positional/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseRegionalFailoverOptions(argv)).toThrow(UsageError);
    expect(() => parseRegionalFailoverOptions(argv)).toThrow(message);
  });

  it('exits 2 with the message and the usage on a bad flag, before starting anything', async () => {
    const failure = await execFile('npx', [
      'tsx',
      'test/drills/regional-failover/cli.ts',
      '--replication',
      'semi',
    ]).then(
      () => undefined,
      (error: { code?: number; stderr?: string; stdout?: string }) => error,
    );
    expect(failure?.code).toBe(2);
    expect(failure?.stderr).toContain('--replication must be asynchronous');
    expect(failure?.stderr).toContain('Usage: npm run drill:regional-failover');
    expect(failure?.stdout).toBe('');
  });
});
