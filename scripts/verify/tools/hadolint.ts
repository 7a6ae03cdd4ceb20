import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { exec, tail } from '../exec.js';
import {
  emptyResult,
  type Finding,
  failedRun,
  perFileResult,
  type Skip,
  type ToolResult,
} from '../result.js';
import { locateBinary, notInstalled, secondsSince, type Tool } from '../tool.js';

// hadolint on every Dockerfile, every level down to `info`. One counted check is one Dockerfile.

interface HadolintFinding {
  code: string;
  file: string;
  line: number;
  level: string;
  message: string;
}

export function parseHadolint(json: string): Finding[] {
  const parsed = JSON.parse(json || '[]') as HadolintFinding[];
  return parsed.map((f) => ({
    rule: f.code,
    location: `${f.file}:${f.line}`,
    message: `${f.level}: ${f.message}`,
  }));
}

/** `# hadolint ignore=DL3008` skips the next instruction; the reason goes on the line above. */
export function hadolintSkips(file: string, text: string): Skip[] {
  const lines = text.split('\n');
  return lines.flatMap((line, index) => {
    const directive = /#\s*hadolint\s+ignore=([\w,]+)/.exec(line);
    if (!directive) return [];
    const above = /^\s*#(?!!)\s*(?!hadolint)(.+)$/.exec(lines[index - 1] ?? '')?.[1]?.trim() ?? '';
    return (directive[1] ?? '')
      .split(',')
      .map((rule) => ({ rule, location: `${file}:${index + 1}`, reason: above }));
  });
}

const NAME = 'hadolint';

export const hadolint: Tool = {
  name: NAME,
  async run({ root, toolsBin, targets }): Promise<ToolResult[]> {
    const unit = 'Dockerfile';
    const files = targets.dockerfiles;
    const scope = `${files.length} Dockerfiles`;
    const binary = locateBinary(toolsBin, NAME);
    if (!binary) return [failedRun(NAME, unit, scope, notInstalled(NAME))];
    if (files.length === 0) return [emptyResult(NAME, unit, scope)];
    const started = process.hrtime.bigint();
    const result = await exec(binary, ['--format', 'json', '--failure-threshold', 'info', ...files], {
      cwd: root,
    });
    if (result.spawnError || (result.status !== 0 && result.status !== 1)) {
      return [failedRun(NAME, unit, scope, result.spawnError ?? tail(result.stderr))];
    }
    const findings = parseHadolint(result.stdout);
    const skips = files.flatMap((f) => hadolintSkips(f, readFileSync(join(root, f), 'utf8')));
    return [
      perFileResult({
        tool: NAME,
        unit,
        scope,
        fileCount: files.length,
        findings,
        skips,
        unexplained: (s) => `${s.location}: ignore=${s.rule} has no reason`,
        seconds: secondsSince(started),
      }),
    ];
  },
};
