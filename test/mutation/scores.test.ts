import { existsSync, globSync } from 'node:fs';
import { join } from 'node:path';
import type { MutantStatus, MutationTestResult } from 'mutation-testing-report-schema';
import { describe, expect, it } from 'vitest';
import { belowFloor, formatScores, moduleScores } from '../../scripts/mutation/scores.js';
import { MUTATION_MODULES, moduleSlug } from './modules.js';

// The per-module score table of `npm run test:mutation`, from a small report written by hand.

function file(...statuses: MutantStatus[]) {
  return {
    language: 'typescript',
    source: 'const a = 1;\n',
    mutants: statuses.map((status, i) => ({
      id: String(i),
      mutatorName: 'StringLiteral',
      replacement: '""',
      status,
      location: { start: { line: 1, column: 1 }, end: { line: 1, column: 2 } },
    })),
  };
}

const report: MutationTestResult = {
  schemaVersion: '2',
  thresholds: { high: 80, low: 60 },
  projectRoot: '/work/repo',
  files: {
    'src/a.ts': file('Killed', 'Killed', 'Killed', 'Survived'),
    '/work/repo/src/b.ts': file('Timeout', 'NoCoverage', 'Ignored', 'CompileError'),
    'src/c.ts': file('Killed'),
  },
};

const modules = [
  { name: 'a and b', files: ['src/a.ts', 'src/b.ts'], tests: [] },
  { name: 'c', files: ['src/c.ts'], tests: [] },
  { name: 'nothing mutated', files: ['src/none.ts'], tests: [] },
];

describe('mutation scores', () => {
  const scores = moduleScores(report, modules, '/work/repo');

  it('count each module over its own files, absolute or relative paths alike', () => {
    expect(
      scores.map((s) => [
        s.module,
        s.metrics.killed,
        s.metrics.timeout,
        s.metrics.survived,
        s.metrics.noCoverage,
      ]),
    ).toEqual([
      ['a and b', 3, 1, 1, 1],
      ['c', 1, 0, 0, 0],
      ['nothing mutated', 0, 0, 0, 0],
    ]);
  });

  it('score detected over valid mutants; ignored and compile errors count for neither', () => {
    expect(scores.map((s) => s.score)).toEqual([(4 / 6) * 100, 100, undefined]);
  });

  it('fail only the modules under the floor', () => {
    expect(belowFloor(scores, 80).map((s) => s.module)).toEqual(['a and b']);
    expect(belowFloor(scores, 66)).toEqual([]);
  });

  it('print one row per module with the floor next to a low score', () => {
    expect(formatScores(scores, 80).split('\n')).toEqual([
      'module           mutants  killed  timeout  survived  no cover  ignored          score',
      'a and b                8       3        1         1         1        1  66.7 % < 80 %',
      'c                      1       1        0         0         0        0        100.0 %',
      'nothing mutated        0       0        0         0         0        0            n/a',
    ]);
  });
});

describe('the mutation modules', () => {
  it('have distinct names and report files, and every one has suites', () => {
    expect(new Set(MUTATION_MODULES.map((m) => m.name)).size).toBe(MUTATION_MODULES.length);
    expect(new Set(MUTATION_MODULES.map(moduleSlug)).size).toBe(MUTATION_MODULES.length);
    for (const module of MUTATION_MODULES) expect(module.tests.length, module.name).toBeGreaterThan(0);
    expect(
      moduleSlug({ name: 'WebService, NetworkPolicy and namespace constructs', files: [], tests: [] }),
    ).toBe('webservice-networkpolicy-and-namespace-constructs');
  });

  it('name files and suites that exist, so a rename cannot silently drop a module', () => {
    const root = join(import.meta.dirname, '..', '..');
    for (const module of MUTATION_MODULES) {
      for (const path of module.files) expect(existsSync(join(root, path)), path).toBe(true);
      for (const pattern of module.tests) expect(globSync(pattern, { cwd: root }), pattern).not.toEqual([]);
    }
  });
});
