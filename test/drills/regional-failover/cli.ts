import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { type RegionalFailoverResult, runRegionalFailoverDrill } from './drill.js';
import { parseRegionalFailoverOptions, USAGE, UsageError } from './options.js';

// `npm run drill:regional-failover`: exit 0 when the promoted copy is acceptable (every invariant
// holds, the loss within what the configured lag allows), 1 on any violation or failure, 2 on a bad
// command line.

const log = (message: string) => process.stderr.write(`[drill:regional-failover] ${message}\n`);

const ms = (value: number | null | undefined) =>
  value === null || value === undefined ? 'n/a' : `${value} ms`;

function formatFigures(result: RegionalFailoverResult): string {
  const v = result.verdict;
  const s = result.settings;
  const allowed =
    result.allowedLoss.kind === 'none'
      ? 'none (synchronous)'
      : `acknowledged within ${result.allowedLoss.windowMs} ms before the crash (link ${s.linkDelayMs} + slack ${s.slackMs} ` +
        `+ longest event-loop stall ${result.eventLoopStallMs})`;
  const lines = [
    `replication            ${s.replication}, link delay ${s.linkDelayMs} ms, apply delay ${s.applyDelayMs} ms`,
    `load                   ${result.load.acknowledged} transfers acknowledged (${result.load.requests} requests, ` +
      `${result.load.retries} retries), ${s.workers} clients, ${s.loadSeconds} s before the crash`,
    `lag during the load    flush max ${ms(result.lag.maxFlushLagMs)}, replay max ${ms(result.lag.maxReplayLagMs)}, ` +
      `unflushed max ${result.lag.maxUnflushedBytes} B (${result.lag.samples} samples)`,
    `lag at the crash       flush ${ms(result.lag.atCrash?.flushLagMs)}, replay ${ms(result.lag.atCrash?.replayLagMs)}, ` +
      `${result.lag.atCrash?.unflushedBytes ?? 'n/a'} B unflushed; ` +
      (result.droppedWalBytes === undefined ? 'no link' : `${result.droppedWalBytes} B dropped on the wire`),
    `before the crash       ${v.acknowledgedBeforeCrash} acknowledged, ${v.acknowledgedBeforeCrash - v.lost.length} on the promoted copy`,
    `allowed loss           ${allowed}`,
    `RPO                    ${result.rpoTransfers} acknowledged transfer(s) lost` +
      (v.lostDuringStop > 0
        ? ` (${v.lostDuringStop} of them acknowledged after the crash instant: committed before it, the answer still on its way)`
        : ''),
    `RPO (time)             ${result.rpoMs} ms: the oldest lost acknowledgement before the crash; newest lost ` +
      `${ms(v.newestLostRelativeMs)}, newest kept ${ms(v.newestSurvivingRelativeMs)} relative to the crash`,
    `RTO                    ${result.rtoMs} ms from the crash to the first transfer acknowledged by the new primary`,
    `  crash (stop -m immediate) ${result.phasesMs.crash} ms, detection ${result.phasesMs.detection} ms, ` +
      `promote ${result.phasesMs.promote} ms, first transfer ${result.phasesMs.firstTransfer} ms after the repoint`,
    `after the failover     ${v.acknowledgedAfterCrash} acknowledged by the new primary, all on it: ${v.lostAfterFailover.length === 0}`,
  ];
  if (result.violations.length === 0)
    lines.push('result                 PASSED: invariants hold, loss within the bound');
  else
    lines.push(
      `result                 FAILED: ${result.violations.length} violation(s)`,
      ...result.violations.map((p) => `  - ${p}`),
    );
  return `${lines.join('\n')}\n`;
}

async function main(argv: string[]): Promise<number> {
  const options = parseRegionalFailoverOptions(argv);
  if (options === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  const { out, ...settings } = options;
  const result = await runRegionalFailoverDrill({ ...settings, log });
  process.stdout.write(formatFigures(result));
  if (out) {
    const path = resolve(out);
    await mkdir(dirname(path), { recursive: true });
    const { timings: _timings, promotedKeys: _keys, verdict, ...figures } = result;
    const { lost, lostBeyondBound, lostAfterFailover, wrongId, unknown, unacknowledged, ...counts } = verdict;
    const summary = {
      ...figures,
      verdict: {
        ...counts,
        lost: lost.length,
        lostBeyondBound: lostBeyondBound.length,
        lostAfterFailover: lostAfterFailover.length,
        wrongId: wrongId.length,
        unknown: unknown.length,
        unacknowledged: unacknowledged.length,
      },
    };
    await writeFile(path, `${JSON.stringify(summary, null, 2)}\n`);
    log(`figures written to ${path}`);
  }
  return result.violations.length === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`drill:regional-failover: ${error.message}\n\n${USAGE}`);
      process.exit(2);
    }
    process.stderr.write(
      `drill:regional-failover: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
