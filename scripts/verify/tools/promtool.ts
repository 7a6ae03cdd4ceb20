import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exec, tail } from '../exec.js';
import { type Finding, failedRun, type ToolResult } from '../result.js';
import { locateBinary, notInstalled, secondsSince, type Tool } from '../tool.js';

// promtool through the suite that already drives it (test/manifests/promtool.test.ts): `promtool
// check rules` on every rendered PrometheusRule and `promtool test rules` unit tests that make each
// alert fire and stay quiet. One counted check is one of those tests. A skipped test counts as a
// failure here, because the only reason that suite skips is a missing promtool.

export const PROMTOOL_SUITE = 'test/manifests/promtool.test.ts';

interface VitestJson {
  testResults: {
    name: string;
    assertionResults: { fullName: string; status: string; failureMessages: string[] }[];
  }[];
}

export function parseVitestJson(json: string): {
  passed: number;
  failed: number;
  skipped: number;
  findings: Finding[];
} {
  const report = JSON.parse(json) as VitestJson;
  const results = report.testResults.flatMap((file) => file.assertionResults);
  const failed = results.filter((r) => r.status === 'failed');
  return {
    passed: results.filter((r) => r.status === 'passed').length,
    failed: failed.length,
    skipped: results.filter((r) => r.status === 'skipped' || r.status === 'pending' || r.status === 'todo')
      .length,
    findings: failed.map((r) => ({
      rule: 'promtool',
      location: r.fullName,
      message: (r.failureMessages[0] ?? '').split('\n').slice(0, 6).join('\n'),
    })),
  };
}

const NAME = 'promtool';

export const promtool: Tool = {
  name: NAME,
  async run({ root, toolsBin }): Promise<ToolResult[]> {
    const unit = 'rule check / unit test';
    const scope = 'rendered PrometheusRules';
    if (!locateBinary(toolsBin, NAME)) return [failedRun(NAME, unit, scope, notInstalled(NAME))];
    const started = process.hrtime.bigint();
    const dir = mkdtempSync(join(tmpdir(), 'verify-promtool-'));
    try {
      const out = join(dir, 'report.json');
      const vitest = join(root, 'node_modules', '.bin', 'vitest');
      const result = await exec(vitest, ['run', PROMTOOL_SUITE, '--reporter=json', `--outputFile=${out}`], {
        cwd: root,
      });
      let parsed: ReturnType<typeof parseVitestJson>;
      try {
        parsed = parseVitestJson(readFileSync(out, 'utf8'));
      } catch {
        return [
          failedRun(NAME, unit, scope, result.spawnError ?? tail(`${result.stdout}\n${result.stderr}`)),
        ];
      }
      const errors = [
        ...(parsed.passed + parsed.failed === 0 ? [`${PROMTOOL_SUITE} ran no test`] : []),
        ...(parsed.skipped > 0
          ? [`${parsed.skipped} promtool tests were skipped (is promtool on PATH?)`]
          : []),
      ];
      return [
        {
          tool: NAME,
          unit,
          scope,
          passed: parsed.passed,
          failed: parsed.failed,
          skipped: parsed.skipped,
          findings: parsed.findings,
          skips: [],
          errors,
          seconds: secondsSince(started),
        },
      ];
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
