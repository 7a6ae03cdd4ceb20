import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ARGOCD_NAMESPACE } from '../../charts/lib/platform-contract.js';
import { ARGOCD_BIN_DIR, ARGOCD_DATA_DIR, HOST, K8S_BIN_DIR, KUBECONFIG_PATH, PORTS } from './layout.js';

// How the Argo CD components run as local processes: the flags and environment the chart's
// Deployments give them, pointed at loopback, the local cluster and the local Redis.

export interface Component {
  readonly name: string;
  readonly args: readonly string[];
  /** The port to wait for before the next step (none for the controller, which serves no API). */
  readonly port?: number;
}

/** The argocd-cm keys the chart passes to the controller and repo-server as environment variables. */
function reconciliationEnv(cm: Readonly<Record<string, string>>): Record<string, string> {
  const fromCm: Record<string, string> = {
    ARGOCD_RECONCILIATION_TIMEOUT: 'timeout.reconciliation',
    ARGOCD_HARD_RECONCILIATION_TIMEOUT: 'timeout.hard.reconciliation',
    ARGOCD_RECONCILIATION_JITTER: 'timeout.reconciliation.jitter',
  };
  return Object.fromEntries(
    Object.entries(fromCm).flatMap(([variable, key]) => (cm[key] !== undefined ? [[variable, cm[key]]] : [])),
  );
}

export function argoCdEnvironment(cm: Readonly<Record<string, string>>): NodeJS.ProcessEnv {
  for (const dir of ['tls', 'ssh', 'gpg/keys', 'gpg/source', 'home'])
    mkdirSync(join(ARGOCD_DATA_DIR, dir), { recursive: true });
  return {
    ...process.env,
    KUBECONFIG: KUBECONFIG_PATH,
    PATH: `${ARGOCD_BIN_DIR}:${K8S_BIN_DIR}:${process.env.PATH ?? ''}`,
    // The components treat the kubeconfig as their own cluster (https://kubernetes.default.svc).
    ARGOCD_FAKE_IN_CLUSTER: 'true',
    // Where the pods mount argocd-tls-certs-cm, argocd-ssh-known-hosts-cm and argocd-gpg-keys-cm.
    ARGOCD_TLS_DATA_PATH: join(ARGOCD_DATA_DIR, 'tls'),
    ARGOCD_SSH_DATA_PATH: join(ARGOCD_DATA_DIR, 'ssh'),
    ARGOCD_GNUPGHOME: join(ARGOCD_DATA_DIR, 'gpg', 'keys'),
    ARGOCD_GPG_DATA_PATH: join(ARGOCD_DATA_DIR, 'gpg', 'source'),
    ARGOCD_GPG_ENABLED: 'false',
    // Git runs without the caller's ~/.gitconfig, as in the repo-server container.
    HOME: join(ARGOCD_DATA_DIR, 'home'),
    ...reconciliationEnv(cm),
  };
}

/** The three components, in start order: the repo-server first, since the others call it. */
export function argoCdComponents(): Component[] {
  const common = ['--loglevel', 'info', '--logformat', 'text', '--redis', `${HOST}:${PORTS.redis}`];
  const repoServer = ['--repo-server', `${HOST}:${PORTS.argocdRepoServer}`, '--repo-server-plaintext'];
  return [
    {
      name: 'argocd-repo-server',
      args: [
        ...common,
        '--address',
        HOST,
        '--port',
        String(PORTS.argocdRepoServer),
        '--disable-tls',
        '--metrics-address',
        HOST,
        '--metrics-port',
        String(PORTS.argocdRepoServerMetrics),
      ],
      port: PORTS.argocdRepoServer,
    },
    {
      name: 'argocd-application-controller',
      args: [
        ...common,
        '--namespace',
        ARGOCD_NAMESPACE,
        ...repoServer,
        '--metrics-port',
        String(PORTS.argocdControllerMetrics),
      ],
    },
    {
      name: 'argocd-server',
      // server.insecure (argocd-cmd-params-cm): TLS ends in front of the server, as on EKS.
      args: [
        ...common,
        '--namespace',
        ARGOCD_NAMESPACE,
        ...repoServer,
        '--address',
        HOST,
        '--port',
        String(PORTS.argocdServer),
        '--insecure',
        '--metrics-address',
        HOST,
        '--metrics-port',
        String(PORTS.argocdServerMetrics),
      ],
      port: PORTS.argocdServer,
    },
  ];
}

export const componentBinary = (component: Component): string => join(ARGOCD_BIN_DIR, component.name);
