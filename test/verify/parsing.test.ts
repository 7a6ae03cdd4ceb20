import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configSkips } from '../../scripts/verify/config-skips.js';
import { formatReport } from '../../scripts/verify/report.js';
import { emptyResult, failedRun, isFailure } from '../../scripts/verify/result.js';
import { isDockerfile, isShellScript, isWorkflow } from '../../scripts/verify/targets.js';
import { parseCheckov } from '../../scripts/verify/tools/checkov.js';
import { parseKubeScore } from '../../scripts/verify/tools/kube-score.js';
import { parseVitestJson } from '../../scripts/verify/tools/promtool.js';

// The pieces of `npm run verify` that do not need the tools: finding targets, reading skip reasons
// from the tools' configs, reading the tools' JSON, and the verdict.

describe('targets', () => {
  it('recognises shell scripts by extension or shebang', () => {
    expect(isShellScript('scripts/x.sh', '')).toBe(true);
    expect(isShellScript('.ci/run', '#!/usr/bin/env bash')).toBe(true);
    expect(isShellScript('bin/tool', '#!/bin/sh -e')).toBe(true);
    expect(isShellScript('bin/tool', '#!/usr/bin/env node')).toBe(false);
    expect(isShellScript('bin/tool.py', '#!/usr/bin/env python3')).toBe(false);
    expect(isShellScript('bin/bashful.ts', '// #!/bin/bash')).toBe(false);
  });

  it('recognises Dockerfiles and workflows', () => {
    expect(isDockerfile('services/bank-api/Dockerfile')).toBe(true);
    expect(isDockerfile('services/x/Dockerfile.dev')).toBe(true);
    expect(isDockerfile('images/api.Dockerfile')).toBe(true);
    expect(isDockerfile('docs/Dockerfile.md')).toBe(true);
    expect(isDockerfile('services/x/dockerfile-ast.ts')).toBe(false);
    expect(isWorkflow('.github/workflows/ci.yml')).toBe(true);
    expect(isWorkflow('.github/workflows/nested/ci.yml')).toBe(false);
    expect(isWorkflow('.github/dependabot.yml')).toBe(false);
  });
});

describe('config skips', () => {
  it('takes the comment next to each entry as its reason and reports entries without one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'verify-config-'));
    const file = join(dir, '.cfnlintrc');
    writeFileSync(
      file,
      [
        'ignore_checks:',
        '  # First reason,',
        '  # on two lines.',
        '  - W3005',
        '  - W3010 # same-line reason',
        '  - E1234',
        '',
      ].join('\n'),
    );
    expect(configSkips(file, 'ignore_checks')).toEqual([
      { rule: 'W3005', location: '.cfnlintrc', reason: 'First reason, on two lines.' },
      { rule: 'W3010', location: '.cfnlintrc', reason: 'same-line reason' },
      { rule: 'E1234', location: '.cfnlintrc', reason: '' },
    ]);
  });

  it('rejects a skip list that is not a list', () => {
    const dir = mkdtempSync(join(tmpdir(), 'verify-config-'));
    const file = join(dir, '.checkov.yaml');
    writeFileSync(file, 'skip-check: CKV_AWS_1\n');
    expect(() => configSkips(file, 'skip-check')).toThrow(/'skip-check' must be a list/);
  });
});

describe('tool output', () => {
  it('reads checkov reports, single or per framework', () => {
    const report = (type: string) => ({
      check_type: type,
      summary: { passed: 3, failed: 1, skipped: 1, parsing_errors: 0 },
      results: {
        failed_checks: [
          { check_id: 'CKV_AWS_27', check_name: 'SQS encrypted', file_path: '/a.json', resource: 'Q' },
        ],
        skipped_checks: [
          {
            check_id: 'CKV_AWS_18',
            check_name: 'logging',
            file_path: '/a.json',
            resource: 'B',
            check_result: { suppress_comment: 'log target' },
          },
        ],
      },
    });
    const single = parseCheckov(JSON.stringify(report('cloudformation')));
    expect(single).toHaveLength(1);
    expect(single[0]?.findings).toEqual([
      { rule: 'CKV_AWS_27', location: 'a.json Q', message: 'SQS encrypted' },
    ]);
    expect(single[0]?.skips).toEqual([{ rule: 'CKV_AWS_18', location: 'a.json B', reason: 'log target' }]);
    expect(
      parseCheckov(JSON.stringify([report('kubernetes'), report('dockerfile')])).map((r) => r.framework),
    ).toEqual(['kubernetes', 'dockerfile']);
  });

  it('reads kube-score grades, leaves out optional tests that are off, and accepts null', () => {
    const json = JSON.stringify([
      {
        object_name: 'Deployment/apps/v1/bank/api',
        file_name: '/repo/manifests/dev/a.yaml',
        checks: [
          {
            check: { id: 'pod-probes', name: 'Pod Probes', optional: false },
            grade: 10,
            skipped: false,
            comments: [],
          },
          {
            check: { id: 'container-resources', name: 'Resources', optional: false },
            grade: 1,
            skipped: false,
            comments: [{ summary: 'No memory limit' }],
          },
          {
            check: { id: 'deployment-replicas', name: 'Replicas', optional: false },
            grade: 0,
            skipped: true,
            comments: [{ summary: 'controlled by an HPA' }],
          },
          {
            check: { id: 'container-ports-check', name: 'Ports', optional: true },
            grade: 0,
            skipped: true,
            comments: null,
          },
        ],
      },
    ]);
    const counts = parseKubeScore(json, '/repo');
    expect(counts.passed).toBe(1);
    expect(counts.failed).toBe(1);
    expect(counts.findings[0]).toEqual({
      rule: 'container-resources',
      location: 'manifests/dev/a.yaml Deployment/apps/v1/bank/api',
      message: 'No memory limit',
    });
    expect(counts.skips.map((s) => [s.rule, s.reason])).toEqual([
      ['deployment-replicas', 'controlled by an HPA'],
    ]);
    expect(parseKubeScore('null', '/repo')).toEqual({ passed: 0, failed: 0, findings: [], skips: [] });
  });

  it('reads the vitest JSON report of the promtool suite', () => {
    const json = JSON.stringify({
      testResults: [
        {
          name: 'promtool.test.ts',
          assertionResults: [
            { fullName: 'promtool dev rules', status: 'passed', failureMessages: [] },
            {
              fullName: 'promtool alerts fire',
              status: 'failed',
              failureMessages: ['alert did not fire\nat x'],
            },
            { fullName: 'promtool prod rules', status: 'skipped', failureMessages: [] },
          ],
        },
      ],
    });
    const parsed = parseVitestJson(json);
    expect([parsed.passed, parsed.failed, parsed.skipped]).toEqual([1, 1, 1]);
    expect(parsed.findings[0]?.location).toBe('promtool alerts fire');
  });
});

describe('verdict', () => {
  it('fails a tool with findings, failed checks or errors, and ends with the plain count line', () => {
    const clean = { ...emptyResult('hadolint', 'Dockerfile', '1 Dockerfiles'), passed: 1 };
    const broken = failedRun('checkov', 'policy x resource', '0 files', 'checkov is not installed');
    expect(isFailure(clean)).toBe(false);
    expect(isFailure(broken)).toBe(true);
    expect(isFailure({ ...clean, failed: 1 })).toBe(true);
    const report = formatReport([clean, broken], false);
    expect(report).toMatch(/error: checkov is not installed/);
    expect(report.split('\n').at(-1)).toBe('verify: 1 passed, 1 failed');
  });
});
