import type { EnvironmentConfig } from './schema.js';

// The raw environment definitions. They are validated by `loadEnvironments` before anything
// reads them, so a typo here stops synth with the environment and field named.

const shared = {
  kubernetesVersion: '1.34',
  domainName: 'bank.example.com',
  gitops: {
    repoUrl: 'https://github.com/example-bank/bank-platform.git',
    branch: 'manifests',
  },
  ci: {
    githubRepository: 'example-bank/bank-platform',
    imagePushBranch: 'main',
  },
  tags: {
    project: 'bank-platform',
    costCenter: 'CC-1042',
    owner: 'platform-team',
    dataClassification: 'confidential',
  },
} as const;

export const rawEnvironments: Record<string, unknown> = {
  dev: {
    ...shared,
    name: 'dev',
    account: '111111111111',
    region: 'eu-central-1',
    azCount: 3,
    vpcCidr: '10.10.0.0/16',
    nodes: {
      autoscaler: 'karpenter',
      instanceFamilies: ['m7g', 'c7g', 'm6g'],
      minCapacity: 2,
      maxCapacity: 6,
      spot: true,
      systemInstanceType: 'm7g.large',
      systemNodeCount: 3,
    },
    database: {
      instanceClass: 'db.t4g.medium',
      readers: 1,
      maxReaders: 1,
      backupRetentionDays: 7,
      deletionProtection: false,
    },
    gitops: { ...shared.gitops, path: 'manifests/dev' },
    ci: { ...shared.ci, deployEnvironment: 'dev' },
    alertEmail: 'platform-oncall+dev@bank.example.com',
    monthlyBudgetUsd: 1500,
    apiAllowedCidrs: ['203.0.113.0/24'],
    bankApi: {
      hostname: 'api.dev.bank.example.com',
      replicas: { min: 2, max: 4 },
      resources: { cpuRequestMillis: 250, cpuLimitMillis: 1000, memoryRequestMiB: 256, memoryLimitMiB: 512 },
      imageRepository: '111111111111.dkr.ecr.eu-central-1.amazonaws.com/bank-api',
      imageTag: '0.1.0',
      logLevel: 'debug',
    },
  },
  prod: {
    ...shared,
    name: 'prod',
    account: '222222222222',
    region: 'eu-central-1',
    azCount: 3,
    vpcCidr: '10.20.0.0/16',
    nodes: {
      autoscaler: 'karpenter',
      instanceFamilies: ['m7g', 'c7g', 'r7g'],
      minCapacity: 3,
      maxCapacity: 30,
      spot: true,
      systemInstanceType: 'm7g.large',
      systemNodeCount: 3,
    },
    database: {
      instanceClass: 'db.r7g.large',
      readers: 1,
      maxReaders: 5,
      backupRetentionDays: 35,
      deletionProtection: true,
    },
    gitops: { ...shared.gitops, path: 'manifests/prod' },
    ci: { ...shared.ci, deployEnvironment: 'prod' },
    alertEmail: 'platform-oncall@bank.example.com',
    monthlyBudgetUsd: 12000,
    apiAllowedCidrs: [],
    bankApi: {
      hostname: 'api.bank.example.com',
      replicas: { min: 3, max: 12 },
      resources: { cpuRequestMillis: 500, cpuLimitMillis: 2000, memoryRequestMiB: 384, memoryLimitMiB: 768 },
      imageRepository: '222222222222.dkr.ecr.eu-central-1.amazonaws.com/bank-api',
      imageTag: '0.1.0',
      logLevel: 'info',
    },
  },
} satisfies Record<string, unknown>;

export type { EnvironmentConfig };
