import { isAbsolute, relative } from 'node:path';
import { calculateMetrics, type Metrics } from 'mutation-testing-metrics';
import type { FileResult, MutationTestResult } from 'mutation-testing-report-schema';
import type { MutationModule } from '../../test/mutation/modules.js';

/** One module's line in the mutation report. */
export interface ModuleScore {
  readonly module: string;
  readonly metrics: Metrics;
  /** Detected mutants over valid ones, in percent; undefined when the module had no valid mutant. */
  readonly score: number | undefined;
}

/**
 * Per-module scores from Stryker's JSON report (mutation-testing-report-schema), computed with the
 * same library Stryker's own reporters use, so a module's score matches the HTML report's folder view.
 */
export function moduleScores(
  report: MutationTestResult,
  modules: readonly MutationModule[],
  projectRoot: string,
): ModuleScore[] {
  const byPath = new Map<string, FileResult>();
  for (const [name, file] of Object.entries(report.files)) {
    byPath.set(isAbsolute(name) ? relative(projectRoot, name) : name, file);
  }
  return modules.map((module) => {
    const files = Object.fromEntries(
      module.files.flatMap((path) => {
        const file = byPath.get(path);
        return file ? [[path, file] as const] : [];
      }),
    );
    const { metrics } = calculateMetrics(files);
    return {
      module: module.name,
      metrics,
      score: metrics.totalValid === 0 ? undefined : metrics.mutationScore,
    };
  });
}

/** The report as a table: one row per module, the floor next to each score. */
export function formatScores(scores: readonly ModuleScore[], floor: number): string {
  const header = ['module', 'mutants', 'killed', 'timeout', 'survived', 'no cover', 'ignored', 'score'];
  const rows = scores.map((s) => [
    s.module,
    String(s.metrics.totalMutants),
    String(s.metrics.killed),
    String(s.metrics.timeout),
    String(s.metrics.survived),
    String(s.metrics.noCoverage),
    String(s.metrics.ignored),
    s.score === undefined ? 'n/a' : `${s.score.toFixed(1)} %${s.score < floor ? ` < ${floor} %` : ''}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}

/** The modules below the floor (a module without valid mutants is not below it). */
export function belowFloor(scores: readonly ModuleScore[], floor: number): ModuleScore[] {
  return scores.filter((s) => s.score !== undefined && s.score < floor);
}
