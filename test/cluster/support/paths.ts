import { join } from 'node:path';
import { REPO_ROOT } from '../../../scripts/local/layout.js';

// Where the binaries, the CRDs and the kubeconfig live, and the environment kubectl runs with: the
// local platform's layout (scripts/local/layout.ts), which mirrors test/cluster/scripts/env.sh.

/** The environment every kubectl and demo script runs with: the local cluster and the built binaries first. */
export { kubeEnv as clusterEnv } from '../../../scripts/local/kube.js';
export {
  CLUSTER_NAME,
  K8S_BIN_DIR,
  KUBECONFIG_PATH,
  REPO_ROOT,
  TOOLS_DIR,
} from '../../../scripts/local/layout.js';
// BANK_MANIFESTS_DIR points the tests at another rendering (e.g. a chart change rendered elsewhere).
export const MANIFESTS_DIR = process.env.BANK_MANIFESTS_DIR ?? join(REPO_ROOT, 'manifests');
export const DEMOS_DIR = join(REPO_ROOT, 'test', 'cluster', 'demos');
