import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { REPO_ROOT } from './layout.js';

/** Runs a program to completion; throws with the end of its output when it fails. */
export function sh(
  command: string,
  args: readonly string[],
  options: { cwd?: string; log?: string } = {},
): string {
  const result = spawnSync(command, args, {
    cwd: options.cwd ?? REPO_ROOT,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  if (result.error) throw result.error;
  if (options.log) writeFileSync(options.log, `${result.stdout}${result.stderr}`, { flag: 'a' });
  if (result.status !== 0) {
    const out = `${result.stdout}${result.stderr}`.trim().split('\n').slice(-15).join('\n');
    throw new Error(`${command} ${args.join(' ')} exited with ${result.status}\n${out}`);
  }
  return result.stdout.trim();
}

export const which = (program: string): boolean =>
  spawnSync('sh', ['-c', `command -v ${program}`]).status === 0;
