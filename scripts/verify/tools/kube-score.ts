import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { configSkips } from '../config-skips.js';
import { exec, tail } from '../exec.js';
import { type Finding, failedRun, type Skip, type ToolResult } from '../result.js';
import { withDeploymentViews } from '../rollout-view.js';
import { locateBinary, notInstalled, secondsSince, type Tool } from '../tool.js';

// kube-score on the rendered manifests, one run per rendered folder (an environment, or an Argo CD
// bootstrap), because it cross-checks objects against each other (Service -> Pod, PDB ->
// Deployment, NetworkPolicy -> Pod) and two environments must not satisfy each other's checks.
// One counted check is one test on one object; anything below "OK" fails. kube-score has no config
// file, so .kube-score.yaml (read here) lists extra optional tests and ignored tests, each ignore
// with the reason next to it.

interface KubeScoreCheck {
  check: { id: string; name: string; optional: boolean };
  grade: number;
  skipped: boolean;
  comments: { path?: string; summary: string; description?: string }[] | null;
}

interface KubeScoreObject {
  object_name: string;
  file_name: string;
  checks: KubeScoreCheck[];
}

const GRADE_OK = 10;

export interface KubeScoreCounts {
  passed: number;
  failed: number;
  findings: Finding[];
  skips: Skip[];
}

export function parseKubeScore(json: string, relativeTo: string): KubeScoreCounts {
  // kube-score prints `null` for a folder holding only kinds it does not know (CRDs such as Argo CD's).
  const objects = (JSON.parse(json || '[]') as KubeScoreObject[] | null) ?? [];
  const counts: KubeScoreCounts = { passed: 0, failed: 0, findings: [], skips: [] };
  for (const object of objects) {
    const file = object.file_name.startsWith(relativeTo)
      ? object.file_name.slice(relativeTo.length + 1)
      : object.file_name;
    for (const check of object.checks) {
      const location = `${file} ${object.object_name}`;
      const summaries = (check.comments ?? []).map((c) => c.summary).join('; ');
      // An optional test that is not enabled is listed as skipped; it is not part of the run.
      if (check.skipped && check.check.optional) continue;
      if (check.skipped) {
        counts.skips.push({ rule: check.check.id, location, reason: summaries });
      } else if (check.grade >= GRADE_OK) {
        counts.passed += 1;
      } else {
        counts.failed += 1;
        counts.findings.push({ rule: check.check.id, location, message: summaries || check.check.name });
      }
    }
  }
  return counts;
}

interface KubeScoreConfig {
  optional: string[];
  ignored: Skip[];
}

export function readKubeScoreConfig(file: string): KubeScoreConfig {
  if (!existsSync(file)) return { optional: [], ignored: [] };
  const raw = (parse(readFileSync(file, 'utf8')) ?? {}) as Record<string, unknown>;
  const unknown = Object.keys(raw).filter((k) => k !== 'enable-optional-test' && k !== 'ignore-test');
  if (unknown.length > 0) throw new Error(`${file}: unknown keys ${unknown.join(', ')}`);
  const optional = raw['enable-optional-test'] ?? [];
  if (!Array.isArray(optional) || optional.some((t) => typeof t !== 'string'))
    throw new Error(`${file}: 'enable-optional-test' must be a list of test ids`);
  return { optional: optional as string[], ignored: configSkips(file, 'ignore-test') };
}

const NAME = 'kube-score';

export function kubeScore(kubernetesVersion: string): Tool {
  return {
    name: NAME,
    async run({ root, toolsBin, targets }): Promise<ToolResult[]> {
      const unit = 'test x object';
      const folders = [...new Set(targets.manifests.map((f) => dirname(f)))].sort();
      const scope = `${targets.manifests.length} files in ${folders.length} folders`;
      const binary = locateBinary(toolsBin, NAME);
      if (!binary) return [failedRun(NAME, unit, scope, notInstalled(NAME))];
      let config: KubeScoreConfig;
      try {
        config = readKubeScoreConfig(join(root, '.kube-score.yaml'));
      } catch (error) {
        return [failedRun(NAME, unit, scope, (error as Error).message)];
      }
      const started = process.hrtime.bigint();
      const total: KubeScoreCounts = { passed: 0, failed: 0, findings: [], skips: [] };
      const errors: string[] = [];
      for (const folder of folders) {
        // Rollouts are scored as the Deployments they replace (rollout-view.ts).
        const files = withDeploymentViews(
          root,
          targets.manifests.filter((f) => dirname(f) === folder),
          join('.cache', 'verify', 'rollout-view'),
        );
        const args = [
          'score',
          '--output-format',
          'json',
          '--kubernetes-version',
          `v${kubernetesVersion}`,
          ...config.optional.flatMap((t) => ['--enable-optional-test', t]),
          ...config.ignored.flatMap((s) => ['--ignore-test', s.rule]),
          ...files,
        ];
        const result = await exec(binary, args, { cwd: root });
        try {
          const counts = parseKubeScore(result.stdout, root);
          total.passed += counts.passed;
          total.failed += counts.failed;
          total.findings.push(...counts.findings);
          total.skips.push(...counts.skips);
        } catch {
          errors.push(`${folder}: ${result.spawnError ?? tail(`${result.stdout}\n${result.stderr}`)}`);
        }
      }
      const skips = [...total.skips, ...config.ignored];
      errors.push(
        ...skips.filter((s) => !s.reason).map((s) => `${s.location}: ${s.rule} skipped without a reason`),
      );
      return [
        {
          tool: NAME,
          unit,
          scope,
          passed: total.passed,
          failed: total.failed,
          skipped: skips.length,
          findings: total.findings,
          skips,
          errors,
          seconds: secondsSince(started),
        },
      ];
    },
  };
}
