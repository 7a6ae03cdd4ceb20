import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// The CDK app runs only on the Node.js release line in .node-version. On Node 20 (V8 11.3) a
// background TurboFan job (escape analysis) can run for many minutes after synth has written every
// template; Node waits for it before exiting, so `cdk synth` with a dozen or more environments looked
// hung (docs/platform/README.md, "Synth time per environment"). Stop early with the fix instead.

const wanted = readFileSync(join(import.meta.dirname, '..', '..', '.node-version'), 'utf8').trim();

/** Throws unless this process runs the major Node.js release .node-version pins. */
export function assertSupportedNode(version: string = process.versions.node): void {
  const major = (v: string) => v.split('.')[0];
  if (major(version) !== major(wanted)) {
    throw new Error(
      `Node.js ${wanted.split('.')[0]} is required (.node-version says ${wanted}); this is ${version}. ` +
        'Run `. scripts/use-node.sh` first.',
    );
  }
}
