import { exec, tail } from '../exec.js';
import { emptyResult, type Finding, failedRun, perFileResult, type ToolResult } from '../result.js';
import { locateBinary, notInstalled, secondsSince, type Tool } from '../tool.js';

// actionlint on every GitHub Actions workflow (it also runs shellcheck on each `run:` script when
// shellcheck is on PATH). Nothing is skipped. One counted check is one workflow file.

interface ActionlintError {
  message: string;
  filepath: string;
  line: number;
  column: number;
  kind: string;
}

export function parseActionlint(json: string): Finding[] {
  const parsed = JSON.parse(json.trim() || '[]') as ActionlintError[] | null;
  return (parsed ?? []).map((e) => ({
    rule: e.kind,
    location: `${e.filepath}:${e.line}:${e.column}`,
    message: e.message,
  }));
}

const NAME = 'actionlint';

export const actionlint: Tool = {
  name: NAME,
  async run({ root, toolsBin, targets }): Promise<ToolResult[]> {
    const unit = 'workflow';
    const files = targets.workflows;
    const scope = `${files.length} workflows`;
    const binary = locateBinary(toolsBin, NAME);
    if (!binary) return [failedRun(NAME, unit, scope, notInstalled(NAME))];
    if (files.length === 0) return [emptyResult(NAME, unit, scope)];
    const started = process.hrtime.bigint();
    const result = await exec(binary, ['-no-color', '-format', '{{json .}}', ...files], { cwd: root });
    if (result.spawnError || (result.status !== 0 && result.status !== 1)) {
      return [failedRun(NAME, unit, scope, result.spawnError ?? tail(`${result.stdout}\n${result.stderr}`))];
    }
    return [
      perFileResult({
        tool: NAME,
        unit,
        scope,
        fileCount: files.length,
        findings: parseActionlint(result.stdout),
        seconds: secondsSince(started),
      }),
    ];
  },
};
