import { spawnSync } from 'node:child_process';
import { K8S_BIN_DIR, KUBECONFIG_PATH } from './layout.js';

// kubectl against the local cluster (its kubeconfig and the kubectl built with it).

export const kubeEnv = (): NodeJS.ProcessEnv => ({
  ...process.env,
  KUBECONFIG: KUBECONFIG_PATH,
  PATH: `${K8S_BIN_DIR}:${process.env.PATH ?? ''}`,
});

export function kubectl(args: readonly string[], input?: string): string {
  const result = spawnSync('kubectl', args, { env: kubeEnv(), input, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    throw new Error(`kubectl ${args.join(' ')} failed (exit ${result.status}): ${result.stderr.trim()}`);
  }
  return result.stdout;
}

export const kubectlJson = <T>(args: readonly string[]): T =>
  JSON.parse(kubectl([...args, '-o', 'json'])) as T;

/** Server-side apply of objects (as one JSON List), owned by `manager`. */
export function applyObjects(objects: readonly unknown[], manager: string): void {
  kubectl(
    ['apply', '--server-side', '--force-conflicts', `--field-manager=${manager}`, '-f', '-'],
    JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }),
  );
}
