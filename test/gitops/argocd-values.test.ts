import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { argoCdValues, withSsoIssuer } from '../../argocd/helm-values.js';
import { kubePrometheusStackValues } from '../../argocd/monitoring-values.js';
import { KUBE_PROMETHEUS_STACK } from '../../argocd/versions.js';
import { MONITORING } from '../../charts/lib/platform-contract.js';
import { loadEnvironments } from '../../platform/config/index.js';

// argocd/values*.yaml as the CDK add-on receives them (argocd/helm-values.ts merges
// the overlay): SSO, RBAC, notifications wired to the alert channel, HA in prod.

// biome-ignore lint/suspicious/noExplicitAny: Helm values are untyped; each check narrows what it reads.
type Values = any;

describe.each(loadEnvironments().map((env) => [env.name, env] as const))(
  'Argo CD values for %s',
  (_, env) => {
    const values: Values = argoCdValues(env.name);
    const cm = values.configs.cm;

    it('signs staff in through OIDC with PKCE; the local admin only outside prod', () => {
      const oidc = parse(cm['oidc.config']);
      expect(oidc.issuer).toMatch(/^https:\/\//);
      // Named once: the environment config's staff SSO issuer, not a copy in the values files.
      expect(oidc.issuer).toBe(env.staffSsoIssuer);
      expect(oidc.enablePKCEAuthentication).toBe(true);
      expect(oidc.clientSecret).toBeUndefined();
      expect(oidc.requestedScopes).toContain('groups');
      expect(cm['admin.enabled']).toBe(env.name !== 'prod');
      expect(values.dex.enabled).toBe(false);
    });

    it('defaults to read-only; ops may sync and act but never create or delete Applications', () => {
      const rbac = values.configs.rbac;
      expect(rbac['policy.default']).toBe('role:readonly');
      const lines: string[][] = rbac['policy.csv']
        .split('\n')
        .filter((l: string) => l.trim())
        .map((l: string) => l.split(',').map((f) => f.trim()));
      const roles = new Set(lines.filter((l) => l[0] === 'p').map((l) => l[1]));
      for (const grant of lines.filter((l) => l[0] === 'g')) {
        expect(roles.has(grant[2] as string) || grant[2] === 'role:admin', grant.join(',')).toBe(true);
      }
      const ops = lines.filter((l) => l[0] === 'p' && l[1] === 'role:ops');
      expect(ops.map((l) => `${l[2]} ${l[3]}`)).toContain('applications sync');
      for (const l of ops) expect(['create', 'update', 'delete', 'override', 'exec']).not.toContain(l[3]);
    });

    it('polls every 180s (an argocd-cm key) and scales the unused ApplicationSet controller to zero', () => {
      expect(cm['timeout.reconciliation']).toBe('180s');
      expect(values.configs.params['timeout.reconciliation']).toBeUndefined();
      // The chart has no applicationSet.enabled; test/gitops/argocd-chart-keys.test.ts rejects it.
      expect(values.applicationSet).toEqual({ replicas: 0 });
    });

    it('checks the health of Applications, so the root Application’s sync waves wait', () => {
      expect(cm['resource.customizations.health.argoproj.io_Application']).toMatch(/obj\.status\.health/);
    });

    it("logs Grafana's admin in with a generated password, never the chart's published default", () => {
      const monitoring: Values = kubePrometheusStackValues(env);
      expect(monitoring.grafana.adminPassword).toBeUndefined();
      expect(monitoring.grafana.admin).toEqual({
        existingSecret: 'grafana-admin',
        userKey: 'admin-user',
        passwordKey: 'admin-password',
      });
      const [generator, secret] = monitoring.extraManifests;
      expect(generator).toMatchObject({
        kind: 'Password',
        metadata: { name: 'grafana-admin', namespace: MONITORING.namespace },
      });
      expect(generator.spec.length).toBeGreaterThanOrEqual(32);
      expect(secret).toMatchObject({
        kind: 'ExternalSecret',
        metadata: { namespace: MONITORING.namespace },
        spec: {
          refreshPolicy: 'CreatedOnce',
          target: { name: 'grafana-admin', template: { data: { 'admin-password': '{{ .password }}' } } },
          dataFrom: [{ sourceRef: { generatorRef: { kind: 'Password', name: generator.metadata.name } } }],
        },
      });
    });

    it('posts failed syncs and degraded Applications to the Alertmanager that pages on-call', () => {
      const n = values.notifications;
      expect(n.enabled).toBe(true);
      const notifier = parse(n.notifiers['service.webhook.alertmanager']);
      expect(notifier.url).toBe(
        `http://${KUBE_PROMETHEUS_STACK.releaseName}-alertmanager.${MONITORING.namespace}.svc:9093`,
      );
      const monitoring: Values = kubePrometheusStackValues(env);
      const routed = (labels: Record<string, string>) =>
        monitoring.alertmanager.config.route.routes.find((r: { matchers: string[] }) =>
          r.matchers.every((m) => {
            const [, key, value] = /^(\w+)\s*=\s*"(.*)"$/.exec(m) ?? [];
            return key !== undefined && labels[key] === value;
          }),
        )?.receiver ?? monitoring.alertmanager.config.route.receiver;
      for (const subscription of n.subscriptions) {
        expect(subscription.recipients).toEqual(['alertmanager']);
        for (const trigger of subscription.triggers) {
          const conditions = parse(n.triggers[`trigger.${trigger}`]);
          expect(conditions, trigger).toBeDefined();
          for (const template of conditions.flatMap((c: { send: string[] }) => c.send)) {
            const webhook = parse(n.templates[`template.${template}`]).webhook.alertmanager;
            expect(webhook.path).toBe('/api/v2/alerts');
            const alerts = JSON.parse(webhook.body.replaceAll('{{.app.metadata.name}}', 'bank-dev'));
            for (const alert of alerts) {
              expect(alert.labels.alertname).toMatch(/^ArgoCD/);
              expect(routed(alert.labels), alert.labels.alertname).toBe('oncall');
            }
          }
        }
      }
    });

    it(env.name === 'prod' ? 'runs every component replicated' : 'keeps dev small', () => {
      if (env.name !== 'prod') {
        expect(values['redis-ha']).toBeUndefined();
        return;
      }
      expect(values['redis-ha'].enabled).toBe(true);
      expect(values.redis.enabled).toBe(false);
      for (const component of ['controller', 'server', 'repoServer']) {
        expect(values[component].replicas, component).toBeGreaterThanOrEqual(2);
        expect(values[component].pdb.enabled, component).toBe(true);
      }
    });
  },
);

describe('the staff SSO issuer is named once', () => {
  const values = { configs: { cm: { 'oidc.config': 'name: SSO\nclientID: argocd\n' } } };

  it('is added to oidc.config from the environment config', () => {
    const merged = withSsoIssuer(values, 'https://sso.bank.test') as Values;
    expect(parse(merged.configs.cm['oidc.config'])).toEqual({
      name: 'SSO',
      clientID: 'argocd',
      issuer: 'https://sso.bank.test',
    });
  });

  it('a values file that sets it too is refused, naming where it belongs', () => {
    const twice = { configs: { cm: { 'oidc.config': 'issuer: https://x.test\n' } } };
    expect(() => withSsoIssuer(twice, 'https://sso.bank.test')).toThrow(/staffSsoIssuer in platform\/config/);
    expect(() => withSsoIssuer({}, 'https://sso.bank.test')).toThrow(/oidc\.config" is missing/);
  });
});
