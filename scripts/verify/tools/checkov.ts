import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { configSkips } from '../config-skips.js';
import { exec, tail } from '../exec.js';
import { emptyResult, type Finding, failedRun, type Skip, type ToolResult } from '../result.js';
import { locateBinary, notInstalled, secondsSince, type Tool } from '../tool.js';

// checkov, offline, on the synthesized templates, the rendered manifests, the Dockerfiles and the
// workflows, in one run (its start-up is the slow part). One result per framework; one counted
// check is one policy on one resource. Skips: inline (CloudFormation Metadata.checkov.skip,
// Kubernetes `checkov.io/skip*` annotations, rendered by the code next to the resource) and the
// global `skip-check` list in .checkov.yaml, each with its reason.

export const FRAMEWORKS = ['cloudformation', 'kubernetes', 'dockerfile', 'github_actions'] as const;

interface CheckovCheck {
  check_id: string;
  check_name: string;
  file_path: string;
  resource: string;
  check_result?: { suppress_comment?: string };
}

interface CheckovReport {
  check_type: string;
  summary: { passed: number; failed: number; skipped: number; parsing_errors: number };
  results?: { failed_checks?: CheckovCheck[]; skipped_checks?: CheckovCheck[] };
}

export interface CheckovFrameworkResult {
  readonly framework: string;
  readonly passed: number;
  readonly failed: number;
  readonly parsingErrors: number;
  readonly findings: Finding[];
  readonly skips: Skip[];
}

/** checkov prints one report object for a single framework and a list for several. */
export function parseCheckov(json: string): CheckovFrameworkResult[] {
  const parsed = JSON.parse(json) as CheckovReport | CheckovReport[];
  const reports = Array.isArray(parsed) ? parsed : [parsed];
  return reports
    .filter((r) => r.check_type)
    .map((r) => ({
      framework: r.check_type,
      passed: r.summary.passed,
      failed: r.summary.failed,
      parsingErrors: r.summary.parsing_errors,
      findings: (r.results?.failed_checks ?? []).map((c) => ({
        rule: c.check_id,
        location: `${c.file_path.replace(/^\//, '')} ${c.resource}`,
        message: c.check_name,
      })),
      skips: (r.results?.skipped_checks ?? []).map((c) => ({
        rule: c.check_id,
        location: `${c.file_path.replace(/^\//, '')} ${c.resource}`,
        reason: (c.check_result?.suppress_comment ?? '').trim(),
      })),
    }));
}

/**
 * Runs checkov inside a fresh network namespace when the machine allows it (root, util-linux
 * unshare), which proves the scan is offline; otherwise `--skip-download` is what keeps it local.
 */
async function offlinePrefix(root: string): Promise<string[]> {
  if (process.getuid?.() !== 0) return [];
  const probe = await exec('unshare', ['--net', 'true'], { cwd: root });
  return probe.status === 0 ? ['unshare', '--net'] : [];
}

const NAME = 'checkov';

export const checkov: Tool = {
  name: NAME,
  async run({ root, toolsBin, targets }): Promise<ToolResult[]> {
    const unit = 'policy x resource';
    const inputs: Record<(typeof FRAMEWORKS)[number], readonly string[]> = {
      cloudformation: targets.templates,
      kubernetes: targets.manifests,
      dockerfile: targets.dockerfiles,
      github_actions: targets.workflows,
    };
    const scopeOf = (framework: string) => `${inputs[framework as keyof typeof inputs]?.length ?? 0} files`;
    const frameworks = FRAMEWORKS.filter((f) => inputs[f].length > 0);
    const fail = (message: string) =>
      FRAMEWORKS.map((f) => failedRun(`${NAME} ${f}`, unit, scopeOf(f), message));
    const binary = locateBinary(toolsBin, NAME);
    if (!binary) return fail(notInstalled(NAME));
    const config = join(root, '.checkov.yaml');
    if (!existsSync(config)) return fail('.checkov.yaml is missing');
    const started = process.hrtime.bigint();
    const files = frameworks.flatMap((f) => inputs[f]);
    const prefix = await offlinePrefix(root);
    const command = [
      ...prefix,
      binary,
      '--config-file',
      config,
      '--skip-download',
      '--output',
      'json',
      '--framework',
      ...frameworks,
      '--file',
      ...files,
    ];
    const result = await exec(command[0] ?? binary, command.slice(1), { cwd: root });
    let reports: CheckovFrameworkResult[];
    try {
      reports = parseCheckov(result.stdout);
    } catch {
      return fail(result.spawnError ?? tail(`${result.stdout}\n${result.stderr}`));
    }
    const globalSkips = configSkips(config, 'skip-check');
    const seconds = secondsSince(started);
    // One checkov run covers every framework: its time is shown once, on the first row.
    return FRAMEWORKS.map((framework, index) => {
      const report = reports.find((r) => r.framework === framework);
      const tool = `${NAME} ${framework}`;
      const scope = `${scopeOf(framework)}${prefix.length > 0 ? ', no network' : ''}`;
      if (!report) {
        if (inputs[framework].length === 0) return emptyResult(tool, unit, scope);
        return failedRun(tool, unit, scope, `checkov returned no ${framework} report`);
      }
      // Global skips apply to every framework's ids; list each under the framework it names.
      const prefixOf: Record<string, RegExp> = {
        cloudformation: /^CKV2?_AWS_/,
        kubernetes: /^CKV2?_K8S_/,
        dockerfile: /^CKV2?_DOCKER_/,
        github_actions: /^CKV2?_GHA_/,
      };
      const mine = globalSkips.filter((s) => prefixOf[framework]?.test(s.rule));
      const skips = [...report.skips, ...mine];
      const errors = [
        ...skips.filter((s) => !s.reason).map((s) => `${s.location}: ${s.rule} skipped without a reason`),
        ...(report.parsingErrors > 0 ? [`${report.parsingErrors} files could not be parsed`] : []),
      ];
      return {
        tool,
        unit,
        scope,
        passed: report.passed,
        failed: report.failed,
        skipped: skips.length,
        findings: report.findings,
        skips,
        errors,
        seconds: index === 0 ? seconds : 0,
      };
    });
  },
};
