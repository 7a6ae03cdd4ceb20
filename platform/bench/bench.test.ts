import { describe, expect, it } from 'vitest';
import { rawEnvironments } from '../config/environments.js';
import { benchEnvironments, maxBenchEnvironments } from './environments.js';
import { DEFAULT_COUNTS, parseSynthBenchOptions, UsageError } from './options.js';
import { assess, type BenchRow, formatReport } from './report.js';

// The synth benchmark's own logic (no synth here: `npm run bench:synth` measures, tests do not time).

describe('benchmark environments', () => {
  it('are copies of dev with their own name, non-overlapping VPC and GitOps path', () => {
    const envs = benchEnvironments(3);
    expect(envs.map((e) => e.name)).toEqual(['bench-001', 'bench-002', 'bench-003']);
    expect(envs.map((e) => e.gitops.path)).toEqual([
      'manifests/bench-001',
      'manifests/bench-002',
      'manifests/bench-003',
    ]);
    const committed = Object.values(rawEnvironments).map((e) => (e as { vpcCidr: string }).vpcCidr);
    const cidrs = envs.map((e) => e.vpcCidr);
    expect(new Set([...cidrs, ...committed]).size).toBe(cidrs.length + committed.length);
    const dev = envs[0];
    expect(dev?.nodes).toEqual((rawEnvironments.dev as { nodes: unknown }).nodes);
  });

  it('run out of /16 ranges in 10.0.0.0/8 rather than overlap', () => {
    const max = maxBenchEnvironments();
    expect(max).toBe(256 - Object.keys(rawEnvironments).length);
    expect(new Set(benchEnvironments(max).map((e) => e.vpcCidr)).size).toBe(max);
    expect(() => benchEnvironments(max + 1)).toThrow(RangeError);
    expect(() => benchEnvironments(0)).toThrow(RangeError);
  });
});

describe('bench:synth options', () => {
  it('defaults to 2, 10 and 30 environments', () => {
    expect(parseSynthBenchOptions([], 254)).toEqual({ counts: DEFAULT_COUNTS, cpuProfileDir: undefined });
  });

  it('sorts and de-duplicates the counts', () => {
    expect(parseSynthBenchOptions(['--counts', '30, 2,10,2'], 254)).toMatchObject({ counts: [2, 10, 30] });
  });

  it.each([
    [['--counts', '0']],
    [['--counts', '2,x']],
    [['--counts', '']],
    [['--counts', '255']],
    [['--counts', '1.5']],
    [['--counts']],
    [['--cpu-prof', ' ']],
    [['--bogus']],
    [['30']],
  ])('rejects %j', (argv) => {
    expect(() => parseSynthBenchOptions(argv, 254)).toThrow(UsageError);
  });
});

const row = (environments: number, seconds: number, total = seconds + 10): BenchRow => ({
  environments,
  stacks: environments * 4,
  startupSeconds: 10,
  buildSeconds: seconds / 2,
  synthSeconds: seconds / 2,
  cpuSeconds: seconds,
  maxRssMiB: 500,
  totalSeconds: total,
});

describe('bench:synth report', () => {
  it('calls growth linear while time per environment does not rise', () => {
    const result = assess([row(2, 4), row(10, 15), row(30, 42)]);
    expect(result.ratios.map((r) => Number(r.toFixed(2)))).toEqual([1, 0.75, 0.7]);
    expect(result.linear).toBe(true);
    expect(result.goalSeconds).toBe(52);
  });

  it('flags superlinear growth and a missed goal', () => {
    const text = formatReport([row(2, 4), row(30, 200)]);
    expect(text).toContain('linear growth (ratio <= 1.25 at every count): NOT met');
    expect(text).toContain('30 environments in under 30 s (total): 210.0 s: NOT met');
  });

  it('says when 30 environments were not measured', () => {
    expect(formatReport([row(2, 4)])).toContain('not measured (add 30 to --counts)');
  });
});
