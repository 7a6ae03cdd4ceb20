import type { EnvironmentConfig, EnvironmentConfigInput, Organisation } from './schema.js';

// The raw environment definitions. They are type-checked against the schema's input type here and
// validated by `loadEnvironments` before anything reads them, so a typo stops `tsc` or synth with
// the environment and field named. Every difference between environments is a field below; no code
// branches on an environment's name.

// --- Every name the bank owns is declared once, here, and derived below --------------------------
// These are placeholders (a reserved example domain, an example GitHub owner, documentation account
// ids; platform/config/placeholders.ts says which values count as such). Synth works with them;
// `npm run infra:diff` and `infra:deploy` refuse to run until the ones they would use are replaced.

/** The bank itself: validated by `loadOrganisation` (platform/config/index.ts). */
export const rawOrganisation: Organisation = {
  domain: 'bank.example.com',
  githubRepository: 'example-bank/bank-platform',
};

/** Where each environment is deployed: its AWS account and home region. */
const targets = {
  dev: { account: '111111111111', region: 'eu-central-1' },
  prod: { account: '222222222222', region: 'eu-central-1' },
} as const;

const { domain } = rawOrganisation;
/** The image repository in an environment's own ECR registry (created by its delivery stack). */
const ecrRepository = (target: { account: string; region: string }, name: string) =>
  `${target.account}.dkr.ecr.${target.region}.amazonaws.com/${name}`;
/** The customers' OpenID Connect issuer; each environment is a realm under it. */
const oidcIssuerBase = `https://auth.${domain}`;
/** bank-api's problem `type` URIs (RFC 9457): the same in every environment, as clients compare them. */
const problemTypeBase = `https://${domain}/problems/`;
/** The bank's staff identity provider (Argo CD's single sign-on). */
const staffSsoIssuer = `https://sso.${domain}`;
// ---------------------------------------------------------------------------------------------------

const shared = {
  kubernetesVersion: '1.34',
  domainName: domain,
  gitops: {
    repoUrl: `https://github.com/${rawOrganisation.githubRepository}.git`,
    branch: 'manifests',
  },
  ci: {
    githubRepository: rawOrganisation.githubRepository,
    imagePushBranch: 'main',
  },
  staffSsoIssuer,
  tags: {
    project: 'bank-platform',
    costCenter: 'CC-1042',
    owner: 'platform-team',
    dataClassification: 'confidential',
  },
} as const;

export const rawEnvironments: Readonly<Record<string, EnvironmentConfigInput>> = {
  dev: {
    ...shared,
    name: 'dev',
    tier: 'non-production',
    ...targets.dev,
    azCount: 3,
    vpcCidr: '10.10.0.0/16',
    network: { natGateways: 1 },
    nodes: {
      autoscaler: 'karpenter',
      instanceFamilies: ['m7g', 'c7g', 'm6g'],
      minCapacity: 2,
      maxCapacity: 6,
      spot: true,
      systemInstanceType: 'm7g.large',
      systemNodeCount: 3,
      detailedMonitoring: false,
      // Dev follows every AL2023 release: it meets a new AMI before production's pin is moved to it.
      amiAlias: 'al2023@latest',
    },
    database: {
      instanceClass: 'db.t4g.medium',
      readers: 1,
      maxReaders: 1,
      backupRetentionDays: 7,
      deletionProtection: false,
      alarms: { maxConnections: 200, freeableMemoryMiB: 256 },
    },
    retention: { backupsDays: 90, auditObjectLockMode: 'GOVERNANCE', auditObjectLockDays: 365 },
    // No Vault Lock and no second region: dev data is rebuilt from migrations, a week of restores is enough.
    backup: { retentionDays: 7 },
    gitops: { ...shared.gitops, path: 'manifests/dev', syncWindows: [] },
    ci: { ...shared.ci, deployEnvironment: 'dev' },
    alertEmail: `platform-oncall+dev@${domain}`,
    monthlyBudgetUsd: 1500,
    // FinOps (docs/platform/cost.md): dev may run wholly on spot; an anomaly of 100 USD is worth a look.
    finops: {
      anomalyThresholdUsd: 100,
      serviceBudgets: [
        { service: 'platform', monthlyLimitUsd: 900 },
        { service: 'data', monthlyLimitUsd: 250 },
        { service: 'bank-api', monthlyLimitUsd: 50 },
      ],
      spotSharePercent: 100,
      costExport: true,
    },
    apiAllowedCidrs: ['203.0.113.0/24'],
    bankApi: {
      hostname: `api.dev.${domain}`,
      replicas: { min: 2, max: 4 },
      resources: { cpuRequestMillis: 250, cpuLimitMillis: 1000, memoryRequestMiB: 256, memoryLimitMiB: 512 },
      imageRepository: ecrRepository(targets.dev, 'bank-api'),
      imageTag: '0.1.0',
      logLevel: 'debug',
      oidc: { issuer: `${oidcIssuerBase}/dev`, audience: `https://api.dev.${domain}` },
      problemTypeBase,
      // Replica-weighted: dev has no traffic split (one Service); a share of the pods is the canary.
      // Short pauses: dev's release is the rehearsal, and the local platform watches it live.
      delivery: {
        kind: 'canary',
        trafficRouting: 'replicas',
        steps: [
          { setWeight: 10 },
          // The first measurement waits one analysis window: the pause outlasts it.
          { pause: '150s' },
          { setWeight: 25 },
          { pause: '20s' },
          { setWeight: 50 },
          { pause: '20s' },
          { setWeight: 100 },
        ],
        analysis: {
          startingStep: 1,
          interval: '10s',
          // Four scrapes (30 s apart) in every rate() window: with one minute a fresh canary pod's window
          // sometimes held a single sample, rate() returned nothing and the run was inconclusive.
          window: '2m',
          failureLimit: 1,
          minRequestsPerSecond: 0.5,
        },
      },
    },
    bankWeb: {
      hostname: `app.dev.${domain}`,
      replicas: { min: 2, max: 4 },
      resources: { cpuRequestMillis: 50, cpuLimitMillis: 250, memoryRequestMiB: 96, memoryLimitMiB: 192 },
      imageRepository: ecrRepository(targets.dev, 'bank-web'),
      imageTag: '0.1.0',
      logLevel: 'debug',
      oidc: { clientId: 'bank-web' },
    },
  },
  prod: {
    ...shared,
    name: 'prod',
    tier: 'production',
    ...targets.prod,
    azCount: 3,
    vpcCidr: '10.20.0.0/16',
    network: { natGateways: 3 },
    nodes: {
      autoscaler: 'karpenter',
      instanceFamilies: ['m7g', 'c7g', 'r7g'],
      minCapacity: 3,
      maxCapacity: 30,
      spot: true,
      systemInstanceType: 'm7g.large',
      systemNodeCount: 3,
      detailedMonitoring: true,
      // Pinned: a new node AMI reaches production only through a reviewed change of these two lines,
      // after dev has run it (docs/platform/README.md, "Roll a node AMI").
      amiAlias: 'al2023@v20260512',
      amiReleaseVersion: '1.34.7-20260512',
    },
    database: {
      instanceClass: 'db.r7g.large',
      readers: 1,
      maxReaders: 5,
      backupRetentionDays: 35,
      deletionProtection: true,
      alarms: { maxConnections: 800, freeableMemoryMiB: 256 },
    },
    // Seven years: the record-keeping period the bank's auditors ask for.
    retention: { backupsDays: 2555, auditObjectLockMode: 'COMPLIANCE', auditObjectLockDays: 2555 },
    // Daily recovery points for 35 days (as long as Aurora's own point-in-time window), locked so that
    // not even the root user can delete one early, and copied to Ireland in case Frankfurt is lost.
    backup: {
      retentionDays: 35,
      vaultLock: { mode: 'COMPLIANCE', minRetentionDays: 35, maxRetentionDays: 2555, changeableForDays: 3 },
      copyRegion: 'eu-west-1',
    },
    // Regional disaster recovery (docs/adr/0008): a headless Aurora Global Database secondary and the
    // audit and backups buckets replicated to Ireland, where the backup copies already are.
    disasterRecovery: { region: 'eu-west-1', vpcCidr: '10.21.0.0/16' },
    // A compromised admin or CI role cannot purge the last 35 days of backups (Aurora's PITR window).
    backupsObjectLock: { mode: 'COMPLIANCE', days: 35 },
    gitops: {
      ...shared.gitops,
      path: 'manifests/prod',
      syncWindows: [
        {
          kind: 'deny',
          description: 'Weekend change freeze: Friday 18:00 to Monday 06:00, Frankfurt time',
          schedule: '0 18 * * 5',
          duration: '60h',
          timeZone: 'Europe/Berlin',
          manualSync: true,
        },
      ],
    },
    ci: { ...shared.ci, deployEnvironment: 'prod' },
    alertEmail: `platform-oncall@${domain}`,
    monthlyBudgetUsd: 12000,
    // FinOps (docs/platform/cost.md): 30 % of workload vCPU may be spot, for workloads that tolerate
    // interruption (batch, previews, the monitoring stack's replicas); bank-api stays on-demand.
    finops: {
      anomalyThresholdUsd: 300,
      serviceBudgets: [
        { service: 'platform', monthlyLimitUsd: 6000 },
        { service: 'data', monthlyLimitUsd: 3500 },
        { service: 'bank-api', monthlyLimitUsd: 500 },
      ],
      spotSharePercent: 30,
      costExport: true,
    },
    apiAllowedCidrs: [],
    bankApi: {
      hostname: `api.${domain}`,
      replicas: { min: 3, max: 12 },
      resources: { cpuRequestMillis: 500, cpuLimitMillis: 2000, memoryRequestMiB: 384, memoryLimitMiB: 768 },
      imageRepository: ecrRepository(targets.prod, 'bank-api'),
      imageTag: '0.1.0',
      logLevel: 'info',
      oidc: { issuer: `${oidcIssuerBase}/prod`, audience: `https://api.${domain}` },
      problemTypeBase,
      // The ALB splits the traffic by weight: 10 % reaches the canary for five minutes of analysis
      // before the share grows. Two failed measurements abort and send all traffic back to stable.
      delivery: {
        kind: 'canary',
        trafficRouting: 'alb',
        steps: [
          { setWeight: 10 },
          { pause: '5m' },
          { setWeight: 25 },
          { pause: '5m' },
          { setWeight: 50 },
          { pause: '5m' },
          { setWeight: 100 },
        ],
        analysis: { startingStep: 1, interval: '1m', window: '2m', failureLimit: 1, minRequestsPerSecond: 1 },
      },
    },
    bankWeb: {
      hostname: `app.${domain}`,
      replicas: { min: 3, max: 9 },
      resources: { cpuRequestMillis: 100, cpuLimitMillis: 500, memoryRequestMiB: 128, memoryLimitMiB: 256 },
      imageRepository: ecrRepository(targets.prod, 'bank-web'),
      imageTag: '0.1.0',
      logLevel: 'info',
      oidc: { clientId: 'bank-web' },
    },
  },
};

export type { EnvironmentConfig };
