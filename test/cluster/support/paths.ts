import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// Mirrors test/cluster/scripts/env.sh: the shell scripts and the tests must agree on where the
// binaries, the CRDs and the kubeconfig live, including the same override variables.

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const TOOLS_DIR = process.env.BANK_TOOLS_DIR ?? join(REPO_ROOT, '.tools');
export const K8S_BIN_DIR = join(TOOLS_DIR, 'k8s', 'bin');
export const CLUSTER_NAME = process.env.BANK_CLUSTER_NAME ?? 'bank-local';
export const KUBECONFIG_PATH = join(TOOLS_DIR, `kubeconfig-${CLUSTER_NAME}.yaml`);
// BANK_MANIFESTS_DIR points the tests at another rendering (e.g. a chart change rendered elsewhere).
export const MANIFESTS_DIR = process.env.BANK_MANIFESTS_DIR ?? join(REPO_ROOT, 'manifests');
export const DEMOS_DIR = join(REPO_ROOT, 'test', 'cluster', 'demos');

/** The environment every kubectl and demo script runs with: the local cluster and the built binaries first. */
export function clusterEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    KUBECONFIG: KUBECONFIG_PATH,
    PATH: `${K8S_BIN_DIR}:${process.env.PATH ?? ''}`,
  };
}
