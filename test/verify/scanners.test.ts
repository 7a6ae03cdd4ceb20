import { chmodSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ToolResult } from '../../scripts/verify/result.js';
import { isFailure } from '../../scripts/verify/result.js';
import type { Targets } from '../../scripts/verify/targets.js';
import type { Tool } from '../../scripts/verify/tool.js';
import { actionlint } from '../../scripts/verify/tools/actionlint.js';
import { cfnLint } from '../../scripts/verify/tools/cfn-lint.js';
import { checkov } from '../../scripts/verify/tools/checkov.js';
import { hadolint } from '../../scripts/verify/tools/hadolint.js';
import { kubeScore } from '../../scripts/verify/tools/kube-score.js';
import { shellcheck } from '../../scripts/verify/tools/shellcheck.js';

// Each scanner of `npm run verify` run for real on small inputs written here: a known-bad input must
// come back as a failure with the tool's own rule id, a clean one as a pass, and a skip without a
// written reason as an error. This is what keeps verify from passing by not looking.

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const toolsBin = join(repoRoot, '.tools', 'bin');
const required = process.env.REQUIRE_TOOLS === '1';
const installed = (name: string) => existsSync(join(toolsBin, name));
const onPath = (name: string) =>
  (process.env.PATH ?? '').split(':').some((dir) => existsSync(join(dir, name)));
const can = (name: string) => required || installed(name) || onPath(name);

function workspace(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'verify-test-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const noTargets: Targets = {
  root: '',
  cdkOut: '',
  templates: [],
  manifests: [],
  dockerfiles: [],
  workflows: [],
  shellScripts: [],
};

async function run(tool: Tool, root: string, targets: Partial<Targets>): Promise<ToolResult[]> {
  return tool.run({ root, toolsBin, targets: { ...noTargets, root, ...targets } });
}

const rules = (result: ToolResult | undefined) => (result?.findings ?? []).map((f) => f.rule);

describe.skipIf(!can('shellcheck'))('shellcheck', () => {
  it('fails an unquoted expansion, passes a clean script, and demands a reason for a disable', async () => {
    const root = workspace({
      'bad.sh': '#!/usr/bin/env bash\nrm -rf $1\n',
      'good.sh': '#!/usr/bin/env bash\nset -euo pipefail\nrm -rf -- "$1"\n',
      'silent.sh': '#!/bin/sh\n# shellcheck disable=SC2086\necho $1\n',
      'lib.sh': '# shellcheck shell=bash disable=SC2034 # read by the scripts that source it\nNAME=x\n',
    });
    const [result] = await run(shellcheck, root, {
      shellScripts: ['bad.sh', 'good.sh', 'silent.sh', 'lib.sh'],
    });
    expect(rules(result)).toEqual(['SC2086']);
    expect(result?.passed).toBe(3);
    expect(result?.failed).toBe(1);
    expect(result?.skips.map((s) => [s.rule, s.reason])).toEqual([
      ['SC2086', ''],
      ['SC2034', 'read by the scripts that source it'],
    ]);
    expect(result?.errors.join()).toMatch(/silent\.sh:2: disable=SC2086 has no written reason/);
  });
});

describe.skipIf(!can('hadolint'))('hadolint', () => {
  it('fails an untagged base image', async () => {
    const root = workspace({ Dockerfile: 'FROM node\nUSER node\nCMD ["node"]\n' });
    const [result] = await run(hadolint, root, { dockerfiles: ['Dockerfile'] });
    expect(rules(result)).toContain('DL3006');
    expect(isFailure(result as ToolResult)).toBe(true);
  });
});

describe.skipIf(!can('actionlint'))('actionlint', () => {
  it('fails a workflow that reads an undefined context property', async () => {
    const root = workspace({
      '.github/workflows/ci.yml': `on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo "\${{ github.nope }}"\n`,
    });
    const [result] = await run(actionlint, root, { workflows: ['.github/workflows/ci.yml'] });
    expect(result?.failed).toBe(1);
    expect(rules(result)).toContain('expression');
  });
});

describe.skipIf(!can('kube-score'))('kube-score', () => {
  it('fails a Deployment without resources or a read-only root filesystem', async () => {
    const root = workspace({
      '.kube-score.yaml': 'ignore-test:\n  - container-image-pull-policy\n',
      'manifests/dev/app.yaml': [
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata: {name: web, namespace: app}',
        'spec:',
        '  replicas: 2',
        '  selector: {matchLabels: {app: web}}',
        '  template:',
        '    metadata: {labels: {app: web}}',
        '    spec:',
        '      containers: [{name: web, image: "nginx:1.27.0"}]',
        '',
      ].join('\n'),
    });
    const [result] = await run(kubeScore('1.34'), root, { manifests: ['manifests/dev/app.yaml'] });
    expect(rules(result)).toEqual(
      expect.arrayContaining(['container-resources', 'container-security-context-readonlyrootfilesystem']),
    );
    // The ignore in .kube-score.yaml carries no comment: that is an error, not a silent skip.
    expect(result?.errors.join()).toMatch(/container-image-pull-policy skipped without a reason/);
  });
});

const bucket = (metadata = '') =>
  `{"Resources": {"Logs": {"Type": "AWS::S3::Bucket", ${metadata} "Properties": {"VersioningConfiguration": {"Status": "Sometimes"}}}}}`;

describe.skipIf(!can('cfn-lint'))('cfn-lint', () => {
  it('fails an invalid property value and reads per-resource ignores with their reason', async () => {
    const root = workspace({
      '.cfnlintrc': 'ignore_checks:\n  # Not relevant to this fixture.\n  - W3010\n',
      'out/bad.template.json': bucket(),
      'out/ignored.template.json': bucket(
        '"Metadata": {"cfn-lint": {"config": {"ignore_checks": ["E3030"]}}, "cfn-lint-reason": "fixture"},',
      ),
    });
    const [result] = await run(cfnLint(['eu-central-1']), root, {
      cdkOut: join(root, 'out'),
      templates: ['out/bad.template.json', 'out/ignored.template.json'],
    });
    expect(rules(result)).toContain('E3030');
    expect(result?.failed).toBe(1);
    expect(result?.passed).toBe(1);
    expect(result?.skips.map((s) => [s.rule, s.reason])).toEqual([
      ['W3010', 'Not relevant to this fixture.'],
      ['E3030', 'fixture'],
    ]);
    expect(result?.errors).toEqual([]);
  });
});

describe('a scanner that did not run is a failure, never a pass', () => {
  // Both seen here: a virtualenv moved after install (its scripts name a python that is gone), and
  // an interpreter that crashes before printing a report.
  it.each([
    ['an interpreter that is gone', '#!/nonexistent/venv/bin/python3\nprint("[]")\n'],
    ['a crash without output', '#!/bin/sh\necho "Traceback: ImportError" >&2\nexit 1\n'],
  ])('cfn-lint: %s', async (_what, script) => {
    const root = workspace({ 'out/a.template.json': bucket(), 'bin/cfn-lint': script });
    chmodSync(join(root, 'bin', 'cfn-lint'), 0o755);
    const [result] = await cfnLint(['eu-central-1']).run({
      root,
      toolsBin: join(root, 'bin'),
      targets: { ...noTargets, root, cdkOut: join(root, 'out'), templates: ['out/a.template.json'] },
    });
    expect(result && isFailure(result)).toBe(true);
    expect(result?.passed).toBe(0);
    expect(result?.errors.join('\n')).toMatch(/ENOENT|ImportError/);
  });
});

describe.skipIf(!can('checkov'))('checkov', () => {
  it('fails a privileged pod and an unencrypted queue, and counts a reasoned inline skip', async () => {
    const root = workspace({
      '.checkov.yaml': 'compact: true\n',
      'out/queue.template.json': JSON.stringify({
        Resources: {
          Plain: { Type: 'AWS::SQS::Queue', Properties: {} },
          Skipped: {
            Type: 'AWS::SQS::Queue',
            Metadata: { checkov: { skip: [{ id: 'CKV_AWS_27', comment: 'fixture: reviewed' }] } },
            Properties: {},
          },
        },
      }),
      'manifests/dev/pod.yaml':
        'apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: app}\nspec:\n  containers:\n    - name: c\n      image: nginx:1.27.0\n      securityContext: {privileged: true}\n',
    });
    const results = await run(checkov, root, {
      templates: ['out/queue.template.json'],
      manifests: ['manifests/dev/pod.yaml'],
    });
    const cfn = results.find((r) => r.tool === 'checkov cloudformation');
    const k8s = results.find((r) => r.tool === 'checkov kubernetes');
    expect(cfn?.findings.filter((f) => f.rule === 'CKV_AWS_27').map((f) => f.location)).toEqual([
      'out/queue.template.json AWS::SQS::Queue.Plain',
    ]);
    expect(cfn?.skips).toEqual([
      {
        rule: 'CKV_AWS_27',
        location: 'out/queue.template.json AWS::SQS::Queue.Skipped',
        reason: 'fixture: reviewed',
      },
    ]);
    expect(rules(k8s)).toContain('CKV_K8S_16');
    expect(results.find((r) => r.tool === 'checkov dockerfile')?.scope).toMatch(/^0 files/);
  }, 180_000);
});
