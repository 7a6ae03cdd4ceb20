import type { Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * The construct at `path` (construct ids joined by '/') below `stack`. Acknowledgements name their
 * targets this way; a path that no longer exists is a stale entry and stops synth.
 */
export function findConstruct(stack: Stack, path: string, what: string): IConstruct {
  let current: IConstruct = stack;
  for (const segment of path.split('/')) {
    const child = current.node.tryFindChild(segment);
    if (!child) throw new Error(`${what} for ${stack.stackName}/${path}: construct not found (stale entry?)`);
    current = child;
  }
  return current;
}
