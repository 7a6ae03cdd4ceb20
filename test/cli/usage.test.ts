import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Every npm script this repository implements itself (a `tsx` or `bash` entry point) treats a
// mistyped option the same way: a message naming it, the usage, exit 2, and no work done. The
// scripts that call another tool (Vitest, Biome, tsc, the cdk and cdk8s CLIs) keep that tool's own
// handling; each is listed below with the tool, so a new script has to be classified here.

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const scripts = (
  JSON.parse(readFileSync(`${ROOT}/package.json`, 'utf8')) as { scripts: Record<string, string> }
).scripts;

const OTHER_TOOLS: Record<string, string> = {
  test: 'vitest',
  'test:cluster': 'vitest',
  'test:drills': 'vitest',
  'test:gitops': 'vitest',
  lint: 'biome',
  format: 'biome',
  typecheck: 'tsc',
  'web:typecheck': 'tsc (the bank-web workspace)',
  build: 'the workspace build (tsc)',
  'synth:manifests': 'cdk8s',
  synth: 'synth:platform, then synth:manifests',
  // platform/bin/cdk-guard.ts checks the config for placeholders, then hands every argument to cdk.
  'infra:diff': 'cdk',
  'infra:deploy': 'cdk',
};

interface EntryPoint {
  readonly name: string;
  readonly command: string;
  readonly args: string[];
}

/** `tsx file args…` runs as `node --import tsx file args…`; `bash file args…` as is. */
function entryPoint(name: string, script: string): EntryPoint | undefined {
  const [runner, file, ...args] = script.split(/\s+/);
  if (runner === 'tsx' && file)
    return { name, command: process.execPath, args: ['--import', 'tsx', file, ...args] };
  if (runner === 'bash' && file) return { name, command: 'bash', args: [file, ...args] };
  return undefined;
}

const ours = Object.entries(scripts)
  .filter(([name]) => !(name in OTHER_TOOLS))
  .map(([name, script]) => ({ name, script, entry: entryPoint(name, script) }));

function run(
  entry: EntryPoint,
  extra: string,
): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise((resolve) => {
    execFile(
      entry.command,
      [...entry.args, extra],
      { cwd: ROOT, timeout: 90_000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
      },
    );
  });
}

describe('npm scripts on a mistyped option', () => {
  it('has an entry point for every script not listed as another tool', () => {
    expect(ours.filter((s) => s.entry === undefined).map((s) => `${s.name}: ${s.script}`)).toEqual([]);
    expect(ours.length).toBeGreaterThan(20);
  });

  it.each(ours.map((s) => [s.name, s] as const))(
    '%s: names the option, prints the usage, exits 2',
    async (_, s) => {
      const outcome = await run(s.entry as EntryPoint, '--no-such-option');
      expect({ code: outcome.code, stdout: outcome.stdout }).toEqual({ code: 2, stdout: '' });
      expect(outcome.stderr).toMatch(/no-such-option/);
      expect(outcome.stderr).toMatch(/usage:/i);
      // A message, not a crash.
      expect(outcome.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
    },
  );
});
