import { createHash } from 'node:crypto';
import { App, Chart } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { WorkloadNamespace } from '../../charts/lib/namespace/workload-namespace.js';
import { resolveWebServiceProps, type WebServiceProps } from '../../charts/lib/web-service/props.js';
import { WebService } from '../../charts/lib/web-service/web-service.js';
import type { ManifestObject } from './rendered.js';

// WebService and WorkloadNamespace built directly from props, for the branches the committed
// environments (dev, prod: both with IAM database auth, a migration, an Ingress and Pod Identity)
// never take: no database, password auth, defaults, no Ingress, no internet egress.

// biome-ignore lint/suspicious/noExplicitAny: rendered objects are untyped JSON.
type Any = any;

function baseProps(overrides: Partial<WebServiceProps> = {}): WebServiceProps {
  return {
    name: 'svc',
    namespace: 'team',
    partOf: 'shop',
    image: 'registry.example/svc:1.0.0',
    command: ['node', 'main.js'],
    replicas: { min: 2, max: 5 },
    resources: { cpuRequestMillis: 100, cpuLimitMillis: 200, memoryRequestMiB: 128, memoryLimitMiB: 256 },
    environment: { B_SETTING: 'two', A_SETTING: 'one' },
    vpcCidr: '10.0.0.0/16',
    loadBalancerCidrs: ['10.0.1.0/24', '10.0.2.0/24'],
    ...overrides,
  };
}

const passwordDatabase = {
  secretName: 'svc/app',
  cidrs: ['10.0.64.0/24', '10.0.65.0/24'],
  migration: { command: ['node', 'migrate.js'], secretName: 'svc/owner' },
} as const;

/** The objects one WebService renders, as cdk8s writes them. */
function render(props: WebServiceProps): ManifestObject[] {
  const chart = new Chart(new App(), 'test', { disableResourceNameHashes: true });
  new WebService(chart, 'Service', props);
  return chart.toJson() as ManifestObject[];
}

/** The one object of this kind and name; fails when there is none or more than one. */
function the(objects: readonly ManifestObject[], kind: string, name: string): Any {
  const found = objects.filter((o) => o.kind === kind && o.metadata.name === name);
  expect(found, `${kind} ${name}`).toHaveLength(1);
  return found[0];
}

const names = (objects: readonly ManifestObject[]) =>
  objects.map((o) => `${o.kind} ${o.metadata.name}`).sort();

describe('a WebService without database, Ingress, Pod Identity or internet egress', () => {
  const objects = render(baseProps({ internetHttpsEgress: false }));

  it('renders exactly the objects such a service needs', () => {
    expect(names(objects)).toEqual([
      'ConfigMap svc-config',
      'Deployment svc',
      'HorizontalPodAutoscaler svc',
      'NetworkPolicy svc-allow-alb-http',
      'NetworkPolicy svc-allow-https-egress',
      'NetworkPolicy svc-allow-prometheus-metrics',
      'PodDisruptionBudget svc',
      'Service svc',
      'Service svc-metrics',
      'ServiceAccount svc',
      'ServiceMonitor svc',
    ]);
  });

  it('puts every object in the namespace with the common labels', () => {
    for (const o of objects) {
      expect(o.metadata.namespace, `${o.kind} ${o.metadata.name}`).toBe('team');
      expect(o.metadata.labels, `${o.kind} ${o.metadata.name}`).toMatchObject({
        'app.kubernetes.io/name': 'svc',
        'app.kubernetes.io/part-of': 'shop',
        'app.kubernetes.io/managed-by': 'cdk8s',
      });
    }
  });

  it('the API pods read only the ConfigMap: no database URL, no DATABASE_AUTH', () => {
    const container = the(objects, 'Deployment', 'svc').spec.template.spec.containers[0];
    expect(container.envFrom).toEqual([{ configMapRef: { name: 'svc-config' } }]);
    expect(container.env).toBeUndefined();
  });

  it('the ConfigMap holds the environment sorted by key, and the pods carry its checksum', () => {
    const configMap = the(objects, 'ConfigMap', 'svc-config');
    expect(Object.entries(configMap.data)).toEqual([
      ['A_SETTING', 'one'],
      ['B_SETTING', 'two'],
    ]);
    const checksum = createHash('sha256').update('{"A_SETTING":"one","B_SETTING":"two"}').digest('hex');
    expect(the(objects, 'Deployment', 'svc').spec.template.metadata.annotations).toEqual({
      'checksum/config': checksum,
    });
  });

  it('HTTPS egress reaches only the VPC endpoints', () => {
    expect(the(objects, 'NetworkPolicy', 'svc-allow-https-egress').spec).toEqual({
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'svc' } },
      policyTypes: ['Egress'],
      egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/16' } }], ports: [{ protocol: 'TCP', port: 443 }] }],
    });
  });

  it('the ALB subnets, and only they, reach the default HTTP port', () => {
    expect(the(objects, 'NetworkPolicy', 'svc-allow-alb-http').spec).toEqual({
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'svc', 'app.kubernetes.io/component': 'api' } },
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [{ ipBlock: { cidr: '10.0.1.0/24' } }, { ipBlock: { cidr: '10.0.2.0/24' } }],
          ports: [{ protocol: 'TCP', port: 8080 }],
        },
      ],
    });
  });

  it('Prometheus reaches the default metrics port', () => {
    expect(the(objects, 'NetworkPolicy', 'svc-allow-prometheus-metrics').spec.ingress[0].ports).toEqual([
      { protocol: 'TCP', port: 9464 },
    ]);
  });

  it('the container uses the default ports, probe paths, user and shutdown pauses', () => {
    const pod = the(objects, 'Deployment', 'svc').spec.template.spec;
    const container = pod.containers[0];
    expect(container.ports).toEqual([
      { name: 'http', containerPort: 8080, protocol: 'TCP' },
      { name: 'metrics', containerPort: 9464, protocol: 'TCP' },
    ]);
    expect(container.startupProbe.httpGet).toEqual({ path: '/livez', port: 'http' });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/livez', port: 'http' });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(container.lifecycle).toEqual({ preStop: { sleep: { seconds: 10 } } });
    expect(pod.terminationGracePeriodSeconds).toBe(40);
    expect(pod.serviceAccountName).toBe('svc');
    expect(pod.securityContext).toMatchObject({ runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001 });
    expect(container.securityContext).toMatchObject({ runAsUser: 10001, runAsGroup: 10001 });
  });

  it('surges by a quarter of replicas.max, rounded up', () => {
    expect(the(objects, 'Deployment', 'svc').spec.strategy).toEqual({
      type: 'RollingUpdate',
      rollingUpdate: { maxUnavailable: 0, maxSurge: 2 },
    });
  });

  it('the HPA scales between the replicas on the default utilisation targets', () => {
    const spec = the(objects, 'HorizontalPodAutoscaler', 'svc').spec;
    expect([spec.minReplicas, spec.maxReplicas]).toEqual([2, 5]);
    expect(spec.metrics.map((m: Any) => [m.resource.name, m.resource.target.averageUtilization])).toEqual([
      ['cpu', 70],
      ['memory', 80],
    ]);
  });
});

describe('a WebService with every optional value set, password auth and no IAM', () => {
  const objects = render(
    baseProps({
      serviceAccountName: 'svc-runtime',
      httpPort: 3000,
      metricsPort: 3001,
      livenessPath: '/health/live',
      readinessPath: '/health/ready',
      runAsUser: 2000,
      shutdown: { preStopSeconds: 3, drainSeconds: 7 },
      autoscaling: { cpuUtilization: 50, memoryUtilization: 60 },
      database: {
        ...passwordDatabase,
        port: 6432,
        urlEnvName: 'PG_URL',
        sslMode: 'require',
        migration: { ...passwordDatabase.migration, serviceAccountName: 'svc-schema-owner' },
      },
      ingress: {
        hostname: 'svc.example.com',
        wafAclName: 'svc-waf',
        allowedCidrs: ['198.51.100.0/24', '203.0.113.0/24'],
        tags: { zeta: 'last', alpha: 'first', mid: 'middle' },
      },
    }),
  );

  it('renders the database secrets, the migration and the Ingress, but no Pod Identity policy', () => {
    expect(names(objects)).toEqual([
      'ConfigMap svc-config',
      'Deployment svc',
      'ExternalSecret svc-database',
      'ExternalSecret svc-migrate-database',
      'HorizontalPodAutoscaler svc',
      'Ingress svc',
      'Job svc-migrate',
      'NetworkPolicy svc-allow-alb-http',
      'NetworkPolicy svc-allow-database-egress',
      'NetworkPolicy svc-allow-https-egress',
      'NetworkPolicy svc-allow-prometheus-metrics',
      'PodDisruptionBudget svc',
      'Service svc',
      'Service svc-metrics',
      'ServiceAccount svc-runtime',
      'ServiceAccount svc-schema-owner',
      'ServiceMonitor svc',
    ]);
  });

  it("the service's URL carries its password, under the configured variable and sslmode", () => {
    const target = the(objects, 'ExternalSecret', 'svc-database').spec.target;
    expect(target.template.data).toEqual({
      PG_URL:
        'postgresql://{{ .username | urlquery }}:{{ .password | urlquery }}@{{ .host }}:{{ .port }}/{{ .dbname }}?sslmode=require',
    });
    expect(the(objects, 'ExternalSecret', 'svc-database').spec.dataFrom).toEqual([
      { extract: { key: 'svc/app' } },
    ]);
  });

  it("the migration's URL is the owner's, under the same variable", () => {
    const spec = the(objects, 'ExternalSecret', 'svc-migrate-database').spec;
    expect(spec.target.template.data).toEqual({
      PG_URL:
        'postgresql://{{ .username | urlquery }}:{{ .password | urlquery }}@{{ .host }}:{{ .port }}/{{ .dbname }}?sslmode=require',
    });
    expect(spec.dataFrom).toEqual([{ extract: { key: 'svc/owner' } }]);
  });

  it('the API pods get their URL from their own secret and authenticate with the password', () => {
    const pod = the(objects, 'Deployment', 'svc').spec.template.spec;
    expect(pod.serviceAccountName).toBe('svc-runtime');
    expect(pod.containers[0].env).toEqual([
      { name: 'PG_URL', valueFrom: { secretKeyRef: { name: 'svc-database', key: 'PG_URL' } } },
      { name: 'DATABASE_AUTH', value: 'password' },
    ]);
  });

  it("the migration Job runs the migration command with the owner's URL under its own account", () => {
    const pod = the(objects, 'Job', 'svc-migrate').spec.template.spec;
    expect(pod.serviceAccountName).toBe('svc-schema-owner');
    expect(pod.containers[0].command).toEqual(['node', 'migrate.js']);
    expect(pod.containers[0].env).toEqual([
      { name: 'PG_URL', valueFrom: { secretKeyRef: { name: 'svc-migrate-database', key: 'PG_URL' } } },
      { name: 'DATABASE_AUTH', value: 'password' },
    ]);
    expect(pod.securityContext).toMatchObject({ runAsUser: 2000, runAsGroup: 2000, fsGroup: 2000 });
  });

  it('the database egress goes to the database subnets on the configured port, from every pod', () => {
    expect(the(objects, 'NetworkPolicy', 'svc-allow-database-egress').spec).toEqual({
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'svc' } },
      policyTypes: ['Egress'],
      egress: [
        {
          to: [{ ipBlock: { cidr: '10.0.64.0/24' } }, { ipBlock: { cidr: '10.0.65.0/24' } }],
          ports: [{ protocol: 'TCP', port: 6432 }],
        },
      ],
    });
  });

  it('HTTPS egress reaches the VPC endpoints and public addresses, never private or link-local ones', () => {
    expect(the(objects, 'NetworkPolicy', 'svc-allow-https-egress').spec.egress).toEqual([
      { to: [{ ipBlock: { cidr: '10.0.0.0/16' } }], ports: [{ protocol: 'TCP', port: 443 }] },
      {
        to: [
          {
            ipBlock: {
              cidr: '0.0.0.0/0',
              except: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16'],
            },
          },
        ],
        ports: [{ protocol: 'TCP', port: 443 }],
      },
    ]);
  });

  it('the ports, probes, shutdown and autoscaling follow the props', () => {
    const pod = the(objects, 'Deployment', 'svc').spec.template.spec;
    const container = pod.containers[0];
    expect(container.ports).toEqual([
      { name: 'http', containerPort: 3000, protocol: 'TCP' },
      { name: 'metrics', containerPort: 3001, protocol: 'TCP' },
    ]);
    expect(container.startupProbe.httpGet.path).toBe('/health/live');
    expect(container.livenessProbe.httpGet.path).toBe('/health/live');
    expect(container.readinessProbe.httpGet.path).toBe('/health/ready');
    expect(container.lifecycle).toEqual({ preStop: { sleep: { seconds: 3 } } });
    expect(pod.terminationGracePeriodSeconds).toBe(15);
    expect(the(objects, 'Service', 'svc').spec.ports).toEqual([
      { name: 'http', port: 3000, targetPort: 'http', protocol: 'TCP' },
    ]);
    expect(the(objects, 'Service', 'svc-metrics').spec.ports).toEqual([
      { name: 'metrics', port: 3001, targetPort: 'metrics', protocol: 'TCP' },
    ]);
    expect(the(objects, 'NetworkPolicy', 'svc-allow-alb-http').spec.ingress[0].ports).toEqual([
      { protocol: 'TCP', port: 3000 },
    ]);
    expect(the(objects, 'NetworkPolicy', 'svc-allow-prometheus-metrics').spec.ingress[0].ports).toEqual([
      { protocol: 'TCP', port: 3001 },
    ]);
    const hpa = the(objects, 'HorizontalPodAutoscaler', 'svc').spec;
    expect(hpa.metrics.map((m: Any) => m.resource.target.averageUtilization)).toEqual([50, 60]);
  });

  it('the Ingress admits only the allowed clients, checks readiness and drains for the drain time', () => {
    const annotations = the(objects, 'Ingress', 'svc').metadata.annotations;
    expect(annotations['alb.ingress.kubernetes.io/inbound-cidrs']).toBe('198.51.100.0/24,203.0.113.0/24');
    expect(annotations['alb.ingress.kubernetes.io/healthcheck-path']).toBe('/health/ready');
    expect(annotations['alb.ingress.kubernetes.io/wafv2-acl-name']).toBe('svc-waf');
    expect(annotations['alb.ingress.kubernetes.io/target-group-attributes']).toBe(
      'deregistration_delay.timeout_seconds=7',
    );
    expect(annotations['alb.ingress.kubernetes.io/tags']).toBe('alpha=first,mid=middle,zeta=last');
  });

  it('the Ingress routes its host to the HTTP port of the Service', () => {
    const spec = the(objects, 'Ingress', 'svc').spec;
    expect(spec.tls).toEqual([{ hosts: ['svc.example.com'] }]);
    expect(spec.rules).toEqual([
      {
        host: 'svc.example.com',
        http: {
          paths: [
            { path: '/', pathType: 'Prefix', backend: { service: { name: 'svc', port: { name: 'http' } } } },
          ],
        },
      },
    ]);
  });
});

describe('database defaults', () => {
  const objects = render(
    baseProps({
      database: {
        secretName: 'svc/app',
        cidrs: ['10.0.64.0/24'],
        migration: { command: ['migrate'], secretName: 'svc/owner' },
      },
    }),
  );

  it('password auth, DATABASE_URL and verify-full by default', () => {
    expect(the(objects, 'ExternalSecret', 'svc-database').spec.target.template.data).toEqual({
      DATABASE_URL:
        'postgresql://{{ .username | urlquery }}:{{ .password | urlquery }}@{{ .host }}:{{ .port }}/{{ .dbname }}?sslmode=verify-full',
    });
    expect(the(objects, 'Deployment', 'svc').spec.template.spec.containers[0].env).toEqual([
      { name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'svc-database', key: 'DATABASE_URL' } } },
      { name: 'DATABASE_AUTH', value: 'password' },
    ]);
  });

  it('PostgreSQL port 5432 by default', () => {
    expect(the(objects, 'NetworkPolicy', 'svc-allow-database-egress').spec.egress[0].ports).toEqual([
      { protocol: 'TCP', port: 5432 },
    ]);
  });

  it("the migration's service account is '<name>-migrate' by default", () => {
    the(objects, 'ServiceAccount', 'svc-migrate');
    expect(the(objects, 'Job', 'svc-migrate').spec.template.spec.serviceAccountName).toBe('svc-migrate');
  });
});

describe('IAM database auth with Pod Identity, without a migration', () => {
  const objects = render(
    baseProps({
      podIdentity: true,
      environment: { AWS_REGION: 'eu-west-1' },
      database: { secretName: 'svc/app', cidrs: ['10.0.64.0/24'], auth: 'iam' },
    }),
  );

  it('renders one ExternalSecret and no migration Job or account', () => {
    expect(names(objects).filter((n) => /^(ExternalSecret|Job|ServiceAccount) /.test(n))).toEqual([
      'ExternalSecret svc-database',
      'ServiceAccount svc',
    ]);
  });

  it('the URL carries only the user, with verify-full', () => {
    expect(the(objects, 'ExternalSecret', 'svc-database').spec.target.template.data).toEqual({
      DATABASE_URL:
        'postgresql://{{ .username | urlquery }}@{{ .host }}:{{ .port }}/{{ .dbname }}?sslmode=verify-full',
    });
    expect(the(objects, 'Deployment', 'svc').spec.template.spec.containers[0].env).toContainEqual({
      name: 'DATABASE_AUTH',
      value: 'iam',
    });
  });

  it('the API pods may reach the Pod Identity agent', () => {
    expect(the(objects, 'NetworkPolicy', 'svc-allow-pod-identity-agent').spec).toEqual({
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'svc', 'app.kubernetes.io/component': 'api' } },
      policyTypes: ['Egress'],
      egress: [{ to: [{ ipBlock: { cidr: '169.254.170.23/32' } }], ports: [{ protocol: 'TCP', port: 80 }] }],
    });
  });
});

describe('an Ingress open to the internet', () => {
  const objects = render(
    baseProps({
      ingress: {
        hostname: 'svc.example.com',
        wafAclName: 'svc-waf',
        allowedCidrs: [],
        tags: { only: 'one' },
      },
    }),
  );

  it('has no inbound-cidrs annotation', () => {
    const annotations = the(objects, 'Ingress', 'svc').metadata.annotations;
    expect(Object.keys(annotations)).not.toContain('alb.ingress.kubernetes.io/inbound-cidrs');
    expect(annotations['alb.ingress.kubernetes.io/tags']).toBe('only=one');
  });
});

describe('the ConfigMap checksum', () => {
  const checksumOf = (environment: Record<string, string>) =>
    the(render(baseProps({ environment })), 'Deployment', 'svc').spec.template.metadata.annotations[
      'checksum/config'
    ];

  it('does not depend on the order the settings are written in', () => {
    expect(checksumOf({ A: '1', B: '2' })).toBe(checksumOf({ B: '2', A: '1' }));
  });

  it('changes with any value', () => {
    expect(checksumOf({ A: '1', B: '2' })).not.toBe(checksumOf({ A: '1', B: '3' }));
  });
});

describe('WorkloadNamespace', () => {
  function renderNamespace(services: readonly WebServiceProps[]): ManifestObject[] {
    const chart = new Chart(new App(), 'test', { disableResourceNameHashes: true });
    new WorkloadNamespace(chart, 'team', {
      name: 'team',
      partOf: 'shop',
      services: services.map((s) => resolveWebServiceProps(s)),
    });
    return chart.toJson() as ManifestObject[];
  }

  it('renders the namespace, its quota, container defaults, default deny and DNS', () => {
    expect(names(renderNamespace([baseProps()]))).toEqual([
      'LimitRange container-defaults',
      'Namespace team',
      'NetworkPolicy allow-dns-egress',
      'NetworkPolicy default-deny',
      'ResourceQuota compute',
    ]);
  });

  it('sizes the quota for every service at HPA max, mid-rollout, with its migration Job', () => {
    const objects = renderNamespace([
      // 5 + 2 surge = 7 pods
      baseProps(),
      // 12 + 3 surge + 1 migration = 16 pods
      baseProps({
        name: 'other',
        replicas: { min: 3, max: 12 },
        resources: {
          cpuRequestMillis: 250,
          cpuLimitMillis: 1000,
          memoryRequestMiB: 300,
          memoryLimitMiB: 600,
        },
        database: {
          secretName: 'other/app',
          cidrs: ['10.0.64.0/24'],
          migration: { command: ['m'], secretName: 'o' },
        },
      }),
    ]);
    expect(the(objects, 'ResourceQuota', 'compute').spec.hard).toEqual({
      pods: '23',
      // 7 × 100 + 16 × 250, 7 × 200 + 16 × 1000, 7 × 128 + 16 × 300, 7 × 256 + 16 × 600
      'requests.cpu': '4700m',
      'limits.cpu': '17400m',
      'requests.memory': '5696Mi',
      'limits.memory': '11392Mi',
      'services.loadbalancers': '0',
      'services.nodeports': '0',
    });
    expect(the(objects, 'LimitRange', 'container-defaults').spec.limits[0].max).toEqual({
      cpu: '1000m',
      memory: '600Mi',
    });
  });

  it('the largest container limit is never below the defaults it hands out', () => {
    const objects = renderNamespace([
      baseProps({
        resources: { cpuRequestMillis: 50, cpuLimitMillis: 100, memoryRequestMiB: 64, memoryLimitMiB: 128 },
      }),
    ]);
    expect(the(objects, 'LimitRange', 'container-defaults').spec.limits).toEqual([
      {
        type: 'Container',
        defaultRequest: { cpu: '100m', memory: '128Mi' },
        default: { cpu: '500m', memory: '256Mi' },
        max: { cpu: '500m', memory: '256Mi' },
      },
    ]);
    expect(the(objects, 'ResourceQuota', 'compute').spec.hard).toMatchObject({
      pods: '7',
      'requests.cpu': '350m',
      'limits.cpu': '700m',
      'requests.memory': '448Mi',
      'limits.memory': '896Mi',
    });
  });

  it('an empty namespace gets a zero quota', () => {
    expect(the(renderNamespace([]), 'ResourceQuota', 'compute').spec.hard).toMatchObject({
      pods: '0',
      'requests.cpu': '0m',
      'limits.cpu': '0m',
      'requests.memory': '0Mi',
      'limits.memory': '0Mi',
    });
  });

  it('every guardrail is labelled for the system and synced before the workloads', () => {
    for (const o of renderNamespace([baseProps()]).filter((x) => x.kind !== 'Namespace')) {
      expect(o.metadata, `${o.kind} ${o.metadata.name}`).toEqual({
        name: o.metadata.name,
        namespace: 'team',
        labels: { 'app.kubernetes.io/part-of': 'shop', 'app.kubernetes.io/managed-by': 'cdk8s' },
        annotations: { 'argocd.argoproj.io/sync-wave': '-2' },
      });
    }
  });
});
