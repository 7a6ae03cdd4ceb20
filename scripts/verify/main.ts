import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { EnvironmentConfigError, loadEnvironments } from '../../platform/config/index.js';
import { formatReport } from './report.js';
import { failedRun, isFailure, type ToolResult } from './result.js';
import { synthPlatform } from './synth.js';
import { findTargets } from './targets.js';
import type { Tool } from './tool.js';
import { actionlint } from './tools/actionlint.js';
import { cfnLint } from './tools/cfn-lint.js';
import { checkov } from './tools/checkov.js';
import { hadolint } from './tools/hadolint.js';
import { kubeScore } from './tools/kube-score.js';
import { promtool } from './tools/promtool.js';
import { shellcheck } from './tools/shellcheck.js';

// `npm run verify`: runs the field-standard scanners on everything the repository ships and
// exits non-zero when any of them reports a finding, an unexplained skip, or could not run.
//
//   npm run verify -- [--only <tool>[,<tool>...]] [--cdk-out <dir>] [--skips]

const USAGE =
  'usage: npm run verify -- [--only <tool>[,<tool>...]] [--cdk-out <dir>] [--skips]\n' +
  '  --only     run these tools only\n' +
  '  --cdk-out  scan this cloud assembly instead of synthesizing a fresh one\n' +
  '  --skips    also list every skipped check with its reason';

class UsageError extends Error {}

function tools(): Tool[] {
  const environments = loadEnvironments();
  // The backup copy vaults and the standby stacks (docs/adr/0008) deploy to a second region: their
  // templates are linted for it too.
  const regions = [
    ...new Set(
      environments.flatMap((e) => [
        e.region,
        ...(e.backup.copyRegion ? [e.backup.copyRegion] : []),
        ...(e.disasterRecovery ? [e.disasterRecovery.region] : []),
      ]),
    ),
  ].sort();
  const versions = [...new Set(environments.map((e) => e.kubernetesVersion))];
  if (versions.length !== 1)
    throw new Error(
      `environments run different Kubernetes versions (${versions.join(', ')}); kube-score takes one`,
    );
  return [
    shellcheck,
    hadolint,
    actionlint,
    kubeScore(versions[0] ?? ''),
    promtool,
    cfnLint(regions),
    checkov,
  ];
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      only: { type: 'string' },
      'cdk-out': { type: 'string' },
      skips: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const root = resolve(import.meta.dirname, '..', '..');
  const all = tools();
  const names = values.only?.split(',').map((n) => n.trim()) ?? all.map((t) => t.name);
  const unknown = names.filter((n) => !all.some((t) => t.name === n));
  if (unknown.length > 0)
    throw new UsageError(`unknown tool ${unknown.join(', ')}; known: ${all.map((t) => t.name).join(', ')}`);
  const selected = all.filter((t) => names.includes(t.name));
  const needsTemplates = selected.some((t) => t.name === 'cfn-lint' || t.name === 'checkov');

  const results: ToolResult[] = [];
  let cdkOut = values['cdk-out'] ? resolve(values['cdk-out']) : join(root, '.cache', 'verify', 'cdk.out');
  if (needsTemplates && !values['cdk-out']) {
    const started = process.hrtime.bigint();
    console.log(`verify: synthesizing the platform into ${cdkOut}`);
    rmSync(cdkOut, { recursive: true, force: true });
    const synth = await synthPlatform(root, cdkOut);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (!synth.ok) {
      results.push({ ...failedRun('synth', 'app', 'platform', `synth failed:\n${synth.output}`), seconds });
      cdkOut = join(cdkOut, '__missing__');
    } else {
      console.log(`verify: synth done in ${seconds.toFixed(1)}s`);
    }
  }
  const targets = findTargets(root, cdkOut);
  for (const tool of selected) {
    console.log(`verify: running ${tool.name}`);
    results.push(...(await tool.run({ root, toolsBin: join(root, '.tools', 'bin'), targets })));
  }
  console.log(formatReport(results, values.skips ?? false));
  return results.some(isFailure) ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    console.error(`verify: ${message}`);
    const usage =
      error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') === true;
    if (usage) console.error(USAGE);
    process.exitCode = usage || error instanceof EnvironmentConfigError ? 2 : 1;
  },
);
