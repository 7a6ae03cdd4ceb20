import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { ToolResult } from './result.js';
import type { Targets } from './targets.js';

export interface VerifyContext {
  /** Where the scanned files are; tools run with this as their working directory. */
  readonly root: string;
  /** Folder with the pinned tools (the repository's .tools/bin). */
  readonly toolsBin: string;
  readonly targets: Targets;
}

/**
 * One scanner: runs the field-standard tool on its targets and parses what it printed. A tool that
 * covers several kinds of input (checkov) reports one result per kind.
 */
export interface Tool {
  readonly name: string;
  run(context: VerifyContext): Promise<ToolResult[]>;
}

/**
 * Where a tool's binary is: the pinned copy in .tools/bin first (scripts/install-tools.sh puts it
 * there), then PATH (Debian's shellcheck and promtool). Undefined when it is not installed.
 */
export function locateBinary(toolsBin: string, name: string): string | undefined {
  const dirs = [toolsBin, ...(process.env.PATH ?? '').split(delimiter).filter(Boolean)];
  return dirs.map((dir) => join(dir, name)).find((candidate) => existsSync(candidate));
}

export function notInstalled(name: string): string {
  return `${name} is not installed: run \`npm run tools:install\``;
}

export function secondsSince(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e9;
}
