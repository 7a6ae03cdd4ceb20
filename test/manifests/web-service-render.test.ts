import { createHash } from 'node:crypto';
import { App, Chart } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { WorkloadNamespace } from '../../charts/lib/namespace/workload-namespace.js';
import { resolveWebServiceProps, type WebServiceProps } from '../../charts/lib/web-service/props.js';
import { WebService } from '../../charts/lib/web-service/web-service.js';
import { labelKey } from '../../platform/config/labels.js';
import type { ManifestObject } from './rendered.js';

/** The key every NetworkPolicy's reason is annotated under: the organisation's domain, then /purpose. */
const purpose = labelKey('purpose');

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

describe('an Ingress in an IngressGroup, with its own paths and paths on a shared host', () => {
  const objects = render(
    baseProps({
      ingress: {
        hostname: 'api.example.com',
        wafAclName: 'svc-waf',
        allowedCidrs: [],
        tags: { only: 'one' },
        paths: [{ path: '/v1', pathType: 'Prefix' }],
        sharedHosts: [{ hostname: 'app.example.com', paths: [{ path: '/openapi.json', pathType: 'Exact' }] }],
        group: { name: 'public', order: 7 },
      },
    }),
  );

  it('names the group and its place in the rule order', () => {
    const annotations = the(objects, 'Ingress', 'svc').metadata.annotations;
    expect(annotations['alb.ingress.kubernetes.io/group.name']).toBe('public');
    expect(annotations['alb.ingress.kubernetes.io/group.order']).toBe('7');
  });

  it('routes exactly the listed paths of each host, and lists every host for TLS', () => {
    const spec = the(objects, 'Ingress', 'svc').spec;
    const backend = { service: { name: 'svc', port: { name: 'http' } } };
    expect(spec.rules).toEqual([
      { host: 'api.example.com', http: { paths: [{ path: '/v1', pathType: 'Prefix', backend }] } },
      { host: 'app.example.com', http: { paths: [{ path: '/openapi.json', pathType: 'Exact', backend }] } },
    ]);
    expect(spec.tls).toEqual([{ hosts: ['api.example.com', 'app.example.com'] }]);
  });
});

describe('an Ingress of its own (no group)', () => {
  const objects = render(
    baseProps({
      ingress: { hostname: 'svc.example.com', wafAclName: 'w', allowedCidrs: [], tags: { a: 'b' } },
    }),
  );

  it('has no group annotations and routes the whole host', () => {
    const ing = the(objects, 'Ingress', 'svc');
    expect(Object.keys(ing.metadata.annotations).filter((k) => k.includes('group.'))).toEqual([]);
    expect(ing.spec.rules).toEqual([
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

describe('a WebService that opens no TLS connection and brings no command', () => {
  const { command: _dropped, ...withoutCommand } = baseProps();
  const objects = render({ ...withoutCommand, vpcHttpsEgress: false, internetHttpsEgress: false });

  it('renders no HTTPS egress policy at all', () => {
    expect(names(objects).filter((n) => n.startsWith('NetworkPolicy'))).toEqual([
      'NetworkPolicy svc-allow-alb-http',
      'NetworkPolicy svc-allow-prometheus-metrics',
    ]);
  });

  it("leaves the container's command to the image", () => {
    const container = the(objects, 'Deployment', 'svc').spec.template.spec.containers[0];
    expect(Object.keys(container)).not.toContain('command');
  });
});

describe('a WebService reaching public HTTPS but no VPC endpoint', () => {
  const objects = render(baseProps({ vpcHttpsEgress: false, internetHttpsEgress: true }));

  it('allows only public addresses on 443', () => {
    expect(the(objects, 'NetworkPolicy', 'svc-allow-https-egress').spec.egress).toEqual([
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

// The settings a reviewer signs off, written out in full for one service with a database, a
// migration and an Ingress: Pod Security "restricted" for every container, the scheduling spread,
// the rollout and autoscaling behaviour, the ALB and the scrape. A change to any of them fails here.
describe('every WebService, written out', () => {
  const objects = render(
    baseProps({
      environment: { A: 'one' },
      loadBalancerCidrs: ['10.0.1.0/24'],
      database: { secretName: 'svc/app', cidrs: ['10.0.64.0/24'], migration: passwordDatabase.migration },
      ingress: {
        hostname: 'svc.example.com',
        wafAclName: 'svc-waf',
        allowedCidrs: [],
        tags: { only: 'one' },
      },
    }),
  );
  const labels = (component?: string) => ({
    ...(component ? { 'app.kubernetes.io/component': component } : {}),
    'app.kubernetes.io/managed-by': 'cdk8s',
    'app.kubernetes.io/name': 'svc',
    'app.kubernetes.io/part-of': 'shop',
  });
  const selector = (component: string) => ({
    'app.kubernetes.io/component': component,
    'app.kubernetes.io/name': 'svc',
  });
  const restricted = {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    privileged: false,
    readOnlyRootFilesystem: true,
    runAsGroup: 10001,
    runAsNonRoot: true,
    runAsUser: 10001,
    seccompProfile: { type: 'RuntimeDefault' },
  };
  const podSecurity = {
    fsGroup: 10001,
    runAsGroup: 10001,
    runAsNonRoot: true,
    runAsUser: 10001,
    seccompProfile: { type: 'RuntimeDefault' },
  };
  const resources = {
    limits: { cpu: '200m', 'ephemeral-storage': '256Mi', memory: '256Mi' },
    requests: { cpu: '100m', 'ephemeral-storage': '64Mi', memory: '128Mi' },
  };
  const tmp = {
    volumes: [{ emptyDir: { medium: 'Memory', sizeLimit: '32Mi' }, name: 'tmp' }],
    volumeMounts: [{ mountPath: '/tmp', name: 'tmp' }],
  };
  const databaseEnv = (secret: string) => [
    { name: 'DATABASE_URL', valueFrom: { secretKeyRef: { key: 'DATABASE_URL', name: secret } } },
    { name: 'DATABASE_AUTH', value: 'password' },
  ];

  it('service accounts mount no token', () => {
    for (const name of ['svc', 'svc-migrate']) {
      expect(the(objects, 'ServiceAccount', name)).toMatchObject({
        metadata: { annotations: { 'argocd.argoproj.io/sync-wave': '-1' }, labels: labels() },
        automountServiceAccountToken: false,
      });
    }
  });

  it('the migration runs once per sync, before the rollout, as a restricted pod', () => {
    const job = the(objects, 'Job', 'svc-migrate');
    expect(job.metadata.labels).toEqual(labels('migration'));
    expect(job.metadata.annotations).toMatchObject({
      'argocd.argoproj.io/hook': 'Sync',
      'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation',
      'argocd.argoproj.io/sync-wave': '0',
    });
    expect(job.spec).toEqual({
      activeDeadlineSeconds: 600,
      backoffLimit: 2,
      template: {
        metadata: { labels: labels('migration') },
        spec: {
          automountServiceAccountToken: false,
          containers: [
            {
              command: ['node', 'migrate.js'],
              env: databaseEnv('svc-migrate-database'),
              envFrom: [{ configMapRef: { name: 'svc-config' } }],
              image: 'registry.example/svc:1.0.0',
              imagePullPolicy: 'IfNotPresent',
              name: 'migrate',
              resources,
              securityContext: restricted,
              volumeMounts: tmp.volumeMounts,
            },
          ],
          enableServiceLinks: false,
          restartPolicy: 'Never',
          securityContext: podSecurity,
          serviceAccountName: 'svc-migrate',
          volumes: tmp.volumes,
        },
      },
    });
  });

  it('the API pods: restricted, spread over zones and hosts, probed, with a writable /tmp in memory', () => {
    const deployment = the(objects, 'Deployment', 'svc');
    expect(deployment.metadata.labels).toEqual(labels('api'));
    expect(deployment.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('1');
    const { template, ...spec } = deployment.spec;
    expect(spec).toEqual({
      minReadySeconds: 5,
      progressDeadlineSeconds: 600,
      revisionHistoryLimit: 5,
      selector: { matchLabels: selector('api') },
      strategy: { rollingUpdate: { maxSurge: 2, maxUnavailable: 0 }, type: 'RollingUpdate' },
    });
    expect(template.metadata.labels).toEqual(labels('api'));
    const spread = (topologyKey: string, whenUnsatisfiable: string) => ({
      labelSelector: { matchLabels: selector('api') },
      matchLabelKeys: ['pod-template-hash'],
      maxSkew: 1,
      // Nodes the pods cannot tolerate do not count as places to spread to.
      nodeTaintsPolicy: 'Honor',
      topologyKey,
      whenUnsatisfiable,
    });
    expect(template.spec).toEqual({
      affinity: {
        podAntiAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            {
              podAffinityTerm: {
                labelSelector: { matchLabels: selector('api') },
                topologyKey: 'kubernetes.io/hostname',
              },
              weight: 100,
            },
          ],
        },
      },
      automountServiceAccountToken: false,
      containers: [
        {
          command: ['node', 'main.js'],
          env: databaseEnv('svc-database'),
          envFrom: [{ configMapRef: { name: 'svc-config' } }],
          image: 'registry.example/svc:1.0.0',
          imagePullPolicy: 'IfNotPresent',
          lifecycle: { preStop: { sleep: { seconds: 10 } } },
          livenessProbe: {
            failureThreshold: 3,
            httpGet: { path: '/livez', port: 'http' },
            periodSeconds: 10,
            timeoutSeconds: 2,
          },
          name: 'svc',
          ports: [
            { containerPort: 8080, name: 'http', protocol: 'TCP' },
            { containerPort: 9464, name: 'metrics', protocol: 'TCP' },
          ],
          readinessProbe: {
            failureThreshold: 2,
            httpGet: { path: '/readyz', port: 'http' },
            periodSeconds: 5,
            successThreshold: 1,
            timeoutSeconds: 2,
          },
          resources,
          securityContext: restricted,
          startupProbe: {
            failureThreshold: 30,
            httpGet: { path: '/livez', port: 'http' },
            periodSeconds: 2,
            timeoutSeconds: 2,
          },
          volumeMounts: tmp.volumeMounts,
        },
      ],
      enableServiceLinks: false,
      securityContext: podSecurity,
      serviceAccountName: 'svc',
      terminationGracePeriodSeconds: 40,
      topologySpreadConstraints: [
        spread('topology.kubernetes.io/zone', 'DoNotSchedule'),
        spread('kubernetes.io/hostname', 'ScheduleAnyway'),
      ],
      volumes: tmp.volumes,
    });
  });

  it('the Services: the API port, and a headless one for the scrape', () => {
    expect(the(objects, 'Service', 'svc')).toMatchObject({
      metadata: { labels: labels('api'), annotations: { 'argocd.argoproj.io/sync-wave': '1' } },
      spec: {
        ports: [{ name: 'http', port: 8080, protocol: 'TCP', targetPort: 'http' }],
        selector: selector('api'),
        type: 'ClusterIP',
      },
    });
    expect(the(objects, 'Service', 'svc-metrics')).toMatchObject({
      metadata: { labels: labels('metrics') },
      spec: {
        clusterIP: 'None',
        ports: [{ name: 'metrics', port: 9464, protocol: 'TCP', targetPort: 'metrics' }],
        selector: selector('api'),
      },
    });
  });

  it('the ALB: internet-facing, TLS 1.3 policy, HTTPS redirect, readiness health checks, no invalid headers', () => {
    const ingress = the(objects, 'Ingress', 'svc');
    expect(ingress.metadata.labels).toEqual(labels('api'));
    expect(ingress.metadata.annotations).toEqual({
      'alb.ingress.kubernetes.io/backend-protocol': 'HTTP',
      'alb.ingress.kubernetes.io/healthcheck-interval-seconds': '10',
      'alb.ingress.kubernetes.io/healthcheck-path': '/readyz',
      'alb.ingress.kubernetes.io/healthcheck-port': 'traffic-port',
      'alb.ingress.kubernetes.io/healthy-threshold-count': '2',
      'alb.ingress.kubernetes.io/listen-ports': '[{"HTTP":80},{"HTTPS":443}]',
      'alb.ingress.kubernetes.io/load-balancer-attributes':
        'idle_timeout.timeout_seconds=60,routing.http.drop_invalid_header_fields.enabled=true',
      'alb.ingress.kubernetes.io/scheme': 'internet-facing',
      'alb.ingress.kubernetes.io/ssl-policy': 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      'alb.ingress.kubernetes.io/ssl-redirect': '443',
      'alb.ingress.kubernetes.io/success-codes': '200',
      'alb.ingress.kubernetes.io/tags': 'only=one',
      'alb.ingress.kubernetes.io/target-group-attributes': 'deregistration_delay.timeout_seconds=25',
      'alb.ingress.kubernetes.io/target-type': 'ip',
      'alb.ingress.kubernetes.io/unhealthy-threshold-count': '2',
      'alb.ingress.kubernetes.io/wafv2-acl-name': 'svc-waf',
      'argocd.argoproj.io/sync-wave': '1',
    });
    expect(ingress.spec.ingressClassName).toBe('alb');
  });

  it('the HPA scales up fast and down slowly; the PDB keeps a majority', () => {
    const hpa = the(objects, 'HorizontalPodAutoscaler', 'svc');
    expect(hpa.metadata.labels).toEqual(labels('api'));
    expect(hpa.spec).toEqual({
      behavior: {
        scaleDown: {
          policies: [
            { periodSeconds: 60, type: 'Percent', value: 25 },
            { periodSeconds: 60, type: 'Pods', value: 1 },
          ],
          selectPolicy: 'Min',
          stabilizationWindowSeconds: 300,
        },
        scaleUp: {
          policies: [
            { periodSeconds: 60, type: 'Percent', value: 100 },
            { periodSeconds: 60, type: 'Pods', value: 2 },
          ],
          selectPolicy: 'Max',
          stabilizationWindowSeconds: 0,
        },
      },
      maxReplicas: 5,
      metrics: [
        {
          resource: { name: 'cpu', target: { averageUtilization: 70, type: 'Utilization' } },
          type: 'Resource',
        },
        {
          resource: { name: 'memory', target: { averageUtilization: 80, type: 'Utilization' } },
          type: 'Resource',
        },
      ],
      minReplicas: 2,
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'svc' },
    });
    const pdb = the(objects, 'PodDisruptionBudget', 'svc');
    expect(pdb.metadata.labels).toEqual(labels('api'));
    expect(pdb.spec).toEqual({
      minAvailable: '51%',
      selector: { matchLabels: selector('api') },
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
    });
  });

  it('the ServiceMonitor scrapes the metrics Service every 30 s, found by the operator through its release label', () => {
    const monitor = the(objects, 'ServiceMonitor', 'svc');
    expect(monitor.metadata).toMatchObject({
      annotations: { 'argocd.argoproj.io/sync-wave': '2' },
      labels: { ...labels(), release: 'kube-prometheus-stack' },
    });
    expect(monitor.spec).toEqual({
      endpoints: [
        { interval: '30s', path: '/metrics', port: 'metrics', scheme: 'http', scrapeTimeout: '10s' },
      ],
      jobLabel: 'app.kubernetes.io/name',
      namespaceSelector: { matchNames: ['team'] },
      selector: { matchLabels: selector('metrics') },
    });
  });

  it('the database secrets refresh hourly from the cluster store and outlive their ExternalSecret', () => {
    for (const [name, key] of [
      ['svc-database', 'svc/app'],
      ['svc-migrate-database', 'svc/owner'],
    ] as const) {
      expect(the(objects, 'ExternalSecret', name).spec).toEqual({
        dataFrom: [{ extract: { key } }],
        refreshInterval: '1h',
        secretStoreRef: { kind: 'ClusterSecretStore', name: 'aws-secrets-manager' },
        target: {
          creationPolicy: 'Owner',
          deletionPolicy: 'Retain',
          name,
          template: {
            data: {
              DATABASE_URL:
                'postgresql://{{ .username | urlquery }}:{{ .password | urlquery }}@{{ .host }}:{{ .port }}/{{ .dbname }}?sslmode=verify-full',
            },
            engineVersion: 'v2',
            type: 'Opaque',
          },
        },
      });
    }
  });

  it('every NetworkPolicy says why it exists, and Prometheus is matched by namespace and pod', () => {
    expect(
      objects.filter((o) => o.kind === 'NetworkPolicy').map((o) => [o.metadata.name, o.metadata.annotations]),
    ).toEqual([
      [
        'svc-allow-alb-http',
        {
          'argocd.argoproj.io/sync-wave': '-2',
          [purpose]: 'the ALB (ip targets, in the public subnets) reaches the API port; no pod does',
        },
      ],
      [
        'svc-allow-prometheus-metrics',
        {
          'argocd.argoproj.io/sync-wave': '-2',
          [purpose]: 'Prometheus in the monitoring namespace scrapes the metrics port',
        },
      ],
      [
        'svc-allow-database-egress',
        {
          'argocd.argoproj.io/sync-wave': '-2',
          [purpose]: 'the API and its migration Job reach PostgreSQL',
        },
      ],
      [
        'svc-allow-https-egress',
        {
          'argocd.argoproj.io/sync-wave': '-2',
          [purpose]: 'AWS endpoints and the OIDC issuer (JWKS) over TLS; never instance metadata',
        },
      ],
    ]);
    expect(the(objects, 'NetworkPolicy', 'svc-allow-prometheus-metrics').spec).toEqual({
      ingress: [
        {
          from: [
            {
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
              podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } },
            },
          ],
          ports: [{ port: 9464, protocol: 'TCP' }],
        },
      ],
      podSelector: { matchLabels: selector('api') },
      policyTypes: ['Ingress'],
    });
  });
});

describe('a WorkloadNamespace, written out', () => {
  const chart = new Chart(new App(), 'test', { disableResourceNameHashes: true });
  new WorkloadNamespace(chart, 'team', {
    name: 'team',
    partOf: 'shop',
    services: [resolveWebServiceProps(baseProps())],
  });
  const objects = chart.toJson() as ManifestObject[];
  const labels = { 'app.kubernetes.io/managed-by': 'cdk8s', 'app.kubernetes.io/part-of': 'shop' };

  it('enforces, audits and warns on Pod Security "restricted", and injects ALB readiness gates', () => {
    expect(the(objects, 'Namespace', 'team').metadata).toEqual({
      name: 'team',
      annotations: { 'argocd.argoproj.io/sync-wave': '-3' },
      labels: {
        ...labels,
        'elbv2.k8s.aws/pod-readiness-gate-inject': 'enabled',
        'pod-security.kubernetes.io/audit': 'restricted',
        'pod-security.kubernetes.io/audit-version': 'latest',
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/enforce-version': 'latest',
        'pod-security.kubernetes.io/warn': 'restricted',
        'pod-security.kubernetes.io/warn-version': 'latest',
      },
    });
  });

  it('denies all traffic, then lets every pod reach kube-dns over UDP and TCP, and nothing else', () => {
    expect(the(objects, 'NetworkPolicy', 'default-deny')).toMatchObject({
      metadata: { namespace: 'team', labels, annotations: { 'argocd.argoproj.io/sync-wave': '-2' } },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    });
    expect(the(objects, 'NetworkPolicy', 'allow-dns-egress').spec).toEqual({
      egress: [
        {
          ports: [
            { port: 53, protocol: 'UDP' },
            { port: 53, protocol: 'TCP' },
          ],
          to: [
            {
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
              podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
            },
          ],
        },
      ],
      podSelector: {},
      policyTypes: ['Egress'],
    });
  });
});

describe('IAM database auth with a migration', () => {
  const objects = render(
    baseProps({
      podIdentity: true,
      environment: { AWS_REGION: 'eu-west-1' },
      database: {
        secretName: 'svc/app',
        cidrs: ['10.0.64.0/24'],
        auth: 'iam',
        migration: passwordDatabase.migration,
      },
    }),
  );
  const authOf = (kind: string, name: string) =>
    the(objects, kind, name).spec.template.spec.containers[0].env.find(
      (e: Any) => e.name === 'DATABASE_AUTH',
    );

  it('the API signs IAM tokens; the migration logs in as the owner with its password', () => {
    expect(authOf('Deployment', 'svc')).toEqual({ name: 'DATABASE_AUTH', value: 'iam' });
    expect(authOf('Job', 'svc-migrate')).toEqual({ name: 'DATABASE_AUTH', value: 'password' });
  });

  it('the Pod Identity policy says why it exists', () => {
    expect(the(objects, 'NetworkPolicy', 'svc-allow-pod-identity-agent').metadata.annotations).toEqual({
      'argocd.argoproj.io/sync-wave': '-2',
      [purpose]: expect.stringMatching(
        /^the API pods fetch their role credentials from the node-local EKS Pod Identity/,
      ),
    });
  });
});

describe('a WebService with a priority class', () => {
  const objects = render(
    baseProps({ priorityClassName: 'bank-workload-critical', database: passwordDatabase }),
  );

  it('the API pods and the migration run under it; without one, neither names a class', () => {
    expect(the(objects, 'Deployment', 'svc').spec.template.spec.priorityClassName).toBe(
      'bank-workload-critical',
    );
    expect(the(objects, 'Job', 'svc-migrate').spec.template.spec.priorityClassName).toBe(
      'bank-workload-critical',
    );
    const plain = render(baseProps({ database: passwordDatabase }));
    expect(Object.keys(the(plain, 'Deployment', 'svc').spec.template.spec)).not.toContain(
      'priorityClassName',
    );
    expect(Object.keys(the(plain, 'Job', 'svc-migrate').spec.template.spec)).not.toContain(
      'priorityClassName',
    );
  });

  it('the migration pod and container carry its own labels and the configuration', () => {
    const job = the(objects, 'Job', 'svc-migrate').spec.template;
    expect(job.metadata.labels).toEqual({
      'app.kubernetes.io/component': 'migration',
      'app.kubernetes.io/managed-by': 'cdk8s',
      'app.kubernetes.io/name': 'svc',
      'app.kubernetes.io/part-of': 'shop',
    });
    expect(job.spec.containers[0].envFrom).toEqual([{ configMapRef: { name: 'svc-config' } }]);
  });
});
