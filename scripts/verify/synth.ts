import { join } from 'node:path';
import { exec, tail } from './exec.js';

/**
 * Synthesizes every environment into a folder of verify's own, so the scan sees the templates the
 * current source produces (never a stale cdk.out) and never overwrites someone's cdk.out.
 */
export async function synthPlatform(root: string, outdir: string): Promise<{ ok: boolean; output: string }> {
  const result = await exec(join(root, 'node_modules', '.bin', 'tsx'), ['platform/bin/synth-summary.ts'], {
    cwd: root,
    env: { ...process.env, CDK_OUTDIR: outdir },
  });
  const output = `${result.stdout}\n${result.stderr}`.trim();
  return { ok: result.status === 0, output: result.spawnError ?? tail(output, 40) };
}
