import { parseArgs } from 'node:util';

export interface SynthBenchOptions {
  /** Environment counts, ascending and without repeats; each is synthesized in its own process. */
  counts: number[];
  /** When set, every synth process writes a V8 CPU profile (.cpuprofile) into this folder. */
  cpuProfileDir: string | undefined;
}

export const DEFAULT_COUNTS = [2, 10, 30];

export const usage = (maxCount: number): string => `Usage: npm run bench:synth -- [options]

Synthesizes the CDK app for N generated environments (copies of dev), each count in a fresh
process, and prints the time per environment.

  --counts <list>     comma-separated environment counts, 1-${maxCount} (default ${DEFAULT_COUNTS.join(',')})
  --cpu-prof <dir>    write a CPU profile of every synth process into <dir> (open in Chrome DevTools)
  --help              this text
`;

export class UsageError extends Error {
  override name = 'UsageError';
}

/** Parses the command line; throws UsageError naming the bad option or value. */
export function parseSynthBenchOptions(argv: string[], maxCount: number): SynthBenchOptions | 'help' {
  let values: { counts?: string; 'cpu-prof'?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        counts: { type: 'string' },
        'cpu-prof': { type: 'string' },
        help: { type: 'boolean' },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return 'help';

  const raw = values.counts ?? DEFAULT_COUNTS.join(',');
  const counts = raw.split(',').map((part) => {
    const text = part.trim();
    if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > maxCount) {
      throw new UsageError(
        `--counts takes whole numbers from 1 to ${maxCount}, comma-separated (got '${raw}')`,
      );
    }
    return Number(text);
  });
  const cpuProfileDir = values['cpu-prof'];
  if (cpuProfileDir !== undefined && cpuProfileDir.trim() === '') {
    throw new UsageError('--cpu-prof needs a folder');
  }
  return { counts: [...new Set(counts)].sort((a, b) => a - b), cpuProfileDir };
}
