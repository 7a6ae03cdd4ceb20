import { execFile as execFileCb } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { postgresServerAvailable } from '../support/postgres.js';
import { runRestoreDrill } from './restore/drill.js';
import { expectationAt, judgeRestore, verdictViolations } from './restore/judge.js';
import { parseRestoreDrillOptions, UsageError } from './restore/options.js';

const execFile = promisify(execFileCb);

// The point-in-time restore drill (`npm run drill:restore`) run in-process on real PostgreSQL, plus
// the rules it judges a restored copy by. docs/reliability.md, "Restore drill".

describe.skipIf(!postgresServerAvailable())('point-in-time restore drill', () => {
  it('restores a new server to a time in the middle of the load: RPO 0, nothing after the target, ledger intact', async () => {
    const result = await runRestoreDrill({ loadSeconds: 4, workers: 6, keep: false });
    console.info(
      `[drill] restore: target ${result.target}, RPO ${result.rpoTransfers}, RTO ${result.rtoSeconds} s, ` +
        `${result.verdict.acknowledgedBeforeTarget} acknowledged before, ${result.verdict.sentAfterTarget} sent after, ` +
        `in flight ${JSON.stringify(result.verdict.inFlight)}; ${result.recoveryStop}`,
    );
    expect(result.violations).toEqual([]);
    expect(result.rpoTransfers).toBe(0);
    // Both sides of the target were exercised, or the verdict would be empty praise. Low bounds: a
    // loaded CI machine moves far fewer transfers than the hundreds a quiet one does.
    expect(result.verdict.acknowledgedBeforeTarget).toBeGreaterThan(10);
    expect(result.verdict.sentAfterTarget).toBeGreaterThan(10);
    expect(result.recoveryStop).toMatch(/recovery stopping before commit/);

    // The same restored copy, claimed for a target 1 s later: as if the restore had stopped 1 s early.
    const stoppedEarly = judgeRestore(result.timings, result.restoredKeys, result.targetMs + 1_000);
    expect(stoppedEarly.lost.length).toBeGreaterThan(0);
    // Claimed for 1 s earlier: as if replay had run 1 s past the target.
    const ranPast = judgeRestore(result.timings, result.restoredKeys, result.targetMs - 1_000);
    expect(ranPast.presentAfterTarget.length).toBeGreaterThan(0);
  });
});

describe('restore drill: judging a restored copy', () => {
  const target = 10_000;
  const timing = (sentAt: number, acknowledgedAt: number | undefined, transferId = `t${sentAt}`) => ({
    sentAt,
    acknowledgedAt,
    transferId: acknowledgedAt === undefined ? undefined : transferId,
  });

  it('classifies by the client clock: acknowledged before → present, sent after → absent, else either', () => {
    expect(expectationAt(timing(9_000, 9_999), target)).toBe('present');
    expect(expectationAt(timing(9_000, 10_000), target)).toBe('either');
    expect(expectationAt(timing(10_000, 10_050), target)).toBe('either');
    expect(expectationAt(timing(10_001, 10_050), target)).toBe('absent');
    expect(expectationAt(timing(9_990, undefined), target)).toBe('either');
  });

  it('reports lost, late, foreign and re-numbered transfers', () => {
    const timings = new Map([
      ['k-before', timing(9_000, 9_100)],
      ['k-lost', timing(9_200, 9_300)],
      ['k-renumbered', timing(9_400, 9_500, 'right-id')],
      ['k-flight', timing(9_950, 10_020)],
      ['k-after', timing(10_500, 10_600)],
      ['k-after-ok', timing(10_700, 10_800)],
    ]);
    const restored = new Map([
      ['k-before', 't9000'],
      ['k-renumbered', 'other-id'],
      ['k-flight', 't9950'],
      ['k-after', 't10500'],
      ['k-stranger', 'x'],
    ]);
    const verdict = judgeRestore(timings, restored, target);
    expect(verdict.acknowledgedBeforeTarget).toBe(3);
    expect(verdict.sentAfterTarget).toBe(2);
    expect(verdict.lost).toEqual(['k-lost']);
    expect(verdict.presentAfterTarget).toEqual(['k-after']);
    expect(verdict.wrongId).toEqual(['k-renumbered: client was given right-id, the copy holds other-id']);
    expect(verdict.unknown).toEqual(['k-stranger']);
    expect(verdict.inFlight).toEqual({ present: 1, absent: 0 });
    expect(verdictViolations(verdict)).toHaveLength(4);
  });

  it('refuses a verdict with nothing on one side of the target', () => {
    const onlyBefore = judgeRestore(new Map([['k', timing(1, 2)]]), new Map([['k', 't1']]), target);
    expect(verdictViolations(onlyBefore)).toEqual([
      'no transfer was sent after the target: the drill proved nothing',
    ]);
  });
});

describe('restore drill: command line', () => {
  it('parses the documented options and their defaults', () => {
    expect(parseRestoreDrillOptions([])).toEqual({ loadSeconds: 6, workers: 8, out: undefined, keep: false });
    expect(
      parseRestoreDrillOptions(['--seconds', '10', '--workers', '4', '--out', 'x.json', '--keep']),
    ).toEqual({
      loadSeconds: 10,
      workers: 4,
      out: 'x.json',
      keep: true,
    });
    expect(parseRestoreDrillOptions(['--help'])).toBe('help');
  });

  it.each([
    [['--seconds', '1'], /--seconds must be a whole number from 2 to 300/],
    [['--workers', 'many'], /--workers must be a whole number from 2 to 64/],
    [['--out', ' '], /--out must be a file path/],
    [['--target', 'now'], /Unknown option '--target'/],
    [['extra'], /positional/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseRestoreDrillOptions(argv)).toThrow(UsageError);
    expect(() => parseRestoreDrillOptions(argv)).toThrow(message);
  });

  it('exits 2 with the message and the usage on a bad flag, before starting anything', async () => {
    const failure = await execFile('npx', ['tsx', 'test/drills/restore/cli.ts', '--workers', '0']).then(
      () => undefined,
      (error: { code?: number; stderr?: string; stdout?: string }) => error,
    );
    expect(failure?.code).toBe(2);
    expect(failure?.stderr).toContain('--workers must be a whole number from 2 to 64');
    expect(failure?.stderr).toContain('Usage: npm run drill:restore');
    expect(failure?.stdout).toBe('');
  });
});
