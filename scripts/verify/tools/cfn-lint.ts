import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configSkips } from '../config-skips.js';
import { exec, tail } from '../exec.js';
import { type Finding, failedRun, perFileResult, type Skip, type ToolResult } from '../result.js';
import { locateBinary, notInstalled, secondsSince, type Tool } from '../tool.js';

// cfn-lint on every template of the cloud assembly, nested stacks included, for every region the
// environments deploy to. One counted check is one template. Skips: rule ids in .cfnlintrc, and
// per-resource `Metadata.cfn-lint.config.ignore_checks` written by the CDK code next to the resource.

interface CfnLintMatch {
  Filename: string;
  Level: string;
  Message: string;
  Location: { Path?: (string | number)[]; Start?: { LineNumber: number } };
  Rule: { Id: string };
}

export function parseCfnLint(json: string): Finding[] {
  const parsed = JSON.parse(json.trim() || '[]') as CfnLintMatch[];
  return parsed.map((m) => ({
    rule: m.Rule.Id,
    location: `${m.Filename}:${m.Location.Start?.LineNumber ?? 0} ${(m.Location.Path ?? []).slice(0, 2).join('/')}`,
    message: `${m.Level}: ${m.Message}`,
  }));
}

interface TemplateResource {
  Metadata?: { 'cfn-lint'?: { config?: { ignore_checks?: string[] } }; [key: string]: unknown };
}

/** Per-resource ignores; CDK puts the reason in a sibling metadata key `cfn-lint-reason`. */
export function resourceSkips(
  file: string,
  template: { Resources?: Record<string, TemplateResource> },
): Skip[] {
  return Object.entries(template.Resources ?? {}).flatMap(([id, resource]) => {
    const rules = resource.Metadata?.['cfn-lint']?.config?.ignore_checks ?? [];
    const reason = resource.Metadata?.['cfn-lint-reason'];
    return rules.map((rule) => ({
      rule,
      location: `${file} ${id}`,
      reason: typeof reason === 'string' ? reason : '',
    }));
  });
}

const NAME = 'cfn-lint';

export function cfnLint(regions: readonly string[]): Tool {
  return {
    name: NAME,
    async run({ root, toolsBin, targets }): Promise<ToolResult[]> {
      const unit = 'template';
      const files = targets.templates;
      const scope = `${files.length} templates`;
      const binary = locateBinary(toolsBin, NAME);
      if (!binary) return [failedRun(NAME, unit, scope, notInstalled(NAME))];
      if (files.length === 0)
        return [failedRun(NAME, unit, scope, `no templates in ${targets.cdkOut}: synth failed?`)];
      const started = process.hrtime.bigint();
      const config = join(root, '.cfnlintrc');
      const result = await exec(
        binary,
        ['--config-file', config, '--format', 'json', '--regions', ...regions, '--', ...files],
        { cwd: root },
      );
      // An interpreter that cannot start, or a crash, leaves stdout empty: that is no verdict, not
      // "no findings" (cfn-lint's exit code is 0 only when it found nothing).
      const silentFailure = result.status !== 0 && result.stdout.trim() === '';
      let findings: Finding[];
      try {
        if (result.spawnError || silentFailure) throw new Error('cfn-lint did not run');
        findings = parseCfnLint(result.stdout);
      } catch {
        return [
          failedRun(NAME, unit, scope, result.spawnError ?? tail(`${result.stdout}\n${result.stderr}`)),
        ];
      }
      const skips = [
        ...configSkips(config, 'ignore_checks'),
        ...files.flatMap((f) => resourceSkips(f, JSON.parse(readFileSync(join(root, f), 'utf8')))),
      ];
      return [
        perFileResult({
          tool: NAME,
          unit,
          scope,
          fileCount: files.length,
          findings,
          skips,
          seconds: secondsSince(started),
        }),
      ];
    },
  };
}
