import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Application } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application';
import { AppProject } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/AppProject';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { BOOTSTRAP_SYNC_WAVE } from '../../argocd/applications.js';
import { BOOTSTRAP_DIR, bootstrapPath, ManifestLayoutError } from '../../argocd/layout.js';
import { KUBE_PROMETHEUS_STACK } from '../../argocd/versions.js';
import { MONITORING } from '../../charts/lib/platform-contract.js';
import { renderArgoCdBootstrap } from '../../charts/render.js';
import { rawEnvironments } from '../../platform/config/environments.js';
import { type EnvironmentConfig, loadEnvironments, parseEnvironment } from '../../platform/config/index.js';
import { PINNED_VERSIONS } from '../expected/pinned-versions.js';
import { type ManifestObject, parseManifests, renderAll } from '../manifests/rendered.js';

// The Argo CD bootstrap (manifests/argocd/<env>/): schema-valid, consistent with the environment
// config, and covering every environment directory of the manifests tree exactly once.

const repoRoot = join(import.meta.dirname, '..', '..');
const manifestsDir = join(repoRoot, 'manifests');
const environments = loadEnvironments();
const bootstraps = environments.map((env) => ({ env, rendered: renderArgoCdBootstrap(env) }));
const objectsOf = (env: EnvironmentConfig): ManifestObject[] =>
  (bootstraps.find((b) => b.env.name === env.name)?.rendered.files ?? []).flatMap((f) =>
    parseManifests(f.content),
  );
const applications = (env: EnvironmentConfig) => objectsOf(env).filter((o) => o.kind === 'Application');
const projects = (env: EnvironmentConfig) => objectsOf(env).filter((o) => o.kind === 'AppProject');
const project = (env: EnvironmentConfig, name: string) => projects(env).find((p) => p.metadata.name === name);
const wave = (o: ManifestObject) => Number(o.metadata.annotations?.['argocd.argoproj.io/sync-wave'] ?? '0');

describe.each(environments.map((env) => [env.name, env] as const))('Argo CD bootstrap of %s', (_, env) => {
  it('validates against the Argo CD schemas (@kubernetes-models/argo-cd)', () => {
    const objects = objectsOf(env);
    expect(objects.map((o) => o.kind).sort()).toEqual([
      'AppProject',
      'AppProject',
      'AppProject',
      'Application',
      'Application',
      'Application',
      'Application',
    ]);
    for (const o of objects) {
      const Model = o.kind === 'Application' ? Application : AppProject;
      expect(o.apiVersion).toBe(Model.apiVersion);
      expect(() => new Model(o as never).validate(), `${o.kind} ${o.metadata.name}`).not.toThrow();
      expect(o.metadata.namespace).toBe('argocd');
    }
  });

  it('is committed under manifests/argocd/<env>/ exactly as argocd/ renders it', () => {
    const dir = join(repoRoot, bootstrapPath(env));
    const rendered = bootstraps.find((b) => b.env.name === env.name)?.rendered.files ?? [];
    expect(readdirSync(dir).sort()).toEqual(rendered.map((f) => f.name).sort());
    for (const file of rendered) {
      expect(
        readFileSync(join(dir, file.name), 'utf8'),
        `${file.name} is stale: npm run synth:manifests`,
      ).toBe(file.content);
    }
  });

  it('pulls every Git source from the configured repository and branch', () => {
    const gitApps = applications(env).filter((a) => a.spec.source.chart === undefined);
    expect(gitApps.length).toBeGreaterThan(0);
    for (const app of gitApps) {
      expect(app.spec.source.repoURL, app.metadata.name).toBe(env.gitops.repoUrl);
      expect(app.spec.source.targetRevision, app.metadata.name).toBe(env.gitops.branch);
    }
  });

  it('pins every Helm chart to the version in test/expected/pinned-versions.yaml, from a repository its project allows', () => {
    const helmApps = applications(env).filter((a) => a.spec.source.chart !== undefined);
    expect(
      Object.fromEntries(helmApps.map((a) => [a.spec.source.chart, a.spec.source.targetRevision])),
    ).toEqual(PINNED_VERSIONS.argoCdHelmCharts);
    for (const app of helmApps) {
      expect(project(env, app.spec.project)?.spec.sourceRepos).toContain(app.spec.source.repoURL);
    }
  });

  it('puts every Application in a project of the same bootstrap, deploying only where the project allows', () => {
    for (const app of applications(env)) {
      const owner = project(env, app.spec.project);
      expect(owner, `${app.metadata.name}: project ${app.spec.project}`).toBeDefined();
      expect(owner?.spec.sourceRepos).toContain(app.spec.source.repoURL);
      const allowed = (owner?.spec.destinations ?? []).map(
        (d: { server: string; namespace: string }) => `${d.server} ${d.namespace}`,
      );
      // Argo CD matches the destination namespace against the project's list; an empty one matches
      // none of them (InvalidSpecError), so every Application names one.
      expect(app.spec.destination.namespace, app.metadata.name).toEqual(expect.any(String));
      expect(allowed).toContain(`${app.spec.destination.server} ${app.spec.destination.namespace}`);
      expect(app.spec.project).not.toBe('default');
      // CreateNamespace makes Argo CD create a Namespace, which its project must admit like any object.
      if (app.spec.syncPolicy?.syncOptions?.includes('CreateNamespace=true')) {
        expect(owner?.spec.clusterResourceWhitelist, app.metadata.name).toContainEqual({
          group: '',
          kind: 'Namespace',
        });
      }
      // An all-default `directory` block is dropped from the live object: the parent never settles.
      expect(app.spec.source, app.metadata.name).not.toHaveProperty('directory');
    }
  });

  it('lets the bank project sync exactly what the workloads render, nothing cluster-wide but its namespace and PriorityClass', () => {
    const bank = project(env, 'bank');
    const workloadsApp = applications(env).find((a) => a.spec.project === 'bank');
    expect(workloadsApp?.spec.source.path).toBe(env.gitops.path);
    const rendered = renderAll().objects.filter((o) => o.env.name === env.name);
    const key = (group: string, kind: string) => `${group}/${kind}`;
    const namespaced = new Set(
      (bank?.spec.namespaceResourceWhitelist ?? []).map((k: { group: string; kind: string }) =>
        key(k.group, k.kind),
      ),
    );
    const clusterWide = new Set(
      (bank?.spec.clusterResourceWhitelist ?? []).map((k: { group: string; kind: string }) =>
        key(k.group, k.kind),
      ),
    );
    const namespaces = new Set(
      (bank?.spec.destinations ?? []).map((d: { namespace: string }) => d.namespace),
    );
    for (const { object } of rendered) {
      const group = object.apiVersion.includes('/') ? (object.apiVersion.split('/')[0] as string) : '';
      const what = `${object.kind} ${object.metadata.namespace ?? ''}/${object.metadata.name}`;
      if (object.metadata.namespace === undefined) {
        expect(
          clusterWide.has(key(group, object.kind)),
          `${what} is cluster-scoped and not whitelisted`,
        ).toBe(true);
      } else {
        expect(namespaced.has(key(group, object.kind)), `${what}: kind not in the bank project`).toBe(true);
        expect(namespaces.has(object.metadata.namespace), `${what}: namespace not a bank destination`).toBe(
          true,
        );
      }
    }
    expect([...clusterWide]).toEqual(['/Namespace', 'scheduling.k8s.io/PriorityClass']);
  });

  it('syncs projects, then monitoring, then the workloads (sync waves)', () => {
    for (const p of projects(env)) expect(wave(p)).toBe(Number(BOOTSTRAP_SYNC_WAVE.projects));
    const monitoring = applications(env).find((a) => a.metadata.name === KUBE_PROMETHEUS_STACK.releaseName);
    const workloads = applications(env).find((a) => a.spec.project === 'bank');
    expect(monitoring && workloads).toBeTruthy();
    expect(wave(monitoring as ManifestObject)).toBeLessThan(wave(workloads as ManifestObject));
    expect(Math.max(...projects(env).map(wave))).toBeLessThan(wave(monitoring as ManifestObject));
  });

  it('automates sync with prune and self-heal; the CRD-heavy stack applies server-side', () => {
    for (const app of applications(env)) {
      expect(app.spec.syncPolicy.automated, app.metadata.name).toMatchObject({ prune: true, selfHeal: true });
    }
    const monitoring = applications(env).find((a) => a.metadata.name === KUBE_PROMETHEUS_STACK.releaseName);
    expect(monitoring?.spec.syncPolicy.syncOptions).toContain('ServerSideApply=true');
    expect(monitoring?.spec.destination.namespace).toBe(MONITORING.namespace);
    // ServiceMonitors and PrometheusRules select on the release name.
    expect(monitoring?.spec.source.helm.releaseName).toBe(MONITORING.selectorLabels.release);
  });

  it('runs the trace collector beside Prometheus: OTLP/HTTP and the X-Ray proxy in, X-Ray out, with the Pod Identity account', () => {
    const app = applications(env).find((a) => a.metadata.name === 'otel-collector');
    expect(app?.spec.project).toBe('platform');
    expect(app?.spec.destination.namespace).toBe('monitoring');
    expect(app?.spec.source.helm.releaseName).toBe('otel-collector');
    const values = parseYaml(app?.spec.source.helm.values);
    expect(values.mode).toBe('deployment');
    expect(values.image.repository).toBe('otel/opentelemetry-collector-contrib');
    // bank-api's manifests point at http://otel-collector.monitoring.svc:4318 and :2000.
    expect(values.fullnameOverride).toBe('otel-collector');
    expect(values.serviceAccount).toEqual({ create: true, name: 'otel-collector' });
    expect(values.ports['otlp-http']).toMatchObject({ enabled: true, servicePort: 4318 });
    expect(values.ports.awsproxy).toMatchObject({ enabled: true, servicePort: 2000, containerPort: 2000 });
    for (const unused of ['otlp', 'jaeger-compact', 'jaeger-thrift', 'jaeger-grpc', 'zipkin']) {
      expect(values.ports[unused], unused).toEqual({ enabled: false });
    }
    const config = values.config;
    expect(config.receivers).toMatchObject({ jaeger: null, zipkin: null, prometheus: null });
    expect(config.extensions.awsproxy.region).toBe(env.region);
    expect(config.exporters.awsxray.region).toBe(env.region);
    expect(config.exporters.debug).toBeNull();
    expect(config.service.extensions).toEqual(['health_check', 'awsproxy']);
    expect(config.service.pipelines).toEqual({
      logs: null,
      metrics: null,
      traces: {
        receivers: ['otlp'],
        processors: ['memory_limiter', 'tail_sampling', 'batch'],
        exporters: ['awsxray'],
      },
    });
    const policies = config.processors.tail_sampling.policies.map((p: { name: string }) => p.name);
    expect(policies).toEqual(['errors', 'server-errors', 'slower-than-slo', 'money-movement', 'baseline']);
  });

  it('renders the monitoring values from the repo plus the environment config', () => {
    const values = applications(env).find((a) => a.metadata.name === KUBE_PROMETHEUS_STACK.releaseName)?.spec
      .source.helm.valuesObject;
    expect(values.prometheus.prometheusSpec.externalLabels).toEqual({
      cluster: `bank-${env.name}-eks`,
      environment: env.name,
    });
    const oncall = values.alertmanager.config.receivers.find((r: { name: string }) => r.name === 'oncall');
    expect(oncall.sns_configs[0].topic_arn).toBe(
      `arn:aws:sns:${env.region}:${env.account}:bank-${env.name}-oncall`,
    );
    // The accounts Pod Identity binds roles to, as docs/platform/README.md lists them.
    expect(values.grafana.serviceAccount).toEqual({ create: true, name: 'kube-prometheus-stack-grafana' });
    expect(values.alertmanager.serviceAccount).toEqual({ name: 'kube-prometheus-stack-alertmanager' });
    const replicas = values.alertmanager.alertmanagerSpec.replicas;
    expect(replicas).toBe(env.name === 'prod' ? 3 : 1);
  });
});

describe('the manifests tree', () => {
  const envDirs = readdirSync(manifestsDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && d.name !== BOOTSTRAP_DIR)
    .map((d) => `manifests/${d.name}`)
    .sort();

  it('has one directory per environment and one bootstrap per environment', () => {
    expect(envDirs).toEqual(environments.map((e) => e.gitops.path).sort());
    expect(readdirSync(join(manifestsDir, BOOTSTRAP_DIR)).sort()).toEqual(
      environments.map((e) => e.name).sort(),
    );
  });

  it('gives every environment directory exactly one Application, in that environment’s own bootstrap', () => {
    const all = bootstraps.flatMap(({ env }) => applications(env).map((app) => ({ env, app })));
    for (const dir of envDirs) {
      const owners = all.filter(({ app }) => app.spec.source.path === dir);
      expect(
        owners.map((o) => `${o.env.name}/${o.app.metadata.name}`),
        dir,
      ).toHaveLength(1);
      expect(owners[0]?.env.gitops.path).toBe(dir);
    }
  });

  it('freezes prod on weekends with a manual break-glass, and leaves dev unwindowed', () => {
    const prod = environments.find((e) => e.name === 'prod') as EnvironmentConfig;
    const dev = environments.find((e) => e.name === 'dev') as EnvironmentConfig;
    const windows = project(prod, 'bank')?.spec.syncWindows;
    expect(windows).toEqual([
      expect.objectContaining({
        kind: 'deny',
        manualSync: true,
        applications: ['*'],
        timeZone: 'Europe/Berlin',
      }),
    ]);
    expect(project(dev, 'bank')?.spec.syncWindows).toBeUndefined();
  });
});

describe('layout errors name the field', () => {
  const withGitops = (name: string, path: string) => {
    const raw = structuredClone(rawEnvironments[name]) as { gitops: { path: string } };
    raw.gitops.path = path;
    return parseEnvironment(name, raw);
  };

  it('refuses a gitops.path the renderer does not write', () => {
    expect(() => renderArgoCdBootstrap(withGitops('dev', 'manifests/development'))).toThrow(
      ManifestLayoutError,
    );
    expect(() => renderArgoCdBootstrap(withGitops('dev', 'dev'))).toThrow(/dev\.gitops\.path: must be/);
    expect(() => renderArgoCdBootstrap(withGitops('dev', 'manifests/../dev'))).toThrow(/dev\.gitops\.path/);
  });

  it('refuses an environment named like the bootstrap folder', () => {
    const raw = structuredClone(rawEnvironments.dev) as { name: string; gitops: { path: string } };
    raw.name = BOOTSTRAP_DIR;
    raw.gitops.path = `manifests/${BOOTSTRAP_DIR}`;
    const env = parseEnvironment(BOOTSTRAP_DIR, raw);
    expect(() => renderArgoCdBootstrap(env)).toThrow(/argocd\.name: 'argocd' is reserved/);
  });
});
