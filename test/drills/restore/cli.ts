import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { type RestoreDrillResult, runRestoreDrill } from './drill.js';
import { parseRestoreDrillOptions, USAGE, UsageError } from './options.js';

// `npm run drill:restore`: exit 0 when the restore is proven, 1 on any violation or failure, 2 on a
// bad command line.

const log = (message: string) => process.stderr.write(`[drill:restore] ${message}\n`);

function formatFigures(result: RestoreDrillResult): string {
  const v = result.verdict;
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const lines = [
    `target time            ${result.target}`,
    `load                   ${result.load.acknowledged} transfers acknowledged in ${result.load.seconds} s ` +
      `(${result.load.requests} requests, ${result.load.retries} retries)`,
    `base backup / archive  ${(result.baseBackupBytes / 1048576).toFixed(1)} MiB / ${result.archive.segments} archived WAL files, ` +
      `${(result.archive.bytes / 1048576).toFixed(1)} MiB`,
    `replay stopped         ${result.recoveryStop ?? '(not logged)'}`,
    `before the target      ${v.acknowledgedBeforeTarget} acknowledged, ${v.acknowledgedBeforeTarget - v.lost.length} in the copy`,
    `after the target       ${v.sentAfterTarget} sent, ${v.presentAfterTarget.length} in the copy`,
    `in flight at target    ${v.inFlight.present + v.inFlight.absent} (${v.inFlight.present} in the copy, ${v.inFlight.absent} not)`,
    `RPO                    ${result.rpoTransfers} acknowledged transfer(s) lost`,
    `RTO                    ${result.rtoSeconds.toFixed(2)} s from the start of the restore to a promoted copy passing every check`,
    `  copy base backup     ${s(result.phasesMs.copyBaseBackup)}`,
    `  replay and promote   ${s(result.phasesMs.replayAndPromote)}`,
    `  checks               ${s(result.phasesMs.checks)}`,
    `bank-api on the copy   ready in ${s(result.phasesMs.serviceReadyOnCopy)} after the RTO`,
  ];
  if (result.violations.length === 0) lines.push('result                 PROVEN: no violations');
  else
    lines.push(
      `result                 FAILED: ${result.violations.length} violation(s)`,
      ...result.violations.map((p) => `  - ${p}`),
    );
  return `${lines.join('\n')}\n`;
}

async function main(argv: string[]): Promise<number> {
  const options = parseRestoreDrillOptions(argv);
  if (options === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  const result = await runRestoreDrill({ ...options, log });
  process.stdout.write(formatFigures(result));
  if (options.out) {
    const out = resolve(options.out);
    await mkdir(dirname(out), { recursive: true });
    const { timings: _timings, restoredKeys: _keys, ...figures } = result;
    await writeFile(out, `${JSON.stringify(figures, null, 2)}\n`);
    log(`figures written to ${out}`);
  }
  return result.violations.length === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`drill:restore: ${error.message}\n\n${USAGE}`);
      process.exit(2);
    }
    process.stderr.write(
      `drill:restore: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
