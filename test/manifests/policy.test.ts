import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseImageReference } from '../../charts/lib/image.js';
import { addOnNamespaceBudget } from '../../platform/config/add-on-budgets.js';
import {
  ADD_ON_NAMESPACES,
  BANK_API,
  BANK_WEB,
  PUBLIC_INGRESS_GROUP,
  WORKLOAD_PRIORITY_CLASS,
} from '../../platform/config/workloads.js';

const MONITORING_NAMESPACE = ADD_ON_NAMESPACES.monitoring;

import {
  id,
  ofKind,
  podControllers,
  podTemplates,
  type RenderedObject,
  renderAll,
  rowsOf,
} from './rendered.js';

// Policy over everything rendered, the way an admission policy would see it: Pod Security
// "restricted", default-deny networking, availability and pinning rules.

const { objects, environments } = renderAll();
const repoRoot = join(import.meta.dirname, '..', '..');
const templates = podTemplates(objects);

// biome-ignore lint/suspicious/noExplicitAny: rendered YAML is untyped.
type Any = any;

const containersOf = (podSpec: Any): Any[] => [
  ...(podSpec.initContainers ?? []),
  ...(podSpec.containers ?? []),
  ...(podSpec.ephemeralContainers ?? []),
];

const matches = (selector: Record<string, string>, labels: Record<string, string> = {}) =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

const sameNamespace = (a: RenderedObject, b: RenderedObject) =>
  a.env.name === b.env.name && a.object.metadata.namespace === b.object.metadata.namespace;

/** The environment config of the service an object belongs to (by its app.kubernetes.io/name). */
function serviceConfig(o: RenderedObject) {
  const name = o.object.metadata.labels?.['app.kubernetes.io/name'];
  if (name === BANK_API.name) return o.env.bankApi;
  if (name === BANK_WEB.name) return o.env.bankWeb;
  throw new Error(`${id(o)} belongs to no known service (app.kubernetes.io/name '${name}')`);
}

describe('Pod Security "restricted" for every pod template', () => {
  const allowedVolumes = [
    'configMap',
    'csi',
    'downwardAPI',
    'emptyDir',
    'ephemeral',
    'persistentVolumeClaim',
    'projected',
    'secret',
  ];
  it.each(rowsOf(templates, 'pod templates').map((t) => [id(t.owner), t] as const))(
    '%s',
    (_n, { template }) => {
      const pod = template.spec;
      expect(pod.hostNetwork ?? false).toBe(false);
      expect(pod.hostPID ?? false).toBe(false);
      expect(pod.hostIPC ?? false).toBe(false);
      for (const volume of pod.volumes ?? []) {
        const kinds = Object.keys(volume).filter((k) => k !== 'name');
        expect(
          kinds.every((k) => allowedVolumes.includes(k)),
          `volume ${volume.name} uses ${kinds}`,
        ).toBe(true);
      }
      for (const c of containersOf(pod)) {
        const sc = c.securityContext ?? {};
        const where = `container ${c.name}`;
        expect(sc.privileged ?? false, where).toBe(false);
        expect(sc.allowPrivilegeEscalation, where).toBe(false);
        expect(sc.capabilities?.drop ?? [], where).toContain('ALL');
        expect(
          (sc.capabilities?.add ?? []).every((cap: string) => cap === 'NET_BIND_SERVICE'),
          where,
        ).toBe(true);
        expect(sc.runAsNonRoot ?? pod.securityContext?.runAsNonRoot, where).toBe(true);
        const user = sc.runAsUser ?? pod.securityContext?.runAsUser;
        expect(Number.isInteger(user) && user > 0, `${where} needs a numeric non-root user`).toBe(true);
        const seccomp = (sc.seccompProfile ?? pod.securityContext?.seccompProfile)?.type;
        expect(['RuntimeDefault', 'Localhost'], where).toContain(seccomp);
        expect(sc.readOnlyRootFilesystem, where).toBe(true);
        expect(
          (c.ports ?? []).every((p: Any) => p.hostPort === undefined),
          where,
        ).toBe(true);
      }
    },
  );
});

describe('namespaces', () => {
  const workloadNamespaces = [
    ...new Set(templates.map((t) => `${t.owner.env.name}/${t.owner.object.metadata.namespace}`)),
  ];
  it('every namespace with workloads is rendered with restricted Pod Security and a default deny', () => {
    expect(workloadNamespaces.length).toBeGreaterThan(0);
    for (const key of workloadNamespaces) {
      const [envName, ns] = key.split('/');
      const namespace = objects.find(
        (o) => o.env.name === envName && o.object.kind === 'Namespace' && o.object.metadata.name === ns,
      );
      expect(namespace, `Namespace ${key}`).toBeDefined();
      const labels = namespace?.object.metadata.labels ?? {};
      for (const mode of ['enforce', 'audit', 'warn'])
        expect(labels[`pod-security.kubernetes.io/${mode}`]).toBe('restricted');
      const denyAll = objects.find(
        (o) =>
          o.env.name === envName &&
          o.object.kind === 'NetworkPolicy' &&
          o.object.metadata.namespace === ns &&
          Object.keys(o.object.spec.podSelector ?? { x: 1 }).length === 0 &&
          ['Ingress', 'Egress'].every((t) => o.object.spec.policyTypes?.includes(t)) &&
          (o.object.spec.ingress ?? []).length === 0 &&
          (o.object.spec.egress ?? []).length === 0,
      );
      expect(denyAll, `default-deny NetworkPolicy in ${key}`).toBeDefined();
      for (const kind of ['ResourceQuota', 'LimitRange']) {
        expect(
          objects.some(
            (o) => o.env.name === envName && o.object.kind === kind && o.object.metadata.namespace === ns,
          ),
          kind,
        ).toBe(true);
      }
    }
  });
});

describe('add-on namespaces this repository syncs into but does not create', () => {
  // monitoring: Argo CD creates it for kube-prometheus-stack; its quota and container defaults come
  // from platform/config/add-on-budgets.ts (argocd and external-secrets: applied by the cluster stack).
  const rows = environments.map((env) => [env.name, env] as const);
  it.each(rowsOf(rows, 'environments'))(
    '%s: monitoring has the declared quota and container defaults',
    (_n, env) => {
      const budget = addOnNamespaceBudget(env, MONITORING_NAMESPACE);
      const inMonitoring = objects.filter(
        (o) => o.env.name === env.name && o.object.metadata.namespace === MONITORING_NAMESPACE,
      );
      const quotas = ofKind(inMonitoring, 'ResourceQuota');
      expect(quotas).toHaveLength(1);
      expect(quotas[0]?.object.spec.hard).toEqual({
        pods: String(budget.pods),
        'requests.cpu': `${budget.cpuRequestMillis}m`,
        'requests.memory': `${budget.memoryRequestMiB}Mi`,
        persistentvolumeclaims: String(budget.storage?.claims),
        'requests.storage': `${budget.storage?.gib}Gi`,
        'services.loadbalancers': '0',
        'services.nodeports': '0',
      });
      const limitRanges = ofKind(inMonitoring, 'LimitRange');
      expect(limitRanges).toHaveLength(1);
      expect(limitRanges[0]?.object.spec.limits).toEqual([
        { type: 'Container', defaultRequest: { cpu: '50m', memory: '64Mi' } },
      ]);
      // Before anything else of the workloads Application syncs.
      for (const o of [...quotas, ...limitRanges])
        expect(o.object.metadata.annotations?.['argocd.argoproj.io/sync-wave']).toBe('-2');
      // The namespace itself is not ours to render (Argo CD creates it with the monitoring Application).
      expect(ofKind(objects, 'Namespace').map((n) => n.object.metadata.name)).not.toContain(
        MONITORING_NAMESPACE,
      );
    },
  );
});

describe('scheduling priority', () => {
  const priorityClasses = ofKind(objects, 'PriorityClass');
  // Kubernetes' own classes: system-cluster-critical, system-node-critical. A user class may not
  // exceed 1,000,000,000, and ours must stay below both so the system add-ons always win.
  const SYSTEM_CLUSTER_CRITICAL = 2_000_000_000;

  it.each(rowsOf(templates, 'pod templates').map((t) => [id(t.owner), t] as const))(
    '%s runs at the workload PriorityClass, which the same environment renders',
    (_id, { owner, template }) => {
      expect(owner.object.metadata.namespace).toBe(BANK_API.namespace);
      expect(template.spec.priorityClassName).toBe(WORKLOAD_PRIORITY_CLASS.name);
      const rendered = priorityClasses.filter(
        (p) => p.env.name === owner.env.name && p.object.metadata.name === template.spec.priorityClassName,
      );
      expect(rendered).toHaveLength(1);
    },
  );

  it('covers the API pod controller, its migration Job and the web app in every environment', () => {
    for (const env of environments) {
      const owners = templates
        .filter((t) => t.owner.env.name === env.name && t.template.spec.priorityClassName !== undefined)
        .map((t) => `${t.owner.object.kind} ${t.owner.object.metadata.name}`)
        .sort();
      const api = env.bankApi.delivery.kind === 'canary' ? 'Rollout' : 'Deployment';
      expect(owners, env.name).toEqual(
        [`${api} bank-api`, 'Deployment bank-web', 'Job bank-api-migrate'].sort(),
      );
    }
  });

  it.each(rowsOf(priorityClasses, 'PriorityClasses').map((p) => [id(p), p] as const))(
    '%s preempts unclassed pods, never the system classes, and is no default',
    (_id, { object }) => {
      const value = object.value as number;
      expect(value).toBe(WORKLOAD_PRIORITY_CLASS.value);
      expect(value).toBeGreaterThan(0);
      expect(value).toBeLessThanOrEqual(1_000_000_000);
      expect(value).toBeLessThan(SYSTEM_CLUSTER_CRITICAL);
      expect(object.globalDefault).toBe(false);
      expect(object.preemptionPolicy).toBe('PreemptLowerPriority');
      // Created before any pod that names it (the namespaces' wave).
      expect(object.metadata.annotations?.['argocd.argoproj.io/sync-wave']).toBe('-3');
    },
  );
});

describe('Deployments and Rollouts', () => {
  const deployments = podControllers(objects);
  it('exist in every environment', () => {
    expect(new Set(deployments.map((d) => d.env.name))).toEqual(new Set(environments.map((e) => e.name)));
  });

  it.each(rowsOf(deployments, 'Deployments or Rollouts').map((d) => [id(d), d] as const))(
    '%s is production-ready',
    (_n, d) => {
      const spec = d.object.spec;
      const podLabels = spec.template.metadata.labels;
      const pod = spec.template.spec;
      for (const c of pod.containers) {
        for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe'])
          expect(c[probe], `${c.name}.${probe}`).toBeDefined();
        // Liveness must not share the readiness check (which includes the database).
        expect(c.livenessProbe.httpGet?.path).not.toBe(c.readinessProbe.httpGet?.path);
        for (const kind of ['requests', 'limits']) {
          expect(c.resources?.[kind]?.cpu, `${c.name} ${kind}.cpu`).toBeDefined();
          expect(c.resources?.[kind]?.memory, `${c.name} ${kind}.memory`).toBeDefined();
        }
        const preStop = c.lifecycle?.preStop?.sleep?.seconds ?? 0;
        expect(preStop, `${c.name} preStop pause`).toBeGreaterThan(0);
        expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(preStop);
      }

      const zoneSpread = (pod.topologySpreadConstraints ?? []).find(
        (t: Any) =>
          t.topologyKey === 'topology.kubernetes.io/zone' && matches(t.labelSelector.matchLabels, podLabels),
      );
      expect(zoneSpread, 'zone topology spread').toBeDefined();
      expect(
        (pod.topologySpreadConstraints ?? []).some((t: Any) => t.topologyKey === 'kubernetes.io/hostname'),
      ).toBe(true);

      const pdb = ofKind(objects, 'PodDisruptionBudget').find(
        (p) => sameNamespace(p, d) && matches(p.object.spec.selector.matchLabels, podLabels),
      );
      expect(pdb, 'PodDisruptionBudget').toBeDefined();
      expect(pdb?.object.spec.unhealthyPodEvictionPolicy).toBe('AlwaysAllow');

      const hpa = ofKind(objects, 'HorizontalPodAutoscaler').find(
        (h) =>
          sameNamespace(h, d) &&
          h.object.spec.scaleTargetRef.kind === d.object.kind &&
          h.object.spec.scaleTargetRef.apiVersion === d.object.apiVersion &&
          h.object.spec.scaleTargetRef.name === d.object.metadata.name,
      );
      const minReplicas = hpa?.object.spec.minReplicas ?? spec.replicas ?? 1;
      expect(minReplicas).toBeGreaterThanOrEqual(d.env.name === 'prod' ? 3 : 2);
      expect(minReplicas).toBe(serviceConfig(d).replicas.min);

      // A majority of the smallest replica count stays available during voluntary disruptions.
      const minAvailable = pdb?.object.spec.minAvailable;
      const kept =
        typeof minAvailable === 'string'
          ? Math.ceil((Number.parseFloat(minAvailable) / 100) * minReplicas)
          : minAvailable;
      expect(kept).toBeGreaterThan(minReplicas / 2);
    },
  );
});

describe('images, secrets and exposure', () => {
  it('every image is pinned (digest or immutable tag, never latest)', () => {
    for (const t of templates) {
      for (const c of containersOf(t.template.spec))
        expect(() => parseImageReference(c.image), `${id(t.owner)} ${c.name}`).not.toThrow();
    }
    expect(() => parseImageReference('registry.example/bank-api:latest')).toThrow(/latest/);
    expect(() => parseImageReference('registry.example/bank-api')).toThrow(/tag or a digest/);
  });

  it('no Secret objects are committed; credentials arrive through ExternalSecrets', () => {
    expect(ofKind(objects, 'Secret')).toEqual([]);
    const external = ofKind(objects, 'ExternalSecret');
    expect(external.length).toBeGreaterThan(0);
    for (const e of external)
      expect(e.object.spec.secretStoreRef).toEqual({
        kind: 'ClusterSecretStore',
        name: 'aws-secrets-manager',
      });
  });

  it('one Ingress per public service and environment', () => {
    expect(
      ofKind(objects, 'Ingress')
        .map((i) => `${i.env.name}/${i.object.metadata.name}`)
        .sort(),
    ).toEqual(environments.flatMap((e) => [`${e.name}/bank-api`, `${e.name}/bank-web`]).sort());
  });

  // The AWS Load Balancer Controller merges an IngressGroup into one ALB only when every member agrees
  // on the load balancer's own settings (an "Exclusive" annotation, or a tag key with two values,
  // stops the whole group); target-group settings (health checks, drain) stay each service's own.
  const ALB_WIDE = [
    'scheme',
    'listen-ports',
    'ssl-redirect',
    'ssl-policy',
    'wafv2-acl-name',
    'load-balancer-attributes',
    'inbound-cidrs',
    'tags',
    'group.name',
  ].map((key) => `alb.ingress.kubernetes.io/${key}`);

  it.each(rowsOf(environments, 'environments').map((e) => [e.name, e] as const))(
    '%s: the API and the app share one ALB, WAF and TLS policy; the API paths win on the app host',
    (envName, env) => {
      const ingresses = ofKind(objects, 'Ingress').filter((i) => i.env.name === envName);
      const byName = (name: string) => {
        const found = ingresses.find((i) => i.object.metadata.name === name);
        if (!found) throw new Error(`no Ingress ${name} in ${envName}`);
        return found.object;
      };
      const api = byName(BANK_API.name);
      const web = byName(BANK_WEB.name);
      const albWide = (o: typeof api) =>
        Object.fromEntries(ALB_WIDE.map((key) => [key, o.metadata.annotations?.[key]]));
      expect(albWide(web)).toEqual(albWide(api));
      expect(api.metadata.annotations?.['alb.ingress.kubernetes.io/group.name']).toBe(
        PUBLIC_INGRESS_GROUP.name,
      );
      const order = (o: typeof api) =>
        Number(o.metadata.annotations?.['alb.ingress.kubernetes.io/group.order']);
      // Lower orders are evaluated first: the API's /v1 before the app's catch-all /.
      expect(order(api)).toBeLessThan(order(web));

      const routes = (o: typeof api) =>
        o.spec.rules.flatMap((rule: Any) =>
          rule.http.paths.map(
            (p: Any) =>
              `${rule.host} ${p.pathType} ${p.path} -> ${p.backend.service.name}:${p.backend.service.port.name}`,
          ),
        );
      // An ALB-routed canary sends the API's paths to the action the Rollouts controller keeps on the
      // Ingress (stable and canary weights), so /v1 on the app's host follows the canary too.
      const delivery = env.bankApi.delivery;
      const apiPort =
        delivery.kind === 'canary' && delivery.trafficRouting === 'alb' ? 'use-annotation' : 'http';
      expect(routes(api)).toEqual([
        `${env.bankApi.hostname} Prefix / -> bank-api:${apiPort}`,
        `${env.bankWeb.hostname} Prefix /v1 -> bank-api:${apiPort}`,
        `${env.bankWeb.hostname} Exact /openapi.json -> bank-api:${apiPort}`,
      ]);
      expect(routes(web)).toEqual([`${env.bankWeb.hostname} Prefix / -> bank-web:http`]);
      // The certificate of every routed host is discovered from the TLS hosts.
      expect(api.spec.tls).toEqual([{ hosts: [env.bankApi.hostname, env.bankWeb.hostname] }]);
      expect(web.spec.tls).toEqual([{ hosts: [env.bankWeb.hostname] }]);
    },
  );

  it.each(rowsOf(ofKind(objects, 'Ingress'), 'Ingresses').map((i) => [id(i), i] as const))(
    '%s: HTTPS-only ALB with WAF; metrics never routed',
    (_n, ing) => {
      const a = ing.object.metadata.annotations ?? {};
      expect(ing.object.spec.ingressClassName).toBe('alb');
      expect(a['alb.ingress.kubernetes.io/scheme']).toBe('internet-facing');
      expect(a['alb.ingress.kubernetes.io/target-type']).toBe('ip');
      expect(a['alb.ingress.kubernetes.io/ssl-redirect']).toBe('443');
      expect(a['alb.ingress.kubernetes.io/ssl-policy']).toMatch(/^ELBSecurityPolicy-TLS13-1-2-/);
      expect(JSON.parse(a['alb.ingress.kubernetes.io/listen-ports'] ?? '[]')).toContainEqual({ HTTPS: 443 });
      expect(a['alb.ingress.kubernetes.io/healthcheck-path']).toBe('/readyz');
      expect(
        a['alb.ingress.kubernetes.io/wafv2-acl-name'] ?? a['alb.ingress.kubernetes.io/wafv2-acl-arn'],
      ).toBeTruthy();
      expect(ing.object.spec.tls?.[0]?.hosts).toEqual(ing.object.spec.rules.map((r: Any) => r.host));

      for (const rule of ing.object.spec.rules) {
        for (const path of rule.http.paths) {
          const backend = path.backend.service;
          // `use-annotation`: the ALB forwards by the action the Rollouts controller writes, to the
          // Rollout's stable and canary Services at its servicePort. Both must pass the same checks.
          const rollout = podControllers(objects).find(
            (r) =>
              sameNamespace(r, ing) &&
              r.object.spec.strategy?.canary?.trafficRouting?.alb?.ingress === ing.object.metadata.name,
          );
          const canary = rollout?.object.spec.strategy.canary;
          if (backend.port.name === 'use-annotation') {
            expect(
              canary?.trafficRouting.alb.rootService ?? canary?.stableService,
              'Rollout naming the action',
            ).toBe(backend.name);
          }
          const targets =
            backend.port.name === 'use-annotation'
              ? [canary?.stableService, canary?.canaryService].map((name) => ({
                  name,
                  port: { number: canary?.trafficRouting.alb.servicePort },
                }))
              : [{ name: backend.name, port: backend.port }];
          for (const { name, port: servicePort } of targets) {
            const svc = ofKind(objects, 'Service').find(
              (s) => sameNamespace(s, ing) && s.object.metadata.name === name,
            );
            expect(svc, `backend Service ${name}`).toBeDefined();
            const port = svc?.object.spec.ports.find(
              (p: Any) => p.name === servicePort.name || p.port === servicePort.number,
            );
            expect(port, 'backend port').toBeDefined();
            // Resolve the Service port to the container port it targets: it must not be the metrics port.
            const deployment = podControllers(objects).find(
              (d) =>
                sameNamespace(d, ing) &&
                matches(svc?.object.spec.selector, d.object.spec.template.metadata.labels),
            );
            const containerPorts =
              deployment?.object.spec.template.spec.containers.flatMap((c: Any) => c.ports ?? []) ?? [];
            const target = containerPorts.find(
              (p: Any) => p.name === port.targetPort || p.containerPort === port.targetPort,
            );
            expect(target?.name).toBe('http');
            expect(containerPorts.find((p: Any) => p.name === 'metrics')?.containerPort).not.toBe(
              target?.containerPort,
            );
          }
        }
      }
    },
  );
});

/** The subnets of each environment's VPC (docs/platform/README.md, "What the charts can rely on"). */
const SUBNETS = {
  dev: {
    public: ['10.10.0.0/22', '10.10.4.0/22', '10.10.8.0/22'],
    pods: ['10.10.32.0/19', '10.10.64.0/19', '10.10.96.0/19'],
    database: ['10.10.128.0/22', '10.10.132.0/22', '10.10.136.0/22'],
  },
  prod: {
    public: ['10.20.0.0/22', '10.20.4.0/22', '10.20.8.0/22'],
    pods: ['10.20.32.0/19', '10.20.64.0/19', '10.20.96.0/19'],
    database: ['10.20.128.0/22', '10.20.132.0/22', '10.20.136.0/22'],
  },
} as const;

describe('network policies open only what is needed', () => {
  it.each(environments.map((e) => [e.name, e] as const))('%s', (envName, env) => {
    const policies = ofKind(objects, 'NetworkPolicy').filter((p) => p.env.name === envName);
    const egress = policies.flatMap((p) => p.object.spec.egress ?? []);
    const ingress = policies.flatMap((p) => p.object.spec.ingress ?? []);
    const hasPort = (rule: Any, port: number) => (rule.ports ?? []).some((p: Any) => p.port === port);
    expect(
      egress.some(
        (r: Any) =>
          hasPort(r, 53) && r.to.some((t: Any) => t.podSelector?.matchLabels?.['k8s-app'] === 'kube-dns'),
      ),
    ).toBe(true);
    // Exactly the subnets, as docs/platform/README.md lists them (the VPC the network stack builds):
    // the ALB's public subnets may reach the API port, and the API may reach only the database subnets
    // on 5432. With the VPC CNI every pod has an address in the private subnets, so the VPC CIDR here
    // would let any pod call the API.
    const expected = SUBNETS[envName as keyof typeof SUBNETS];
    const cidrsOf = (rules: Any[], side: 'from' | 'to', port: number) => [
      ...new Set(
        rules
          .filter((r) => hasPort(r, port))
          .flatMap((r) => r[side] ?? [])
          .map((peer: Any) => peer.ipBlock?.cidr)
          .filter(Boolean)
          .sort(),
      ),
    ];
    expect(cidrsOf(ingress, 'from', 8080)).toEqual(expected.public);
    expect(cidrsOf(egress, 'to', 5432)).toEqual(expected.database);
    for (const rule of ingress) {
      for (const peer of rule.from ?? []) {
        if (peer.ipBlock) expect([env.vpcCidr, ...expected.pods]).not.toContain(peer.ipBlock.cidr);
      }
    }
    expect(
      ingress.some(
        (r: Any) =>
          hasPort(r, 9464) &&
          r.from.some(
            (f: Any) => f.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === 'monitoring',
          ),
      ),
    ).toBe(true);
    expect(egress.some((r: Any) => hasPort(r, 5432))).toBe(true);
    expect(egress.some((r: Any) => hasPort(r, 443))).toBe(true);
    // Nothing may reach the instance metadata service.
    for (const rule of egress) {
      for (const to of rule.to ?? []) {
        if (to.ipBlock?.cidr === '0.0.0.0/0') expect(to.ipBlock.except).toContain('169.254.0.0/16');
      }
    }
    // Only the metrics port is open to the monitoring namespace, only the API port to the ALB's subnets.
    for (const rule of ingress) expect((rule.ports ?? []).length).toBeGreaterThan(0);
  });

  it.each(environments.map((e) => [e.name] as const))(
    '%s: the web app opens no connection but DNS (the browser calls the API, not the server)',
    (envName) => {
      const webPod = { 'app.kubernetes.io/name': BANK_WEB.name, 'app.kubernetes.io/component': 'api' };
      const egress = ofKind(objects, 'NetworkPolicy')
        .filter(
          (p) =>
            p.env.name === envName &&
            p.object.metadata.namespace === BANK_WEB.namespace &&
            (p.object.spec.policyTypes ?? []).includes('Egress') &&
            matches(p.object.spec.podSelector?.matchLabels ?? {}, webPod),
        )
        .flatMap((p) => p.object.spec.egress ?? []);
      const ports = egress.flatMap((r: Any) => (r.ports ?? []).map((p: Any) => `${p.protocol}/${p.port}`));
      expect(ports.sort()).toEqual(['TCP/53', 'UDP/53']);
    },
  );
});

describe('rollout order, autoscaling and monitoring wiring', () => {
  it('migrations run as an Argo CD Sync hook in a wave before the Deployment or Rollout', () => {
    for (const job of ofKind(objects, 'Job')) {
      const a = job.object.metadata.annotations ?? {};
      expect(a['argocd.argoproj.io/hook']).toBe('Sync');
      const deployment = podControllers(objects).find((d) => sameNamespace(d, job));
      const deploymentWave = Number(
        deployment?.object.metadata.annotations?.['argocd.argoproj.io/sync-wave'],
      );
      expect(Number(a['argocd.argoproj.io/sync-wave'])).toBeLessThan(deploymentWave);
      expect(job.object.spec.template.spec.containers[0].command).toEqual(['node', 'dist/migrate.js']);
    }
    expect(ofKind(objects, 'Job').length).toBe(environments.length);
  });

  it('HPAs scale on CPU and memory with explicit behaviour', () => {
    for (const hpa of ofKind(objects, 'HorizontalPodAutoscaler')) {
      expect(hpa.object.apiVersion).toBe('autoscaling/v2');
      expect(hpa.object.spec.metrics.map((m: Any) => m.resource.name).sort()).toEqual(['cpu', 'memory']);
      expect(hpa.object.spec.behavior.scaleUp.policies.length).toBeGreaterThan(0);
      expect(hpa.object.spec.behavior.scaleDown.policies.length).toBeGreaterThan(0);
      expect(hpa.object.spec.maxReplicas).toBe(serviceConfig(hpa).replicas.max);
    }
  });

  it('ServiceMonitors and PrometheusRules carry the kube-prometheus-stack release label', () => {
    const monitoring = [...ofKind(objects, 'ServiceMonitor'), ...ofKind(objects, 'PrometheusRule')];
    // A ServiceMonitor per service (bank-api, bank-web), bank-api's alerts.
    expect(ofKind(objects, 'ServiceMonitor').length).toBe(2 * environments.length);
    expect(monitoring.length).toBe(3 * environments.length);
    for (const o of monitoring)
      expect(o.object.metadata.labels?.release, id(o)).toBe('kube-prometheus-stack');
  });

  it('the ServiceMonitor selects the metrics Service, which targets the metrics port only', () => {
    for (const sm of ofKind(objects, 'ServiceMonitor')) {
      const services = ofKind(objects, 'Service').filter(
        (s) => sameNamespace(s, sm) && matches(sm.object.spec.selector.matchLabels, s.object.metadata.labels),
      );
      expect(services.map((s) => s.object.metadata.name)).toEqual([`${sm.object.metadata.name}-metrics`]);
      expect(services[0]?.object.spec.ports.map((p: Any) => p.name)).toEqual(['metrics']);
    }
  });

  it('the Grafana dashboard ConfigMaps are labelled for the sidecar and hold valid JSON', () => {
    const dashboards = ofKind(objects, 'ConfigMap').filter(
      (c) => c.object.metadata.labels?.grafana_dashboard === '1',
    );
    // Service, ledger, rollouts and Argo CD (test/manifests/dashboards.test.ts checks each one).
    expect(dashboards.length).toBe(environments.length * 4);
    for (const d of dashboards) {
      expect(d.object.metadata.namespace).toBe('monitoring');
      for (const json of Object.values(d.object.data as Record<string, string>))
        expect(JSON.parse(json).panels.length).toBeGreaterThan(5);
    }
  });

  it('every alert links an existing runbook under docs/runbooks/', () => {
    const alerts = ofKind(objects, 'PrometheusRule').flatMap((r) =>
      r.object.spec.groups.flatMap((g: Any) => g.rules.filter((x: Any) => x.alert)),
    );
    expect(alerts.length).toBeGreaterThan(0);
    for (const alert of alerts) {
      const url: string = alert.annotations.runbook_url;
      const match = url.match(/\/blob\/[^/]+\/(docs\/runbooks\/[a-z0-9-]+\.md)$/);
      expect(match, `${alert.alert}: ${url}`).not.toBeNull();
      expect(existsSync(join(repoRoot, match?.[1] ?? 'missing')), `${alert.alert} → ${match?.[1]}`).toBe(
        true,
      );
      expect(['critical', 'warning']).toContain(alert.labels.severity);
    }
  });
});
