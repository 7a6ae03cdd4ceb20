import { isFailure, type ToolResult } from './result.js';

// Prints what `npm run verify` found: one row per tool with its counts, then every finding, every
// skip with its reason, and every error running a tool. Plain text, no colour: CI logs read it.

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

function padStart(text: string, width: number): string {
  return text.length >= width ? text : ' '.repeat(width - text.length) + text;
}

export function formatReport(results: readonly ToolResult[], showSkips: boolean): string {
  const lines: string[] = [];
  for (const r of results.filter((x) => x.findings.length > 0 || x.errors.length > 0)) {
    lines.push(
      '',
      `${r.tool}: ${r.findings.length} findings${r.errors.length ? `, ${r.errors.length} errors` : ''}`,
    );
    for (const f of r.findings)
      lines.push(`  ${f.rule}  ${f.location}`, `      ${f.message.replace(/\n/g, '\n      ')}`);
    for (const e of r.errors) lines.push(`  error: ${e.replace(/\n/g, '\n         ')}`);
  }
  if (showSkips) {
    for (const r of results.filter((x) => x.skips.length > 0)) {
      lines.push('', `${r.tool}: ${r.skips.length} skipped`);
      for (const s of r.skips)
        lines.push(`  ${s.rule}  ${s.location}`, `      reason: ${s.reason || '(none written)'}`);
    }
  }
  const header = ['tool', 'scope', 'unit', 'passed', 'failed', 'skipped', 'time', 'result'];
  const rows = results.map((r) => [
    r.tool,
    r.scope,
    r.unit,
    String(r.passed),
    String(r.failed),
    String(r.skipped),
    `${r.seconds.toFixed(1)}s`,
    isFailure(r) ? 'FAILED' : 'passed',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const numeric = new Set([3, 4, 5, 6]);
  const render = (row: string[]) =>
    row
      .map((cell, i) => (numeric.has(i) ? padStart(cell, widths[i] ?? 0) : pad(cell, widths[i] ?? 0)))
      .join('  ');
  lines.push('', render(header), ...rows.map(render));
  const failedTools = results.filter(isFailure).length;
  lines.push('', `verify: ${results.length - failedTools} passed, ${failedTools} failed`);
  return lines.join('\n');
}
