import { createHash } from 'node:crypto';
import { Rollout } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/Rollout';
import { ExternalSecret } from '@kubernetes-models/external-secrets/external-secrets.io/v1/ExternalSecret';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { IPodTemplateSpec } from 'kubernetes-models/v1/PodTemplateSpec';
import { Service } from 'kubernetes-models/v1/Service';
import { SECRET_STORE } from '../../../platform/config/workloads.js';
import { ModelObject } from '../model-object.js';
import { ALB_INGRESS_CLASS, MONITORING, SYNC_WAVE } from '../platform-contract.js';
import { canaryServiceNames, canaryStrategy, revisionLabelKey } from './delivery.js';
import { commonLabels, componentLabels, selectorLabels } from './labels.js';
import { addServiceNetworkPolicies } from './network-policies.js';
import {
  basePodSpec,
  configMapName,
  containerSecurity,
  databaseSecretName,
  environment,
  migrationSecretName,
  migrationServiceAccountName,
  resources,
  writableTmp,
} from './pod.js';
import {
  type DatabaseAccess,
  type DatabaseMigration,
  type PublicIngress,
  type ResolvedWebServiceProps,
  resolveWebServiceProps,
  surgePods,
  terminationGracePeriodSeconds,
  type WebServiceProps,
} from './props.js';
import { scannerSkipAnnotations } from './scanner-skips.js';

const wave = (value: string) => ({ 'argocd.argoproj.io/sync-wave': value });

/**
 * One HTTP service on the platform: identity, configuration, database credentials, migrations,
 * the Deployment, its Services and public Ingress, autoscaling, disruption budget, network
 * policies and the Prometheus scrape. Service-specific alerts and dashboards stay in the chart class.
 */
export class WebService extends Construct {
  readonly props: ResolvedWebServiceProps;
  /** Name of the Service Prometheus scrapes; its `job` label is the service name. */
  readonly metricsServiceName: string;

  constructor(scope: Construct, id: string, props: WebServiceProps) {
    super(scope, id);
    const p = resolveWebServiceProps(props);
    this.props = p;
    this.metricsServiceName = `${p.name}-metrics`;

    new kplus.ServiceAccount(this, 'ServiceAccount', {
      metadata: {
        name: p.serviceAccountName,
        namespace: p.namespace,
        labels: commonLabels(p),
        annotations: wave(SYNC_WAVE.configuration),
      },
      automountToken: false,
    });

    new kplus.ConfigMap(this, 'Config', {
      metadata: {
        name: configMapName(p),
        namespace: p.namespace,
        labels: commonLabels(p),
        annotations: wave(SYNC_WAVE.configuration),
      },
      data: sortedRecord(p.environment),
    });

    if (p.database) this.addDatabaseSecrets(p, p.database);
    if (p.database?.migration) this.addMigrationJob(p, p.database.migration);
    this.addWorkload(p);
    this.addServices(p);
    if (p.ingress) this.addIngress(p, p.ingress);
    this.addAutoscaling(p);
    addServiceNetworkPolicies(this, p);
    this.addServiceMonitor(p);
  }

  /**
   * The service's own connection URL, and the schema owner's for the migration Job: two
   * ExternalSecrets, so the owner's password never lands in a Secret the API pods can mount.
   */
  private addDatabaseSecrets(p: ResolvedWebServiceProps, db: DatabaseAccess): void {
    const sslMode = db.sslMode ?? 'verify-full';
    // urlquery percent-encodes credentials so any generated password survives the URL.
    const hostPart = '@{{ .host }}:{{ .port }}/{{ .dbname }}' + `?sslmode=${sslMode}`;
    const withPassword = `postgresql://{{ .username | urlquery }}:{{ .password | urlquery }}${hostPart}`;
    // IAM auth: the service signs a token per connection; the URL carries only the user.
    const userOnly = `postgresql://{{ .username | urlquery }}${hostPart}`;
    this.addUrlSecret(
      p,
      db,
      'DatabaseSecret',
      databaseSecretName(p),
      db.secretName,
      db.auth === 'iam' ? userOnly : withPassword,
    );
    if (db.migration) {
      this.addUrlSecret(
        p,
        db,
        'MigrationDatabaseSecret',
        migrationSecretName(p),
        db.migration.secretName,
        withPassword,
      );
      new kplus.ServiceAccount(this, 'MigrationServiceAccount', {
        metadata: {
          name: migrationServiceAccountName(p, db.migration),
          namespace: p.namespace,
          labels: commonLabels(p),
          annotations: wave(SYNC_WAVE.configuration),
        },
        automountToken: false,
      });
    }
  }

  private addUrlSecret(
    p: ResolvedWebServiceProps,
    db: DatabaseAccess,
    id: string,
    name: string,
    remoteSecret: string,
    urlTemplate: string,
  ): void {
    const urlEnvName = db.urlEnvName ?? 'DATABASE_URL';
    new ModelObject(
      this,
      id,
      new ExternalSecret({
        metadata: {
          name,
          namespace: p.namespace,
          labels: commonLabels(p),
          annotations: wave(SYNC_WAVE.configuration),
        },
        spec: {
          // The owner's password rotates every 30 days; each migration run reads the current one. The
          // service's URL carries no password with IAM auth, so rotation never restarts the API.
          refreshInterval: '1h',
          secretStoreRef: { kind: SECRET_STORE.kind, name: SECRET_STORE.name },
          target: {
            name,
            creationPolicy: 'Owner',
            deletionPolicy: 'Retain',
            template: { engineVersion: 'v2', type: 'Opaque', data: { [urlEnvName]: urlTemplate } },
          },
          dataFrom: [{ extract: { key: remoteSecret } }],
        },
      }),
    );
  }

  private addMigrationJob(p: ResolvedWebServiceProps, migration: DatabaseMigration): void {
    const tmp = writableTmp();
    new ModelObject(
      this,
      'MigrationJob',
      new Job({
        metadata: {
          name: `${p.name}-migrate`,
          namespace: p.namespace,
          labels: componentLabels(p, 'migration'),
          annotations: {
            // A Sync hook in the wave before the Deployment: Argo CD waits for the Job to complete
            // before the new version rolls out, and the Secret/ConfigMap it needs already exist.
            'argocd.argoproj.io/hook': 'Sync',
            'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation',
            ...wave(SYNC_WAVE.migration),
            ...scannerSkipAnnotations(p),
          },
        },
        spec: {
          backoffLimit: 2,
          activeDeadlineSeconds: 600,
          template: {
            metadata: { labels: { ...componentLabels(p, 'migration'), ...selectorLabels(p, 'migration') } },
            spec: {
              ...basePodSpec(p),
              // Its own identity with no AWS role; no other pod template mounts the owner's login.
              serviceAccountName: migrationServiceAccountName(p, migration),
              restartPolicy: 'Never',
              containers: [
                {
                  name: 'migrate',
                  image: p.image,
                  imagePullPolicy: 'IfNotPresent',
                  command: [...migration.command],
                  ...environment(p, 'migration'),
                  resources: resources(p),
                  securityContext: containerSecurity(p),
                  volumeMounts: [tmp.mount],
                },
              ],
            },
          },
        },
      }),
    );
  }

  /** The pods' controller: a Deployment, or an Argo Rollouts Rollout with the same pod template. */
  private addWorkload(p: ResolvedWebServiceProps): void {
    const selector = selectorLabels(p, 'api');
    const tmp = writableTmp();
    const spread = (topologyKey: string, whenUnsatisfiable: 'DoNotSchedule' | 'ScheduleAnyway') => ({
      maxSkew: 1,
      topologyKey,
      whenUnsatisfiable,
      // Cordoned or tainted nodes (a zone being drained) must not count as a domain the pod could
      // use; otherwise losing a zone leaves a replica Pending instead of moving it.
      nodeTaintsPolicy: 'Honor' as const,
      labelSelector: { matchLabels: selector },
      // Count only pods of the same revision, so a rollout does not skew against the old ReplicaSet.
      matchLabelKeys: [revisionLabelKey(p.delivery)],
    });
    const template: IPodTemplateSpec = {
      metadata: {
        labels: { ...componentLabels(p, 'api'), ...selector },
        annotations: { 'checksum/config': checksum(p.environment) },
      },
      spec: {
        ...basePodSpec(p),
        terminationGracePeriodSeconds: terminationGracePeriodSeconds(p),
        topologySpreadConstraints: [
          spread('topology.kubernetes.io/zone', 'DoNotSchedule'),
          spread('kubernetes.io/hostname', 'ScheduleAnyway'),
        ],
        // Preferred, not required: the scheduler ranks nodes that already run a replica lower,
        // so losing one node takes at most one replica while there are nodes to spare, yet a
        // scale-up past the node count or a drain still schedules (the node autoscaler adds nodes).
        affinity: {
          podAntiAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [
              {
                weight: 100,
                podAffinityTerm: {
                  topologyKey: 'kubernetes.io/hostname',
                  labelSelector: { matchLabels: selector },
                },
              },
            ],
          },
        },
        containers: [
          {
            name: p.name,
            image: p.image,
            imagePullPolicy: 'IfNotPresent',
            ...(p.command ? { command: [...p.command] } : {}),
            ports: [
              { name: 'http', containerPort: p.httpPort, protocol: 'TCP' },
              { name: 'metrics', containerPort: p.metricsPort, protocol: 'TCP' },
            ],
            ...environment(p),
            resources: resources(p),
            securityContext: containerSecurity(p),
            volumeMounts: [tmp.mount],
            // Startup allows a slow first boot without making liveness lenient afterwards.
            startupProbe: {
              httpGet: { path: p.livenessPath, port: 'http' },
              periodSeconds: 2,
              timeoutSeconds: 2,
              failureThreshold: 30,
            },
            // Liveness is process-only: a database outage must not restart every pod at once.
            livenessProbe: {
              httpGet: { path: p.livenessPath, port: 'http' },
              periodSeconds: 10,
              timeoutSeconds: 2,
              failureThreshold: 3,
            },
            readinessProbe: {
              httpGet: { path: p.readinessPath, port: 'http' },
              periodSeconds: 5,
              timeoutSeconds: 2,
              failureThreshold: 2,
              successThreshold: 1,
            },
            lifecycle: { preStop: { sleep: { seconds: p.shutdown.preStopSeconds } } },
          },
        ],
      },
    };
    const metadata = {
      name: p.name,
      namespace: p.namespace,
      labels: componentLabels(p, 'api'),
      annotations: { ...wave(SYNC_WAVE.workload), ...scannerSkipAnnotations(p) },
    };
    // No `replicas`: the HorizontalPodAutoscaler owns the count (min from the config), and a value in
    // Git would fight it on every sync.
    const common = {
      selector: { matchLabels: selector },
      revisionHistoryLimit: 5,
      minReadySeconds: 5,
      progressDeadlineSeconds: 600,
      template,
    };
    if (p.delivery.kind === 'canary') {
      new ModelObject(
        this,
        'Rollout',
        new Rollout({ metadata, spec: { ...common, strategy: { canary: canaryStrategy(p, p.delivery) } } }),
      );
      return;
    }
    new ModelObject(
      this,
      'Deployment',
      new Deployment({
        metadata,
        spec: {
          ...common,
          strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: surgePods(p) } },
        },
      }),
    );
  }

  private addServices(p: ResolvedWebServiceProps): void {
    new ModelObject(
      this,
      'Service',
      new Service({
        metadata: {
          name: p.name,
          namespace: p.namespace,
          labels: componentLabels(p, 'api'),
          annotations: wave(SYNC_WAVE.workload),
        },
        spec: {
          type: 'ClusterIP',
          selector: selectorLabels(p, 'api'),
          // Only the API port: the Ingress can route nothing else through this Service.
          ports: [{ name: 'http', port: p.httpPort, targetPort: 'http', protocol: 'TCP' }],
        },
      }),
    );
    if (p.delivery.kind === 'canary') {
      // One Service per side of the canary: the ALB's two target groups, and without traffic routing a
      // way to reach (and scrape) either version alone. The Rollouts controller narrows each selector
      // to one ReplicaSet (rollouts-pod-template-hash); until then both select every API pod.
      for (const [id, name] of [
        ['StableService', canaryServiceNames(p).stable],
        ['CanaryService', canaryServiceNames(p).canary],
      ] as const) {
        new ModelObject(
          this,
          id,
          new Service({
            metadata: {
              name,
              namespace: p.namespace,
              labels: componentLabels(p, 'api'),
              annotations: wave(SYNC_WAVE.workload),
            },
            spec: {
              type: 'ClusterIP',
              selector: selectorLabels(p, 'api'),
              ports: [{ name: 'http', port: p.httpPort, targetPort: 'http', protocol: 'TCP' }],
            },
          }),
        );
      }
    }
    new ModelObject(
      this,
      'MetricsService',
      new Service({
        metadata: {
          name: this.metricsServiceName,
          namespace: p.namespace,
          labels: componentLabels(p, 'metrics'),
          annotations: wave(SYNC_WAVE.workload),
        },
        spec: {
          // Headless: Prometheus scrapes each pod; nothing load-balances metrics.
          type: 'ClusterIP',
          clusterIP: 'None',
          selector: selectorLabels(p, 'api'),
          ports: [{ name: 'metrics', port: p.metricsPort, targetPort: 'metrics', protocol: 'TCP' }],
        },
      }),
    );
  }

  private addIngress(p: ResolvedWebServiceProps, ing: PublicIngress): void {
    const annotations: Record<string, string> = {
      ...wave(SYNC_WAVE.workload),
      'alb.ingress.kubernetes.io/scheme': 'internet-facing',
      'alb.ingress.kubernetes.io/target-type': 'ip',
      'alb.ingress.kubernetes.io/listen-ports': '[{"HTTP":80},{"HTTPS":443}]',
      'alb.ingress.kubernetes.io/ssl-redirect': '443',
      // TLS 1.3 with TLS 1.2 as the floor; the certificate is discovered in ACM from the TLS host.
      'alb.ingress.kubernetes.io/ssl-policy': 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      'alb.ingress.kubernetes.io/backend-protocol': 'HTTP',
      'alb.ingress.kubernetes.io/healthcheck-path': p.readinessPath,
      'alb.ingress.kubernetes.io/healthcheck-port': 'traffic-port',
      'alb.ingress.kubernetes.io/success-codes': '200',
      'alb.ingress.kubernetes.io/healthcheck-interval-seconds': '10',
      'alb.ingress.kubernetes.io/healthy-threshold-count': '2',
      'alb.ingress.kubernetes.io/unhealthy-threshold-count': '2',
      'alb.ingress.kubernetes.io/wafv2-acl-name': ing.wafAclName,
      // Idle 60 s stays below the app's 65 s keep-alive, so the ALB always closes first.
      'alb.ingress.kubernetes.io/load-balancer-attributes':
        'idle_timeout.timeout_seconds=60,routing.http.drop_invalid_header_fields.enabled=true',
      // In-flight requests get the app's drain window after the target starts deregistering.
      'alb.ingress.kubernetes.io/target-group-attributes': `deregistration_delay.timeout_seconds=${p.shutdown.drainSeconds}`,
      'alb.ingress.kubernetes.io/tags': Object.entries(ing.tags)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => `${k}=${v}`)
        .join(','),
    };
    if (ing.allowedCidrs.length > 0)
      annotations['alb.ingress.kubernetes.io/inbound-cidrs'] = ing.allowedCidrs.join(',');
    if (ing.group) {
      annotations['alb.ingress.kubernetes.io/group.name'] = ing.group.name;
      annotations['alb.ingress.kubernetes.io/group.order'] = String(ing.group.order);
    }
    const hosts = [
      { hostname: ing.hostname, paths: ing.paths ?? [{ path: '/', pathType: 'Prefix' as const }] },
      ...(ing.sharedHosts ?? []),
    ];
    new ModelObject(
      this,
      'Ingress',
      new Ingress({
        metadata: { name: p.name, namespace: p.namespace, labels: componentLabels(p, 'api'), annotations },
        spec: {
          ingressClassName: ALB_INGRESS_CLASS,
          // Every host this Ingress routes: the controller discovers their ACM certificates from here.
          tls: [{ hosts: hosts.map((h) => h.hostname) }],
          rules: hosts.map((host) => ({
            host: host.hostname,
            http: {
              paths: host.paths.map(({ path, pathType }) => ({
                path,
                pathType,
                backend: { service: { name: p.name, port: { name: ingressPortName(p) } } },
              })),
            },
          })),
        },
      }),
    );
  }

  private addAutoscaling(p: ResolvedWebServiceProps): void {
    new ModelObject(
      this,
      'Autoscaler',
      new HorizontalPodAutoscaler({
        metadata: {
          name: p.name,
          namespace: p.namespace,
          labels: componentLabels(p, 'api'),
          annotations: wave(SYNC_WAVE.workload),
        },
        spec: {
          // The Rollout implements the scale subresource, so the HPA scales it like a Deployment.
          scaleTargetRef:
            p.delivery.kind === 'canary'
              ? { apiVersion: Rollout.apiVersion, kind: Rollout.kind, name: p.name }
              : { apiVersion: 'apps/v1', kind: 'Deployment', name: p.name },
          minReplicas: p.replicas.min,
          maxReplicas: p.replicas.max,
          metrics: [
            {
              type: 'Resource',
              resource: {
                name: 'cpu',
                target: { type: 'Utilization', averageUtilization: p.autoscaling.cpuUtilization },
              },
            },
            {
              type: 'Resource',
              resource: {
                name: 'memory',
                target: { type: 'Utilization', averageUtilization: p.autoscaling.memoryUtilization },
              },
            },
          ],
          behavior: {
            // React to load at once, double at most per minute; shrink slowly after 5 calm minutes.
            scaleUp: {
              stabilizationWindowSeconds: 0,
              selectPolicy: 'Max',
              policies: [
                { type: 'Percent', value: 100, periodSeconds: 60 },
                { type: 'Pods', value: 2, periodSeconds: 60 },
              ],
            },
            scaleDown: {
              stabilizationWindowSeconds: 300,
              selectPolicy: 'Min',
              policies: [
                { type: 'Percent', value: 25, periodSeconds: 60 },
                { type: 'Pods', value: 1, periodSeconds: 60 },
              ],
            },
          },
        },
      }),
    );
    new ModelObject(
      this,
      'DisruptionBudget',
      new PodDisruptionBudget({
        metadata: {
          name: p.name,
          namespace: p.namespace,
          labels: componentLabels(p, 'api'),
          annotations: wave(SYNC_WAVE.workload),
        },
        spec: {
          // A strict majority stays up through drains and consolidation (51 % rounds up).
          minAvailable: '51%',
          selector: { matchLabels: selectorLabels(p, 'api') },
          // A crash-looping pod must not block node drains.
          unhealthyPodEvictionPolicy: 'AlwaysAllow',
        },
      }),
    );
  }

  private addServiceMonitor(p: ResolvedWebServiceProps): void {
    new ModelObject(
      this,
      'ServiceMonitor',
      new ServiceMonitor({
        metadata: {
          name: p.name,
          namespace: p.namespace,
          labels: { ...commonLabels(p), ...MONITORING.selectorLabels },
          annotations: wave(SYNC_WAVE.monitoring),
        },
        spec: {
          jobLabel: 'app.kubernetes.io/name',
          selector: { matchLabels: selectorLabels(p, 'metrics') },
          namespaceSelector: { matchNames: [p.namespace] },
          endpoints: [
            { port: 'metrics', path: '/metrics', scheme: 'http', interval: '30s', scrapeTimeout: '10s' },
          ],
        },
      }),
    );
  }
}

/**
 * The Ingress backend's port: the Service's, or with an ALB-routed canary `use-annotation`, which tells
 * the AWS Load Balancer Controller to forward by the `actions.<name>` annotation the Rollouts controller
 * keeps at the current canary weight.
 */
function ingressPortName(p: ResolvedWebServiceProps): string {
  return p.delivery.kind === 'canary' && p.delivery.trafficRouting === 'alb' ? 'use-annotation' : 'http';
}

function sortedRecord(record: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}

/** Changes whenever the ConfigMap does, so a config edit rolls the pods (env is read only at start). */
function checksum(record: Readonly<Record<string, string>>): string {
  return createHash('sha256')
    .update(JSON.stringify(sortedRecord(record)))
    .digest('hex');
}
