import { z } from 'zod';
import { SUPPORTED_KUBERNETES_VERSIONS } from './kubernetes.js';

// One schema for every environment; the CDK app and the cdk8s charts both read the parsed result,
// so nothing account-specific is typed twice.

const cidr = z
  .string()
  .regex(
    /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/,
    'must be an IPv4 CIDR such as 10.0.0.0/16',
  )
  .refine((value) => {
    // split() returns at least one element; without a '/' the prefix is undefined, Number(undefined)
    // is NaN and the range check below fails, as it must.
    const [address, prefix] = value.split('/') as [string, string?];
    const octets = address.split('.').map(Number);
    const bits = Number(prefix);
    return octets.every((o) => o >= 0 && o <= 255) && bits >= 16 && bits <= 20;
  }, 'octets must be 0-255 and the prefix between /16 and /20 (room for three subnet tiers in three AZs)');

/** A client address range: valid IPv4 CIDR, narrower than /8 so "the whole internet" cannot slip in. */
const clientCidr = z
  .string()
  .regex(
    /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/,
    'must be an IPv4 CIDR such as 203.0.113.0/24',
  )
  .refine((value) => {
    // As in cidr: a missing prefix is NaN and fails the range check.
    const [address, prefix] = value.split('/') as [string, string?];
    return address.split('.').every((o) => Number(o) <= 255) && Number(prefix) >= 8 && Number(prefix) <= 32;
  }, 'octets must be 0-255 and the prefix between /8 and /32 (no internet-wide ranges)');

const dnsName = z
  .string()
  .regex(
    /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
    'must be a lower-case DNS name',
  );

/** Karpenter's alias for the EKS-optimized AL2023 AMIs: a dated release (v + YYYYMMDD) or latest. */
const AMI_ALIAS = /^al2023@(latest|v\d{8})$/;
/** A managed node group AMI release: Kubernetes version with patch, then the release date. */
const AMI_RELEASE_VERSION = /^(\d+\.\d+)\.\d+-(\d{8})$/;

export const NodeAutoscalerSchema = z.enum(['karpenter', 'cluster-autoscaler']);

const days = (max: number) => z.number().int().min(1).max(max);

const awsRegion = z
  .string()
  .regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'must be an AWS region such as eu-central-1');

/** A Go duration of whole seconds or minutes, as Argo Rollouts reads them: 30s, 2m. */
const rolloutDuration = z
  .string()
  .regex(/^[1-9]\d*[sm]$/, 'must be a duration in seconds or minutes such as 30s or 2m');

/** One canary step: shift a share of the traffic (or pods) to the new version, or wait. */
const CanaryStepSchema = z.union([
  z.strictObject({ setWeight: z.number().int().min(1).max(100) }),
  z.strictObject({ pause: rolloutDuration }),
]);

/**
 * How bank-api releases a new version (charts/lib/web-service, docs/gitops.md "Progressive delivery"):
 * a plain rolling update, or an Argo Rollouts canary whose analysis (charts/bank-api/analysis.ts)
 * reads the canary's SLIs from Prometheus and aborts the release when they burn the error budget.
 * `trafficRouting` 'alb' splits the ALB's traffic by weight between a stable and a canary Service;
 * 'replicas' approximates the weight with the share of pods behind the one Service.
 */
export const DeliverySchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('deployment') }),
  z
    .strictObject({
      kind: z.literal('canary'),
      trafficRouting: z.enum(['alb', 'replicas']),
      steps: z.array(CanaryStepSchema).min(1),
      analysis: z.strictObject({
        // The step index the background analysis starts at (0: with the first step).
        startingStep: z.number().int().min(0),
        // How often each SLI is measured, and the rate window each measurement reads.
        interval: rolloutDuration,
        window: rolloutDuration,
        // Failed measurements tolerated before the analysis fails and the Rollout aborts.
        failureLimit: z.number().int().min(0).max(10),
        // Requests per second the canary must have served for a measurement to count; below it the
        // measurement is inconclusive (a quiet canary proves nothing), which pauses the Rollout.
        minRequestsPerSecond: z.number().min(0),
      }),
    })
    .superRefine((delivery, ctx) => {
      const weights = delivery.steps.flatMap((s, i) => ('setWeight' in s ? [[i, s.setWeight] as const] : []));
      if (weights.length === 0)
        ctx.addIssue({
          code: 'custom',
          path: ['steps'],
          message: 'must shift traffic at least once (setWeight)',
        });
      for (let k = 1; k < weights.length; k++) {
        const [index, weight] = weights[k] as readonly [number, number];
        if (weight <= (weights[k - 1] as readonly [number, number])[1])
          ctx.addIssue({
            code: 'custom',
            path: ['steps', index, 'setWeight'],
            message: 'must be greater than the previous setWeight (a canary only grows)',
          });
      }
      if (delivery.analysis.startingStep >= delivery.steps.length)
        ctx.addIssue({
          code: 'custom',
          path: ['analysis', 'startingStep'],
          message: `must be a step index below ${delivery.steps.length} (the number of steps)`,
        });
    }),
]);

/** AWS Backup of the database and the backup and audit buckets (platform/lib/data/data-backup.ts). */
export const BackupSchema = z.strictObject({
  // Days each daily recovery point is kept, in the vault and in its cross-region copy.
  retentionDays: days(36500),
  // Absent: no Vault Lock. COMPLIANCE turns immutable after changeableForDays (then nobody, root
  // included, can delete a recovery point early or lift the lock); GOVERNANCE can be lifted with IAM.
  vaultLock: z
    .strictObject({
      mode: z.enum(['COMPLIANCE', 'GOVERNANCE']),
      minRetentionDays: days(36500),
      maxRetentionDays: days(36500),
      // The grace period in which a COMPLIANCE lock can still be removed (AWS: at least 3 days).
      changeableForDays: z.number().int().min(3).max(36500).optional(),
    })
    .optional(),
  // Absent: recovery points stay in the home region only.
  copyRegion: awsRegion.optional(),
});

/**
 * Regional disaster recovery (docs/adr/0008): a headless Aurora Global Database secondary and replicas
 * of the audit and backups buckets in a second region (platform/lib/dr/).
 */
export const DisasterRecoverySchema = z.strictObject({
  // The standby region; it must be backup.copyRegion too, so a failover finds the copied recovery points.
  region: awsRegion,
  // The standby VPC (isolated subnets only); must not overlap vpcCidr so the two can be peered later.
  vpcCidr: cidr,
});

/** Object Lock on the backups bucket: a purge by a compromised admin or CI role is refused. */
export const BackupsObjectLockSchema = z.strictObject({
  mode: z.enum(['GOVERNANCE', 'COMPLIANCE']),
  days: days(3650),
});

/** The first and last address of an IPv4 CIDR as numbers (the CIDR is already validated). */
function cidrRange(value: string): [number, number] {
  const [address, prefix] = value.split('/') as [string, string];
  const start = address.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
  const size = 2 ** (32 - Number(prefix));
  const first = start - (start % size);
  return [first, first + size - 1];
}

const cidrsOverlap = (a: string, b: string): boolean => {
  const [aFirst, aLast] = cidrRange(a);
  const [bFirst, bLast] = cidrRange(b);
  // Stryker disable next-line EqualityOperator: equivalent for the /16-/20 blocks the schema allows,
  // whose first address ends in .0 and last in .255, so a first never equals a last.
  return aFirst <= bLast && bFirst <= aLast;
};

/**
 * Whether `zone` is an IANA name as Argo CD will look it up: Go's time.LoadLocation reads the tz
 * database by exact name, so what Intl also accepts (europe/berlin, Europe/BERLIN, +01:00) must be
 * refused here, not at sync time. Every IANA name segment starts with a capital; where Intl returns
 * the same name in another case, the case given was wrong. (Intl may canonicalize to a different
 * name, e.g. America/Argentina/Buenos_Aires to America/Buenos_Aires; both exist in the database.)
 */
function isTimeZone(zone: string): boolean {
  if (!/^[A-Z][A-Za-z0-9_+-]*(\/[A-Z][A-Za-z0-9_+-]*)*$/.test(zone)) return false;
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return false;
  }
  return resolved.toLowerCase() !== zone.toLowerCase() || resolved === zone;
}

/** An Argo CD sync window on the environment's workloads project (rendered into the AppProject). */
export const SyncWindowSchema = z.strictObject({
  kind: z.enum(['allow', 'deny']),
  description: z.string().min(1),
  // Argo CD evaluates five-field cron schedules in timeZone.
  schedule: z.string().regex(/^\S+( \S+){4}$/, 'must be a five-field cron schedule such as "0 18 * * 5"'),
  duration: z.string().regex(/^[1-9]\d*[hm]$/, 'must be a duration in hours or minutes such as 60h'),
  timeZone: z
    .string()
    .refine(
      isTimeZone,
      'must be an IANA time zone such as Europe/Berlin, in its exact case (no UTC offsets)',
    ),
  // Break-glass: an on-call engineer may still sync by hand while a deny window is active.
  manualSync: z.boolean(),
});

// --- The organisation's names, declared once (platform/config/environments.ts) ---------

const githubRepository = z
  .string()
  .regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, 'must be owner/name of a GitHub repository');

/**
 * The bank itself: the facts every environment's names derive from (hostnames, e-mail addresses, OIDC
 * issuers, problem type URIs, the Git repository, the Kubernetes label prefix). Validated once by
 * `loadOrganisation` (platform/config/index.ts).
 */
export const OrganisationSchema = z.strictObject({
  // The bank's DNS domain. Also the prefix of the Kubernetes label and annotation keys the platform
  // owns (`<domain>/node-pool`), which Kubernetes limits to a DNS subdomain of at most 253 characters.
  domain: dnsName,
  // owner/name of the GitHub repository that holds this code (the manifests branch, the CI roles' trust).
  githubRepository,
});

/**
 * Base of bank-api's RFC 9457 problem `type` URIs (`<base><slug>`, e.g. .../problems/insufficient-funds):
 * an absolute https:// URL ending in '/', without query or fragment, so every type is a clean URL.
 */
const problemTypeBase = z.string().refine((value) => {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return url.protocol === 'https:' && url.href === value && value.endsWith('/') && !url.search && !url.hash;
}, "must be an absolute https:// URL ending in '/', without query or fragment, such as https://example.com/problems/");

/** The values of the `Service` cost allocation tag (platform/lib/finops/service-tags.ts says which resource carries which). */
export const COST_SERVICES = ['platform', 'bank-api', 'data'] as const;

/**
 * FinOps (docs/platform/cost.md): Cost Anomaly Detection, a budget per service, the CUR 2.0
 * data export and the share of Karpenter's workload capacity that may run on spot.
 */
export const FinOpsSchema = z.strictObject({
  // Cost Anomaly Detection pages on-call when an anomaly's total impact reaches this many USD.
  anomalyThresholdUsd: z.number().positive(),
  // A monthly budget per value of the Service cost allocation tag, each service once.
  serviceBudgets: z
    .array(z.strictObject({ service: z.enum(COST_SERVICES), monthlyLimitUsd: z.number().positive() }))
    .min(1),
  // Percent of Karpenter's workload vCPU limit that may run on spot. 100: one pool, spot preferred
  // (non-production). 1-99: an on-demand pool plus a tainted spot pool that only workloads tolerating
  // interruption select. 0: on-demand only (nodes.spot false).
  spotSharePercent: z.number().int().min(0).max(100),
  // The Cost and Usage Report 2.0 (AWS Data Exports) into the audit bucket, daily, Parquet.
  costExport: z.boolean(),
});

/** A service's HPA bounds: never fewer than two pods (one is a single point of failure). */
const replicas = z.strictObject({ min: z.number().int().min(2), max: z.number().int().min(2) });

const containerResources = z.strictObject({
  cpuRequestMillis: z.number().int().positive(),
  cpuLimitMillis: z.number().int().positive(),
  memoryRequestMiB: z.number().int().positive(),
  memoryLimitMiB: z.number().int().positive(),
});

const imageTag = z
  .string()
  .regex(/^(?!latest$)[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, 'must be an immutable tag, never latest');

const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']);

/** The cross-field rules of one service's sizing (`bankApi`, `bankWeb`). */
function checkServiceSizing(
  service: 'bankApi' | 'bankWeb',
  sizing: { replicas: z.infer<typeof replicas>; resources: z.infer<typeof containerResources> },
  ctx: z.RefinementCtx,
): void {
  if (sizing.replicas.max < sizing.replicas.min)
    ctx.addIssue({
      code: 'custom',
      path: [service, 'replicas', 'max'],
      message: `must be >= ${service}.replicas.min`,
    });
  if (sizing.resources.cpuLimitMillis < sizing.resources.cpuRequestMillis)
    ctx.addIssue({
      code: 'custom',
      path: [service, 'resources', 'cpuLimitMillis'],
      message: 'must be >= cpuRequestMillis',
    });
  if (sizing.resources.memoryLimitMiB < sizing.resources.memoryRequestMiB)
    ctx.addIssue({
      code: 'custom',
      path: [service, 'resources', 'memoryLimitMiB'],
      message: 'must be >= memoryRequestMiB',
    });
}

export const EnvironmentConfigSchema = z
  .strictObject({
    name: z.string().regex(/^[a-z][a-z0-9-]{1,15}$/, 'must be 2-16 lower-case letters, digits or dashes'),
    // Production environments must pass the guard rails below (checked here, never by name in code).
    tier: z.enum(['production', 'non-production']),
    account: z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id'),
    region: awsRegion,
    azCount: z.number().int().min(2).max(3),
    vpcCidr: cidr,
    network: z.strictObject({
      // One per AZ keeps egress up when a zone is lost; one in all is cheaper for non-production.
      natGateways: z.number().int().min(1).max(3),
    }),
    kubernetesVersion: z.enum(SUPPORTED_KUBERNETES_VERSIONS, {
      error: `must be a Kubernetes minor version the platform pins add-ons for: ${SUPPORTED_KUBERNETES_VERSIONS.join(', ')}`,
    }),
    nodes: z.strictObject({
      autoscaler: NodeAutoscalerSchema,
      instanceFamilies: z
        .array(z.string().regex(/^[a-z][a-z0-9-]*\d[a-z0-9-]*$/, 'must be an EC2 family such as m7g'))
        .min(1),
      minCapacity: z.number().int().min(1),
      maxCapacity: z.number().int().min(1),
      spot: z.boolean(),
      // The always-on managed node group that runs the system add-ons (and Karpenter itself).
      systemInstanceType: z
        .string()
        .regex(/^[a-z][a-z0-9-]*\d[a-z0-9-]*\.[a-z0-9]+$/, 'must be an EC2 instance type such as m7g.large'),
      systemNodeCount: z.number().int().min(2).max(10),
      // One-minute EC2 metrics on workload nodes (billed per instance).
      detailedMonitoring: z.boolean(),
      // Node images (docs/platform/README.md, "Roll a node AMI"). Karpenter's EC2NodeClass selects the
      // EKS-optimized AL2023 AMI by this alias; a dated release pins it, @latest follows every release.
      amiAlias: z
        .string()
        .regex(
          AMI_ALIAS,
          'must be an EKS-optimized AL2023 release alias such as al2023@v20260512 (or al2023@latest outside production)',
        ),
      // The managed node groups' AMI release (<Kubernetes patch>-<release date>, as EKS lists it for
      // the node group's AMI type). Absent: EKS picks the newest release when a node group is created.
      amiReleaseVersion: z
        .string()
        .regex(AMI_RELEASE_VERSION, 'must be an EKS AMI release version such as 1.34.7-20260512')
        .optional(),
    }),
    database: z.strictObject({
      instanceClass: z
        .string()
        .regex(/^db\.[a-z0-9]+\.[a-z0-9]+$/, 'must be an RDS instance class such as db.r7g.large'),
      readers: z.number().int().min(1).max(15),
      maxReaders: z.number().int().min(1).max(15),
      backupRetentionDays: z.number().int().min(1).max(35),
      deletionProtection: z.boolean(),
      alarms: z.strictObject({
        // Alarm above this many connections: the instance class's max_connections less headroom.
        maxConnections: z.number().int().min(10),
        freeableMemoryMiB: z.number().int().min(64),
      }),
    }),
    retention: z.strictObject({
      // Objects in the backups bucket expire after this many days (archived to Deep Archive first).
      backupsDays: days(3650),
      // The audit bucket's Object Lock: COMPLIANCE cannot be shortened by anyone, root included.
      auditObjectLockMode: z.enum(['GOVERNANCE', 'COMPLIANCE']),
      auditObjectLockDays: days(3650),
    }),
    backup: BackupSchema,
    // Absent: no second region for the service (non-production). Production must have one.
    disasterRecovery: DisasterRecoverySchema.optional(),
    // Absent: the backups bucket has no Object Lock. Production must lock it in COMPLIANCE mode.
    backupsObjectLock: BackupsObjectLockSchema.optional(),
    domainName: dnsName,
    gitops: z.strictObject({
      repoUrl: z.string().url().startsWith('https://', 'must be an https:// Git URL'),
      branch: z.string().regex(/^[A-Za-z0-9._/-]+$/, 'must be a Git branch name'),
      path: z.string().regex(/^[a-z0-9._/-]+$/, 'must be a relative path in the manifests branch'),
      syncWindows: z.array(SyncWindowSchema).default([]),
    }),
    ci: z.strictObject({
      // owner/name of the GitHub repository whose Actions workflows may assume the CI roles (OIDC).
      githubRepository,
      imagePushBranch: z.string().regex(/^[A-Za-z0-9._/-]+$/, 'must be a Git branch name'),
      // GitHub deployment environment allowed to run `cdk deploy` for this environment.
      deployEnvironment: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'must be a GitHub environment name'),
    }),
    alertEmail: z.string().email(),
    monthlyBudgetUsd: z.number().positive(),
    finops: FinOpsSchema,
    // Who may reach the public Kubernetes API endpoint (non-prod only); never the whole internet.
    apiAllowedCidrs: z.array(clientCidr).default([]),
    tags: z.strictObject({
      project: z.string().min(1),
      costCenter: z.string().min(1),
      owner: z.string().min(1),
      dataClassification: z.enum(['public', 'internal', 'confidential', 'restricted']),
    }),
    bankApi: z.strictObject({
      hostname: dnsName,
      replicas,
      resources: containerResources,
      imageRepository: z.string().min(1),
      imageTag,
      logLevel,
      // The OpenID Connect issuer of the customers' bearer tokens and the audience they are minted for.
      oidc: z.strictObject({
        issuer: z.string().url().startsWith('https://', 'must be an https:// issuer URL'),
        audience: z.string().min(1),
      }),
      // PROBLEM_TYPE_BASE of the pods: derived from the organisation's domain.
      problemTypeBase,
      delivery: DeliverySchema,
    }),
    // The customers' web application (charts/bank-web): served at `/` of its own host, on the same ALB
    // and WAF as the API, which answers `/v1` there too (same origin: no CORS).
    bankWeb: z.strictObject({
      hostname: dnsName,
      replicas,
      resources: containerResources,
      imageRepository: z.string().min(1),
      imageTag,
      logLevel,
      // The app's public client at the customers' issuer (bankApi.oidc.issuer: the API accepts tokens
      // from no other), for its sign-in (authorization code + PKCE).
      oidc: z.strictObject({
        clientId: z
          .string()
          .regex(/^[A-Za-z0-9._:-]{1,128}$/, 'must be 1-128 letters, digits or . _ : - (an OAuth client id)'),
      }),
    }),
    // The OpenID Connect issuer staff sign in to Argo CD with (argocd/helm-values.ts).
    staffSsoIssuer: z.string().url().startsWith('https://', 'must be an https:// issuer URL'),
  })
  .superRefine((env, ctx) => {
    if (env.nodes.maxCapacity < env.nodes.minCapacity) {
      ctx.addIssue({
        code: 'custom',
        path: ['nodes', 'maxCapacity'],
        message: 'must be >= nodes.minCapacity',
      });
    }
    if (env.nodes.systemNodeCount < env.azCount) {
      ctx.addIssue({
        code: 'custom',
        path: ['nodes', 'systemNodeCount'],
        message: 'must be >= azCount (one system node per availability zone)',
      });
    }
    if (env.database.maxReaders < env.database.readers) {
      ctx.addIssue({
        code: 'custom',
        path: ['database', 'maxReaders'],
        message: 'must be >= database.readers',
      });
    }
    checkServiceSizing('bankApi', env.bankApi, ctx);
    checkServiceSizing('bankWeb', env.bankWeb, ctx);
    if (env.bankWeb.hostname === env.bankApi.hostname)
      ctx.addIssue({
        code: 'custom',
        path: ['bankWeb', 'hostname'],
        message: `must differ from bankApi.hostname (${env.bankApi.hostname}): both route '/' on the shared ALB`,
      });
    if (env.network.natGateways > env.azCount) {
      ctx.addIssue({
        code: 'custom',
        path: ['network', 'natGateways'],
        message: 'must be <= azCount (at most one NAT gateway per availability zone)',
      });
    }
    // Node AMIs: both capacity paths run the same release, and one built for the cluster's version.
    const releaseVersion = env.nodes.amiReleaseVersion?.match(AMI_RELEASE_VERSION);
    if (releaseVersion) {
      const [, minor, date] = releaseVersion;
      if (minor !== env.kubernetesVersion)
        ctx.addIssue({
          code: 'custom',
          path: ['nodes', 'amiReleaseVersion'],
          message: `must be a release for Kubernetes ${env.kubernetesVersion} (kubernetesVersion), got ${minor}`,
        });
      // Stryker disable next-line Regex: equivalent, nodes.amiAlias is validated to end with the date.
      const aliasDate = env.nodes.amiAlias.match(/@v(\d{8})$/)?.[1];
      if (aliasDate !== undefined && aliasDate !== date)
        ctx.addIssue({
          code: 'custom',
          path: ['nodes', 'amiReleaseVersion'],
          message: `must be the release nodes.amiAlias pins (v${aliasDate}), so every node runs one AMI release`,
        });
    }
    const { backup } = env;
    if (backup.copyRegion === env.region) {
      ctx.addIssue({
        code: 'custom',
        path: ['backup', 'copyRegion'],
        message: 'must differ from region (a copy in the same region survives nothing the original does not)',
      });
    }
    const lock = backup.vaultLock;
    if (lock) {
      if (lock.maxRetentionDays <= lock.minRetentionDays)
        ctx.addIssue({
          code: 'custom',
          path: ['backup', 'vaultLock', 'maxRetentionDays'],
          message: 'must be greater than minRetentionDays',
        });
      if (backup.retentionDays < lock.minRetentionDays || backup.retentionDays > lock.maxRetentionDays)
        ctx.addIssue({
          code: 'custom',
          path: ['backup', 'retentionDays'],
          message:
            'must lie within backup.vaultLock min/maxRetentionDays (the vault refuses other recovery points)',
        });
      if (lock.mode === 'COMPLIANCE' && lock.changeableForDays === undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['backup', 'vaultLock', 'changeableForDays'],
          message: 'a COMPLIANCE lock needs its grace period (at least 3 days)',
        });
      if (lock.mode === 'GOVERNANCE' && lock.changeableForDays !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['backup', 'vaultLock', 'changeableForDays'],
          message: 'only a COMPLIANCE lock has a grace period; remove it for GOVERNANCE',
        });
    }
    if (env.tier === 'production') {
      if (backup.vaultLock?.mode !== 'COMPLIANCE')
        ctx.addIssue({
          code: 'custom',
          path: ['backup', 'vaultLock'],
          message: 'a production environment locks its backup vault in COMPLIANCE mode',
        });
      if (backup.copyRegion === undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['backup', 'copyRegion'],
          message: 'a production environment copies its backups to a second region',
        });
      if (env.azCount !== 3)
        ctx.addIssue({
          code: 'custom',
          path: ['azCount'],
          message: 'a production environment must span 3 availability zones',
        });
      if (env.network.natGateways !== env.azCount)
        ctx.addIssue({
          code: 'custom',
          path: ['network', 'natGateways'],
          message: 'a production environment keeps one NAT gateway per availability zone',
        });
      if (env.retention.auditObjectLockMode !== 'COMPLIANCE')
        ctx.addIssue({
          code: 'custom',
          path: ['retention', 'auditObjectLockMode'],
          message: 'a production environment locks audit evidence in COMPLIANCE mode',
        });
      for (const service of ['bankApi', 'bankWeb'] as const)
        if (env[service].replicas.min < 3)
          ctx.addIssue({
            code: 'custom',
            path: [service, 'replicas', 'min'],
            message: 'a production environment needs at least 3 replicas',
          });
      if (!env.database.deletionProtection)
        ctx.addIssue({
          code: 'custom',
          path: ['database', 'deletionProtection'],
          message: 'a production environment must keep deletion protection on',
        });
      if (env.database.backupRetentionDays < 35)
        ctx.addIssue({
          code: 'custom',
          path: ['database', 'backupRetentionDays'],
          message: 'a production environment keeps backups for 35 days',
        });
      if (env.apiAllowedCidrs.length > 0)
        ctx.addIssue({
          code: 'custom',
          path: ['apiAllowedCidrs'],
          message: 'a production environment keeps the Kubernetes API endpoint private; leave this empty',
        });
      if (env.nodes.amiAlias.endsWith('@latest'))
        ctx.addIssue({
          code: 'custom',
          path: ['nodes', 'amiAlias'],
          message:
            'a production environment pins its node AMI to a dated release (al2023@vYYYYMMDD); @latest would roll nodes onto an unreviewed image',
        });
      if (env.nodes.amiReleaseVersion === undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['nodes', 'amiReleaseVersion'],
          message:
            'a production environment pins the managed node groups to the AMI release of nodes.amiAlias (such as 1.34.7-20260512)',
        });
      if (env.database.maxReaders < 5)
        ctx.addIssue({
          code: 'custom',
          path: ['database', 'maxReaders'],
          message: 'a production environment scales readers up to 5',
        });
    }
  })
  .superRefine((env, ctx) => {
    // Regional disaster recovery and the backups bucket's Object Lock (issue 11, docs/adr/0008).
    const dr = env.disasterRecovery;
    if (dr) {
      if (dr.region === env.region)
        ctx.addIssue({
          code: 'custom',
          path: ['disasterRecovery', 'region'],
          message:
            'must differ from region (a standby in the same region survives nothing the primary does not)',
        });
      if (dr.region !== env.backup.copyRegion)
        ctx.addIssue({
          code: 'custom',
          path: ['disasterRecovery', 'region'],
          message: `must equal backup.copyRegion (${env.backup.copyRegion ?? 'unset'}): a failover restores from the copied recovery points in the same region`,
        });
      if (cidrsOverlap(dr.vpcCidr, env.vpcCidr))
        ctx.addIssue({
          code: 'custom',
          path: ['disasterRecovery', 'vpcCidr'],
          message: `must not overlap vpcCidr (${env.vpcCidr}); the two VPCs may need peering during a failover`,
        });
      // Stryker disable next-line Regex: equivalent, database.instanceClass is validated to start with db.
      if (!/^db\.(r|x)\d/.test(env.database.instanceClass))
        ctx.addIssue({
          code: 'custom',
          path: ['database', 'instanceClass'],
          message:
            'an Aurora Global Database (disasterRecovery) needs a memory-optimized db.r* or db.x* class',
        });
    }
    const lock = env.backupsObjectLock;
    if (lock && lock.days > env.retention.backupsDays)
      ctx.addIssue({
        code: 'custom',
        path: ['backupsObjectLock', 'days'],
        message: 'must be <= retention.backupsDays (objects would outlive their own expiry)',
      });
    if (env.tier === 'production') {
      if (dr === undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['disasterRecovery'],
          message: 'a production environment keeps a standby in a second region (docs/adr/0008)',
        });
      if (lock?.mode !== 'COMPLIANCE')
        ctx.addIssue({
          code: 'custom',
          path: ['backupsObjectLock'],
          message: 'a production environment locks its backups bucket in COMPLIANCE mode',
        });
    }
  })
  .superRefine((env, ctx) => {
    // FinOps (docs/platform/cost.md).
    const { finops } = env;
    const services = finops.serviceBudgets.map((b) => b.service);
    for (const [i, service] of services.entries())
      if (services.indexOf(service) !== i)
        ctx.addIssue({
          code: 'custom',
          path: ['finops', 'serviceBudgets', i, 'service'],
          message: `must be listed once (${service} already has a budget)`,
        });
    const total = finops.serviceBudgets.reduce((sum, b) => sum + b.monthlyLimitUsd, 0);
    if (total > env.monthlyBudgetUsd)
      ctx.addIssue({
        code: 'custom',
        path: ['finops', 'serviceBudgets'],
        message: `the service budgets add up to ${total} USD, more than monthlyBudgetUsd (${env.monthlyBudgetUsd})`,
      });
    if (finops.anomalyThresholdUsd >= env.monthlyBudgetUsd)
      ctx.addIssue({
        code: 'custom',
        path: ['finops', 'anomalyThresholdUsd'],
        message: 'must be less than monthlyBudgetUsd (the budget alerts would always come first)',
      });
    if (env.nodes.spot !== finops.spotSharePercent > 0)
      ctx.addIssue({
        code: 'custom',
        path: ['finops', 'spotSharePercent'],
        message: env.nodes.spot
          ? 'must be above 0 when nodes.spot is true'
          : 'must be 0 when nodes.spot is false',
      });
    if (
      env.nodes.autoscaler === 'cluster-autoscaler' &&
      finops.spotSharePercent !== 0 &&
      finops.spotSharePercent !== 100
    )
      ctx.addIssue({
        code: 'custom',
        path: ['finops', 'spotSharePercent'],
        message: 'must be 0 or 100 with cluster-autoscaler (a managed node group has one capacity type)',
      });
    if (env.tier === 'production' && finops.spotSharePercent > 50)
      ctx.addIssue({
        code: 'custom',
        path: ['finops', 'spotSharePercent'],
        message:
          'a production environment keeps at least half of its workload capacity on-demand (at most 50)',
      });
  });

export type EnvironmentConfig = z.infer<typeof EnvironmentConfigSchema>;
/** What a raw environment definition must look like before parsing (defaults still unapplied). */
export type EnvironmentConfigInput = z.input<typeof EnvironmentConfigSchema>;
export type SyncWindow = z.infer<typeof SyncWindowSchema>;
export type BackupConfig = z.infer<typeof BackupSchema>;
export type DisasterRecoveryConfig = z.infer<typeof DisasterRecoverySchema>;
export type NodeAutoscaler = z.infer<typeof NodeAutoscalerSchema>;
export type Organisation = z.infer<typeof OrganisationSchema>;
export type FinOpsConfig = z.infer<typeof FinOpsSchema>;
export type CostService = (typeof COST_SERVICES)[number];
