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

// shellcheck on every shell script in the repository, all severities (style included). One
// counted check is one script: it passes with no finding at all.

interface ShellcheckComment {
  file: string;
  line: number;
  level: string;
  code: number;
  message: string;
}

export function parseShellcheck(json: string): Finding[] {
  const parsed = JSON.parse(json) as { comments: ShellcheckComment[] };
  return parsed.comments.map((c) => ({
    rule: `SC${c.code}`,
    location: `${c.file}:${c.line}`,
    message: `${c.level}: ${c.message}`,
  }));
}

/**
 * Inline `# shellcheck disable=SCxxxx` directives are the only way to skip; each must carry its
 * reason in a comment on the same line or on the line above.
 */
export function inlineSkips(file: string, text: string): Skip[] {
  const lines = text.split('\n');
  const skips: Skip[] = [];
  lines.forEach((line, index) => {
    // Other directives may come first on the line: `# shellcheck shell=bash disable=SC2034 # why`.
    const directive = /#\s*shellcheck\s+(?:[\w-]+=\S+\s+)*?disable=([\w,]+)(.*)$/.exec(line);
    if (!directive) return;
    const sameLine = /#\s*(.+)$/.exec(directive[2] ?? '')?.[1]?.trim();
    const above = /^\s*#(?!!)\s*(?!shellcheck)(.+)$/.exec(lines[index - 1] ?? '')?.[1]?.trim();
    for (const rule of (directive[1] ?? '').split(',')) {
      skips.push({ rule, location: `${file}:${index + 1}`, reason: sameLine || above || '' });
    }
  });
  return skips;
}

const shellcheckUnexplained = (s: Skip): string => `${s.location}: disable=${s.rule} has no written reason`;

const NAME = 'shellcheck';

export const shellcheck: Tool = {
  name: NAME,
  async run({ root, toolsBin, targets }): Promise<ToolResult[]> {
    const unit = 'script';
    const files = targets.shellScripts;
    const scope = `${files.length} shell scripts`;
    const binary = locateBinary(toolsBin, 'shellcheck');
    if (!binary) return [failedRun(NAME, unit, scope, notInstalled('shellcheck'))];
    const started = process.hrtime.bigint();
    const skips = files.flatMap((f) => inlineSkips(f, readFileSync(join(root, f), 'utf8')));
    const errors = skips.filter((s) => !s.reason).map(shellcheckUnexplained);
    if (files.length === 0) return [{ ...emptyResult(NAME, unit, scope), errors }];
    // -x follows `source`d helpers, resolved next to the script that sources them.
    const result = await exec(
      binary,
      ['--format=json1', '--severity=style', '--external-sources', '--source-path=SCRIPTDIR', ...files],
      { cwd: root },
    );
    if (result.spawnError || (result.status !== 0 && result.status !== 1)) {
      return [failedRun(NAME, unit, scope, result.spawnError ?? tail(result.stderr))];
    }
    return [
      perFileResult({
        tool: NAME,
        unit,
        scope,
        fileCount: files.length,
        findings: parseShellcheck(result.stdout),
        skips,
        unexplained: shellcheckUnexplained,
        seconds: secondsSince(started),
      }),
    ];
  },
};
