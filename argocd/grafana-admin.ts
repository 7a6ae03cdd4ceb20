import { ExternalSecret } from '@kubernetes-models/external-secrets/external-secrets.io/v1/ExternalSecret';
import { Password } from '@kubernetes-models/external-secrets/generators.external-secrets.io/v1alpha1/Password';
import { MONITORING } from '../charts/lib/platform-contract.js';
import type { HelmValues } from './helm-values.js';

// Grafana's admin login. kube-prometheus-stack would otherwise set the chart's published default
// password. External Secrets (a platform add-on) generates a random one once, into a Secret the
// Grafana chart reads (`admin.existingSecret`); nothing outside the cluster ever holds it.
// docs/platform/adopt.md ("Grafana access") shows how to read it and how to rotate it.

/** The Secret Grafana reads its admin login from, in the monitoring namespace. */
export const GRAFANA_ADMIN_SECRET = 'grafana-admin';
const USER_KEY = 'admin-user';
const PASSWORD_KEY = 'admin-password';

/** The generator and the ExternalSecret that writes its password into GRAFANA_ADMIN_SECRET. */
export function grafanaAdminManifests(): HelmValues[] {
  const generator = new Password({
    metadata: { name: GRAFANA_ADMIN_SECRET, namespace: MONITORING.namespace },
    // 32 characters, digits and symbols included; quotes and backslashes left out so the value is
    // safe in the shell commands the docs show.
    spec: {
      length: 32,
      digits: 6,
      symbols: 4,
      symbolCharacters: '-_.~!@#%^*+=',
      noUpper: false,
      allowRepeat: true,
    },
  });
  const secret = new ExternalSecret({
    metadata: { name: GRAFANA_ADMIN_SECRET, namespace: MONITORING.namespace },
    spec: {
      // Generated once. Rotating it is deleting the Secret (the operator generates a new one).
      refreshPolicy: 'CreatedOnce',
      target: {
        name: GRAFANA_ADMIN_SECRET,
        creationPolicy: 'Owner',
        template: {
          engineVersion: 'v2',
          data: { [USER_KEY]: 'admin', [PASSWORD_KEY]: '{{ .password }}' },
        },
      },
      dataFrom: [
        {
          sourceRef: {
            generatorRef: {
              apiVersion: Password.apiVersion,
              kind: Password.kind,
              name: GRAFANA_ADMIN_SECRET,
            },
          },
        },
      ],
    },
  });
  for (const model of [generator, secret]) model.validate();
  return [generator.toJSON() as HelmValues, secret.toJSON() as HelmValues];
}

/** The kube-prometheus-stack values that point Grafana at the generated Secret. */
export function grafanaAdminValues(): HelmValues {
  return {
    grafana: {
      admin: { existingSecret: GRAFANA_ADMIN_SECRET, userKey: USER_KEY, passwordKey: PASSWORD_KEY },
    },
    extraManifests: grafanaAdminManifests(),
  };
}
