import { join, resolve } from 'node:path';

// Where the local platform keeps its state, and the loopback ports of its processes. Everything lives
// under .tools/local of the clone (git-ignored); `local:down` removes it. The binaries come from
// .tools/k8s/bin and .tools/argocd/bin (test/cluster/scripts/env.sh names the same folders).

export const REPO_ROOT = resolve(import.meta.dirname, '../..');
export const TOOLS_DIR = process.env.BANK_TOOLS_DIR ?? join(REPO_ROOT, '.tools');
export const K8S_BIN_DIR = join(TOOLS_DIR, 'k8s', 'bin');
export const ARGOCD_BIN_DIR = join(TOOLS_DIR, 'argocd', 'bin');
export const CLUSTER_NAME = process.env.BANK_CLUSTER_NAME ?? 'bank-local';
export const KUBECONFIG_PATH = join(TOOLS_DIR, `kubeconfig-${CLUSTER_NAME}.yaml`);
export const CLUSTER_SCRIPTS_DIR = join(REPO_ROOT, 'test', 'cluster', 'scripts');

export const LOCAL_DIR = join(TOOLS_DIR, 'local');
export const STATE_FILE = join(LOCAL_DIR, 'state.json');
export const LOGS_DIR = join(LOCAL_DIR, 'logs');
/** Bare repositories the local Git server serves; the manifests branch lives in GIT_REPOSITORY. */
export const GIT_ROOT = join(LOCAL_DIR, 'git');
export const GIT_REPOSITORY_NAME = 'bank-platform.git';
export const GIT_REPOSITORY = join(GIT_ROOT, GIT_REPOSITORY_NAME);
/** The clone of this repository's HEAD that the first publish runs in (the caller's checkout stays untouched). */
export const CHECKOUT_DIR = join(LOCAL_DIR, 'checkout');
export const TLS_DIR = join(LOCAL_DIR, 'tls');
/** Files Argo CD reads from mounted ConfigMaps in a cluster (TLS certificates, SSH known hosts, GnuPG). */
export const ARGOCD_DATA_DIR = join(LOCAL_DIR, 'argocd');
export const PGLITE_DIR = join(LOCAL_DIR, 'bank-api-pglite');
/** Prometheus's and Alertmanager's configuration, file_sd targets and data (scripts/local/monitoring.ts). */
export const MONITORING_DIR = join(LOCAL_DIR, 'monitoring');

export const HOST = '127.0.0.1';

/** Fixed loopback ports, so the URLs are the same every time (Argo CD's own config names :8080). */
export const PORTS = {
  argocdServer: 8080,
  argocdServerMetrics: 18083,
  argocdRepoServer: 18081,
  argocdRepoServerMetrics: 18084,
  argocdControllerMetrics: 18082,
  redis: 16379,
  git: 18443,
  bankApi: 18090,
  bankApiMetrics: 18091,
  prometheus: 19090,
  alertmanager: 19093,
  alertReceiver: 19095,
  /** The Argo Rollouts controller's HTTP proxy to the local Prometheus (scripts/local/prometheus-proxy.ts). */
  prometheusProxy: 19096,
} as const;

/**
 * The Argo Rollouts controller's metrics port, as test/cluster/scripts/rollouts-controller.sh starts
 * it (cluster:up starts the controller, so the port is not local:up's to check).
 */
export const ROLLOUTS_CONTROLLER_METRICS_PORT = 18096;

/** The Git URL Argo CD reads the manifests branch from (an https:// URL, as the config schema requires). */
export const LOCAL_REPO_URL = `https://${HOST}:${PORTS.git}/${GIT_REPOSITORY_NAME}`;

/** Name of the remote `local:up` adds to the caller's repository, so `manifests:publish --push --remote local` reaches the local Git server. */
export const LOCAL_REMOTE = 'local';
