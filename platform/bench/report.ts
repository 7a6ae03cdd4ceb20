// What one synth process reports (platform/bench/synth-once.ts) and how the benchmark prints it.

export const RESULT_PREFIX = 'SYNTH_RESULT ';

export interface SynthResult {
  environments: number;
  stacks: number;
  /** Process start until the app code runs: Node, tsx and the module graph (same for every count). */
  startupSeconds: number;
  /** createPlatformApp: constructing every stack. */
  buildSeconds: number;
  /** app.synth(): prepare, templates, assets, cdk-nag validation. */
  synthSeconds: number;
  /** User + system CPU of the whole process; less sensitive to other work on the machine than wall time. */
  cpuSeconds: number;
  maxRssMiB: number;
}

export interface BenchRow extends SynthResult {
  /** Wall time of the synth process, start to exit: what `cdk synth` waits for. */
  totalSeconds: number;
}

/** Per-environment time may grow this much over the smallest count before growth counts as superlinear. */
export const LINEAR_TOLERANCE = 1.25;
export const GOAL = { environments: 30, seconds: 30 } as const;

/** Build + synth: the part of a run that depends on the number of environments. */
const appSeconds = (row: SynthResult): number => row.buildSeconds + row.synthSeconds;

export interface Assessment {
  /** Seconds per environment (build + synth) at each count divided by that of the smallest count. */
  ratios: number[];
  linear: boolean;
  /** Total seconds for GOAL.environments, when that count was run. */
  goalSeconds: number | undefined;
}

export function assess(rows: readonly BenchRow[]): Assessment {
  const first = rows[0];
  const basePerEnv = first ? appSeconds(first) / first.environments : 0;
  const ratios = rows.map((row) => appSeconds(row) / row.environments / basePerEnv);
  return {
    ratios,
    linear: ratios.every((ratio) => ratio <= LINEAR_TOLERANCE),
    goalSeconds: rows.find((row) => row.environments === GOAL.environments)?.totalSeconds,
  };
}

function table(header: string[], body: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((cells) => cells[i]?.length ?? 0)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padStart(widths[i] ?? 0)).join('  ');
  return [line(header), ...body.map(line)].join('\n');
}

/** The result table and the verdict on the goal (linear growth, 30 environments under 30 s). */
export function formatReport(rows: readonly BenchRow[]): string {
  const { ratios, linear, goalSeconds } = assess(rows);
  const first = rows[0];
  const body = rows.map((row, i) => {
    const marginal =
      first && row !== first
        ? (appSeconds(row) - appSeconds(first)) / (row.environments - first.environments)
        : undefined;
    return [
      String(row.environments),
      String(row.stacks),
      row.totalSeconds.toFixed(1),
      row.startupSeconds.toFixed(1),
      appSeconds(row).toFixed(1),
      (appSeconds(row) / row.environments).toFixed(2),
      (ratios[i] ?? Number.NaN).toFixed(2),
      marginal === undefined ? '-' : marginal.toFixed(2),
      row.cpuSeconds.toFixed(1),
      row.maxRssMiB.toFixed(0),
    ];
  });
  const header = [
    'envs',
    'stacks',
    'total s',
    'startup s',
    'synth s',
    's/env',
    'ratio',
    'added s/env',
    'cpu s',
    'max RSS MiB',
  ];
  const smallest = first?.environments ?? 0;
  const goal =
    goalSeconds === undefined
      ? `not measured (add ${GOAL.environments} to --counts)`
      : `${goalSeconds.toFixed(1)} s: ${goalSeconds < GOAL.seconds ? 'met' : 'NOT met'}`;
  return [
    table(header, body),
    '',
    'synth s = build + synth of the app (what grows with environments); s/env = synth s / envs;',
    `ratio = s/env over s/env at ${smallest} envs (linear growth keeps it at or below ~1; startup and`,
    'fixed costs make it fall); added s/env = cost of each environment beyond the smallest count.',
    '',
    `linear growth (ratio <= ${LINEAR_TOLERANCE} at every count): ${linear ? 'met' : 'NOT met'}`,
    `${GOAL.environments} environments in under ${GOAL.seconds} s (total): ${goal}`,
  ].join('\n');
}
