import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { argoCdValues } from '../../argocd/helm-values.js';
import { ARGOCD_NAMESPACE } from '../../charts/lib/platform-contract.js';
import { ARGOCD_BIN_DIR, HOST } from './layout.js';

// Argo CD's configuration for the local platform, from the same Helm values the EKS add-on installs
// (argocd/values.yaml + values-<env>.yaml): the chart turns configs.cm, configs.rbac and configs.params
// into these ConfigMaps, and so do we, so the local controller runs on our health checks, RBAC and
// reconciliation settings. What the chart would generate (server secret key, admin password) is
// generated here; the Git server's CA goes where a private Git host's would (argocd-tls-certs-cm).

type Values = Record<string, unknown>;

const asStrings = (data: unknown): Record<string, string> =>
  Object.fromEntries(
    Object.entries((data ?? {}) as Values).map(([k, v]) => [
      k,
      typeof v === 'string' ? v : JSON.stringify(v),
    ]),
  );

const section = (values: Values, key: string): Values =>
  ((values.configs as Values | undefined)?.[key] ?? {}) as Values;

const configMap = (name: string, data: Record<string, string>) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: ARGOCD_NAMESPACE, labels: { 'app.kubernetes.io/part-of': 'argocd' } },
  data,
});

export interface LocalArgoCdConfig {
  readonly objects: readonly unknown[];
  /** argocd-cm as rendered. */
  readonly cm: Readonly<Record<string, string>>;
  /** The admin password, when the environment's values keep the local admin account. */
  readonly adminPassword?: string;
}

export function bcrypt(password: string): string {
  // Argo CD's own CLI hashes the password exactly as the server checks it.
  const result = spawnSync(join(ARGOCD_BIN_DIR, 'argocd'), ['account', 'bcrypt', '--password', password], {
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`argocd account bcrypt failed: ${result.stderr}`);
  return result.stdout.trim();
}

export function localArgoCdConfig(
  environment: string,
  gitServerCa: string,
  webhookSecret: string,
): LocalArgoCdConfig {
  const values = argoCdValues(environment);
  const cm = asStrings(section(values, 'cm'));
  const adminEnabled = cm['admin.enabled'] !== 'false';
  const adminPassword = adminEnabled ? randomBytes(12).toString('base64url') : undefined;
  const secretData: Record<string, string> = {
    'server.secretkey': randomBytes(32).toString('base64'),
    // Push webhooks are accepted only when signed with this secret (GitHub's repository webhook secret).
    'webhook.github.secret': webhookSecret,
  };
  if (adminPassword !== undefined) {
    secretData['admin.password'] = bcrypt(adminPassword);
    secretData['admin.passwordMtime'] = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  }
  return {
    cm,
    adminPassword,
    objects: [
      configMap('argocd-cm', cm),
      configMap('argocd-rbac-cm', asStrings(section(values, 'rbac'))),
      configMap('argocd-cmd-params-cm', asStrings(section(values, 'params'))),
      configMap('argocd-tls-certs-cm', { [HOST]: gitServerCa }),
      configMap('argocd-ssh-known-hosts-cm', {}),
      configMap('argocd-gpg-keys-cm', {}),
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: {
          name: 'argocd-secret',
          namespace: ARGOCD_NAMESPACE,
          labels: { 'app.kubernetes.io/part-of': 'argocd' },
        },
        type: 'Opaque',
        stringData: secretData,
      },
    ],
  };
}
